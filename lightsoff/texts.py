"""Ready-to-send messages of the kit: three tones, French and English.

They are shown in both languages whatever the interface language (a shop in Paris may
want the French one, a tourist writes in English), so they are plain text here rather
than gettext strings. `{name}`, `{fine}`, `{kwh}`, `{eur}` are filled in by `ready_messages`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import constants

TONES = [("friendly", _("Friendly")), ("firm", _("Firm")), ("formal", _("Formal"))]

TEXTS = {
    ("friendly", "fr"): (
        "Bonjour {name} ! En passant cette nuit, j'ai vu votre vitrine encore allumée. "
        "L'éteindre entre 1 h et 7 h, c'est environ {kwh} kWh et {eur} € économisés par an, "
        "et c'est bon pour le ciel nocturne. Merci d'avance !"
    ),
    ("friendly", "en"): (
        "Hello {name}! Walking by last night, I saw your shop window still lit. "
        "Switching it off between 1 am and 7 am saves about {kwh} kWh and €{eur} a year, "
        "and the night sky will thank you. Thanks a lot!"
    ),
    ("firm", "fr"): (
        "Bonjour {name}, votre vitrine reste éclairée la nuit. Depuis l'arrêté du "
        "27 décembre 2018, les vitrines doivent être éteintes de 1 h à 7 h (ou une heure "
        "après la fermeture). Cela gaspille environ {kwh} kWh par an, et l'amende peut "
        "atteindre {fine} €. Merci de régler la minuterie."
    ),
    ("firm", "en"): (
        "Hello {name}, your shop window stays lit at night. Since the French order of "
        "27 December 2018, shop windows must be dark from 1 am to 7 am (or one hour after "
        "closing). This wastes about {kwh} kWh a year, and the fine can reach €{fine}. "
        "Please set a timer."
    ),
    ("formal", "fr"): (
        "Madame, Monsieur, je me permets de vous signaler que l'éclairage de la vitrine "
        "de l'établissement {name} demeure allumé après 1 h du matin, contrairement à "
        "l'article 2 de l'arrêté du 27 décembre 2018 relatif aux nuisances lumineuses. "
        "Outre une dépense d'environ {eur} € par an, ce manquement est passible d'une "
        "amende de {fine} €. Je vous remercie par avance de l'attention que vous porterez "
        "à ce message."
    ),
    ("formal", "en"): (
        "Dear Sir or Madam, I would like to let you know that the window lighting of "
        "{name} remains on after 1 am, contrary to article 2 of the French order of "
        "27 December 2018 on light pollution. Besides costing about €{eur} a year, this "
        "breach can be fined up to €{fine}. Thank you in advance for your attention."
    ),
}

# An illuminated sign alone: code de l'environnement R581-59 (off 1 h–6 h once the
# activity has ceased), not the windows' order.
SIGN_TEXTS = {
    ("friendly", "fr"): (
        "Bonjour {name} ! En passant cette nuit, j'ai vu votre enseigne lumineuse encore "
        "allumée. L'éteindre entre 1 h et 6 h, c'est environ {kwh} kWh et {eur} € "
        "économisés par an, et c'est bon pour le ciel nocturne. Merci d'avance !"
    ),
    ("friendly", "en"): (
        "Hello {name}! Walking by last night, I saw your illuminated sign still on. "
        "Switching it off between 1 am and 6 am saves about {kwh} kWh and €{eur} a year, "
        "and the night sky will thank you. Thanks a lot!"
    ),
    ("firm", "fr"): (
        "Bonjour {name}, votre enseigne lumineuse reste allumée la nuit. L'article R581-59 "
        "du code de l'environnement impose de l'éteindre entre 1 h et 6 h lorsque "
        "l'activité a cessé. Cela gaspille environ {kwh} kWh par an. Merci de régler la "
        "minuterie."
    ),
    ("firm", "en"): (
        "Hello {name}, your illuminated sign stays on at night. Article R581-59 of the "
        "French Environment Code requires it to be off between 1 am and 6 am once the "
        "activity has ceased. This wastes about {kwh} kWh a year. Please set a timer."
    ),
    ("formal", "fr"): (
        "Madame, Monsieur, je me permets de vous signaler que l'enseigne lumineuse de "
        "l'établissement {name} demeure allumée après 1 h du matin, alors que l'article "
        "R581-59 du code de l'environnement impose son extinction entre 1 h et 6 h lorsque "
        "l'activité a cessé. Outre une dépense d'environ {eur} € par an, ce manquement "
        "peut être sanctionné. Je vous remercie par avance de l'attention que vous "
        "porterez à ce message."
    ),
    ("formal", "en"): (
        "Dear Sir or Madam, I would like to let you know that the illuminated sign of "
        "{name} remains on after 1 am, whereas article R581-59 of the French Environment "
        "Code requires it to be off between 1 am and 6 am once the activity has ceased. "
        "Besides costing about €{eur} a year, this breach can be sanctioned. Thank you in "
        "advance for your attention."
    ),
}

PHONE_SCRIPT = {
    "fr": [
        "Bonjour, je suis un habitant du quartier et je vous appelle au sujet de votre vitrine.",
        "Je l'ai vue allumée cette nuit, bien après la fermeture.",
        "Depuis 2018, la loi demande de l'éteindre de 1 h à 7 h ; un simple programmateur suffit.",
        "Vous économiseriez environ {eur} € par an. Pourriez-vous le signaler au responsable ?",
        "Merci beaucoup, bonne journée !",
    ],
    "en": [
        "Hello, I live nearby and I'm calling about your shop window.",
        "I saw it lit last night, long after closing time.",
        "Since 2018 the law asks for it to be off from 1 am to 7 am; a simple timer does it.",
        "You would save about €{eur} a year. Could you pass this on to the manager?",
        "Thank you very much, have a nice day!",
    ],
}


@dataclass(frozen=True)
class ReadyMessage:
    tone: str
    tone_label: object
    language: str
    text: str


SIGN_PHONE_LINES = {
    "fr": (
        "Je l'ai vue allumée cette nuit : votre enseigne lumineuse, bien après la fermeture.",
        "La loi demande de l'éteindre de 1 h à 6 h une fois l'activité terminée ; un simple "
        "programmateur suffit.",
    ),
    "en": (
        "I saw your illuminated sign on last night, long after closing time.",
        "The law asks for it to be off from 1 am to 6 am once the activity has ceased; a "
        "simple timer does it.",
    ),
}


def _figures(estimate, fine):
    return {
        "kwh": f"{estimate['kwh']:.0f}",
        "eur": f"{estimate['eur']:.0f}",
        "fine": f"{fine:.0f}",
    }


def ready_messages(shop, *, estimate, fine, lit_kind=""):
    """The messages of every tone in both languages; a sign alone cites R581-59."""
    texts = SIGN_TEXTS if lit_kind == constants.LIT_SIGN else TEXTS
    values = {"name": shop.name, **_figures(estimate, fine)}
    return [
        ReadyMessage(tone, label, language, texts[(tone, language)].format(**values))
        for tone, label in TONES
        for language in ("fr", "en")
    ]


def phone_script(shop, *, estimate, fine, language="fr", lit_kind=""):
    values = {"name": shop.name, **_figures(estimate, fine)}
    lines = list(PHONE_SCRIPT[language])
    if lit_kind == constants.LIT_SIGN:
        lines[1:3] = SIGN_PHONE_LINES[language]
    return [line.format(**values) for line in lines]
