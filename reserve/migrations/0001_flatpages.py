"""The static pages (about, legal notice, privacy policy, accessibility statement).

Created as flat pages attached to site 1, one per language, so that they can then
be edited in the admin. The content is rendered with |safe under an <h1> that
already holds the title, so it starts at <h2>.
"""

from django.core.management.color import no_style
from django.db import migrations

SITE_ID = 1

ABOUT_FR = """
<h2>Une réserve tech d’intérêt général</h2>
<p>Réserve rassemble des bénévoles venus de la tech, du design, de la data, de la
communication, du marketing et de l’entrepreneuriat, qui mettent leurs compétences au
service de l’intérêt général, avant et pendant les crises.</p>
<p>Elle s’inspire de LaReserve.tech, lancée le 12 décembre 2022 par l’ONG Bayes Impact
avec 150 volontaires.</p>

<h2>Trois façons de s’engager</h2>
<ul>
<li><strong>S’inscrire</strong> et indiquer ce que vous savez faire et quand vous êtes
disponible.</li>
<li><strong>Choisir ou proposer un défi</strong> parmi les projets en attente. Chaque défi
est qualifié avec les agents publics concernés : l’angle mort à couvrir, le besoin urgent,
ce qui peut être livré en un mois. Le résultat est remis à un organisme public ou à un
partenaire.</li>
<li><strong>Répondre aux mobilisations</strong> lancées par les coordinateurs en cas de
crise, si vous avez choisi de les recevoir.</li>
</ul>

<h2>LightsOff, un premier défi</h2>
<p>LightsOff permet à chacun de signaler les commerces fermés qui laissent leurs lumières
allumées la nuit. Les signalements sont reportés sur une carte.</p>
"""

ABOUT_EN = """
<h2>A tech reserve for the public interest</h2>
<p>Réserve brings together volunteers from tech, design, data, communication, marketing
and entrepreneurship who put their skills at the service of the public interest, before
and during crises.</p>
<p>It is modelled on LaReserve.tech, launched on 12 December 2022 by the NGO Bayes Impact
with 150 volunteers.</p>

<h2>Three ways to get involved</h2>
<ul>
<li><strong>Join</strong> and say what you can do and when you are available.</li>
<li><strong>Pick or propose a project</strong> from the backlog. Each project is
qualified with the public servants concerned: the blind spot to cover, the urgent need,
what can be delivered in a month. The result is handed over to a public body or a
partner.</li>
<li><strong>Answer call-ups</strong> sent by coordinators during a crisis, if you have
chosen to receive them.</li>
</ul>

<h2>LightsOff, a first challenge</h2>
<p>LightsOff lets anyone report closed shops that leave their lights on at night. Reports
are shown on a map.</p>
"""

LEGAL_FR = """
<h2>Éditeur</h2>
<ul>
<li>Nom : [à compléter]</li>
<li>Adresse : [à compléter]</li>
<li>Directeur ou directrice de la publication : [à compléter]</li>
</ul>

<h2>Hébergement</h2>
<ul>
<li>Hébergeur : [à compléter]</li>
<li>Adresse : [à compléter]</li>
</ul>

<h2>Propriété intellectuelle</h2>
<p>Les textes et éléments graphiques de ce site sont protégés par le droit d’auteur. Sauf
mention contraire, leur reproduction nécessite l’accord préalable de l’éditeur. Les
marques et logos de tiers cités appartiennent à leurs titulaires.</p>

<h2>Données cartographiques</h2>
<p>Les cartes utilisent les données © les contributeurs d’OpenStreetMap, disponibles sous
licence Open Database License (ODbL). Voir
<a href="https://www.openstreetmap.org/copyright">openstreetmap.org/copyright</a>.</p>

<h2>Données personnelles</h2>
<p>Le traitement des données personnelles est décrit dans la
<a href="/pages/privacy/">politique de confidentialité</a>.</p>
"""

LEGAL_EN = """
<h2>Publisher</h2>
<ul>
<li>Name: [to be completed]</li>
<li>Address: [to be completed]</li>
<li>Director of publication: [to be completed]</li>
</ul>

<h2>Hosting</h2>
<ul>
<li>Host: [to be completed]</li>
<li>Address: [to be completed]</li>
</ul>

<h2>Intellectual property</h2>
<p>The texts and graphics of this site are protected by copyright. Unless stated
otherwise, reproducing them requires the publisher’s prior consent. Third-party trademarks
and logos mentioned belong to their owners.</p>

<h2>Map data</h2>
<p>Maps use data © OpenStreetMap contributors, available under the Open Database License
(ODbL). See
<a href="https://www.openstreetmap.org/copyright">openstreetmap.org/copyright</a>.</p>

<h2>Personal data</h2>
<p>How personal data is processed is described in the
<a href="/pages/privacy/">privacy policy</a>.</p>
"""

PRIVACY_FR = """
<p>Version 1. Lorsque vous acceptez cette politique, son numéro de version est enregistré
avec votre consentement. Toute modification donnera lieu à une nouvelle version.</p>

<h2>Responsable du traitement</h2>
<p>[à compléter] (voir les <a href="/pages/legal/">mentions légales</a>). Contact pour
toute question sur vos données : [à compléter].</p>

<h2>Données conservées</h2>
<ul>
<li>l’adresse e-mail de votre compte ;</li>
<li>votre profil : nom, présentation, compétences, disponibilités, région ;</li>
<li>votre numéro de téléphone, seulement si vous choisissez d’être prévenu par SMS ;</li>
<li>vos réponses aux mobilisations ;</li>
<li>les signalements LightsOff que vous faites en étant connecté.</li>
</ul>
<p>Pour un signalement LightsOff fait sans compte, nous ne conservons qu’une empreinte
(hachage) de l’adresse IP, afin de limiter les abus.</p>

<h2>Finalités</h2>
<p>Ces données servent à vous proposer les défis et les mobilisations qui correspondent à
vos compétences, à vos disponibilités et à votre région, et à vous contacter à leur
sujet.</p>

<h2>Qui voit vos données</h2>
<ul>
<li>Vos coordonnées (e-mail, téléphone) ne sont visibles que des coordinateurs.</li>
<li>Les autres bénévoles voient la partie publique de votre profil (nom, présentation,
compétences) uniquement lorsqu’ils travaillent avec vous sur un même défi.</li>
<li>Les auteurs des signalements LightsOff ne sont jamais affichés publiquement.</li>
</ul>
<p>Vos données ne sont jamais vendues.</p>

<h2>Durée de conservation</h2>
<p>Les comptes inactifs depuis trois ans sont archivés et anonymisés. Un e-mail vous
prévient un mois avant.</p>

<h2>Vos droits</h2>
<ul>
<li>accès et portabilité : téléchargez vos données au format JSON sur
<a href="/volunteers/me/export.json">/volunteers/me/export.json</a> ;</li>
<li>rectification : modifiez votre profil sur
<a href="/volunteers/me/">/volunteers/me/</a> ;</li>
<li>effacement : supprimez votre compte sur
<a href="/volunteers/me/delete/">/volunteers/me/delete/</a> ;</li>
<li>réclamation : vous pouvez saisir la Commission nationale de l’informatique et des
libertés (<a href="https://www.cnil.fr/">CNIL</a>).</li>
</ul>

<h2>Cookies et traceurs</h2>
<p>Ce site n’utilise aucun traceur publicitaire. Les seuls cookies déposés sont ceux
nécessaires à son fonctionnement : la session, la protection contre la falsification de
requêtes (CSRF) et la langue choisie.</p>
"""

PRIVACY_EN = """
<p>Version 1. When you accept this policy, its version number is recorded with your
consent. Any change will lead to a new version.</p>

<h2>Data controller</h2>
<p>[to be completed] (see the <a href="/pages/legal/">legal notice</a>). Contact for any
question about your data: [to be completed].</p>

<h2>What we keep</h2>
<ul>
<li>your account e-mail address;</li>
<li>your profile: name, bio, skills, availability, region;</li>
<li>your phone number, only if you choose to be notified by SMS;</li>
<li>your answers to call-ups;</li>
<li>the LightsOff reports you make while logged in.</li>
</ul>
<p>For a LightsOff report made without an account, we keep only a hash of the IP
address, to limit abuse.</p>

<h2>Why</h2>
<p>This data is used to offer you the projects and call-ups that match your skills,
availability and region, and to contact you about them.</p>

<h2>Who sees your data</h2>
<ul>
<li>Your contact details (e-mail, phone) are visible only to coordinators.</li>
<li>Other volunteers see the public part of your profile (name, bio, skills) only when
they work with you on the same project.</li>
<li>The authors of LightsOff reports are never shown to the public.</li>
</ul>
<p>Your data is never sold.</p>

<h2>How long</h2>
<p>Accounts inactive for three years are archived and anonymised. You are warned by
e-mail a month beforehand.</p>

<h2>Your rights</h2>
<ul>
<li>access and portability: download your data as JSON at
<a href="/volunteers/me/export.json">/volunteers/me/export.json</a>;</li>
<li>rectification: edit your profile at <a href="/volunteers/me/">/volunteers/me/</a>;</li>
<li>erasure: delete your account at
<a href="/volunteers/me/delete/">/volunteers/me/delete/</a>;</li>
<li>complaint: you can lodge a complaint with the French data protection authority
(<a href="https://www.cnil.fr/">CNIL</a>).</li>
</ul>

<h2>Cookies and trackers</h2>
<p>This site uses no advertising trackers. The only cookies set are those needed for it
to work: the session, protection against cross-site request forgery (CSRF) and your
chosen language.</p>
"""

ACCESSIBILITY_FR = """
<p>Réserve vise la conformité au référentiel général d’amélioration de l’accessibilité
(RGAA) 4.1, qui correspond au niveau AA des WCAG 2.1.</p>

<h2>État de conformité</h2>
<p>Le site est partiellement conforme au RGAA 4.1. Il n’a pas encore été audité.</p>

<h2>Ce qui a été fait</h2>
<ul>
<li>régions de la page (en-tête, navigation, contenu principal, pied de page)
balisées ;</li>
<li>champs de formulaire associés à une étiquette ;</li>
<li>focus visible sur les éléments interactifs ;</li>
<li>contrastes de couleurs conçus pour le niveau AA ;</li>
<li>mise en page adaptée aux écrans jusqu’à 360 px de large ;</li>
<li>navigation et fonctionnalités utilisables au clavier.</li>
</ul>

<h2>Limites connues</h2>
<p>La carte LightsOff est un composant visuel. Une liste des commerces signalés à
proximité est proposée comme alternative.</p>

<h2>Signaler un problème</h2>
<p>Si vous ne parvenez pas à accéder à un contenu ou à un service, écrivez à
[à compléter] pour être orienté vers une alternative accessible ou obtenir le contenu
sous une autre forme.</p>

<h2>Voies de recours</h2>
<p>Si vous nous avez signalé un défaut d’accessibilité sans obtenir de réponse
satisfaisante, vous pouvez saisir le Défenseur des droits :</p>
<ul>
<li>par le formulaire en ligne sur
<a href="https://www.defenseurdesdroits.fr/">defenseurdesdroits.fr</a> ;</li>
<li>auprès d’un délégué du Défenseur des droits dans votre région ;</li>
<li>par courrier, gratuitement et sans affranchissement : Défenseur des droits, Libre
réponse 71120, 75342 Paris CEDEX 07.</li>
</ul>
"""

ACCESSIBILITY_EN = """
<p>Réserve aims to comply with the French accessibility standard RGAA 4.1, which
corresponds to WCAG 2.1 level AA.</p>

<h2>Compliance status</h2>
<p>The site is partially compliant with RGAA 4.1. It has not yet been audited.</p>

<h2>What has been done</h2>
<ul>
<li>page regions (header, navigation, main content, footer) marked up as landmarks;</li>
<li>form fields associated with a label;</li>
<li>visible focus on interactive elements;</li>
<li>colour contrast designed for level AA;</li>
<li>layout adapted to screens down to 360 px wide;</li>
<li>navigation and features usable with the keyboard.</li>
</ul>

<h2>Known limitations</h2>
<p>The LightsOff map is a visual component. A list of nearby reported shops is offered
as an alternative.</p>

<h2>Report a problem</h2>
<p>If you cannot access some content or a service, write to [to be completed] to be
directed to an accessible alternative or to get the content in another form.</p>

<h2>Recourse</h2>
<p>If you have reported an accessibility problem to us and did not get a satisfactory
answer, you can refer the matter to the Défenseur des droits (French rights
ombudsman):</p>
<ul>
<li>through the online form on
<a href="https://www.defenseurdesdroits.fr/">defenseurdesdroits.fr</a>;</li>
<li>through a delegate of the Défenseur des droits in your region;</li>
<li>by post, free of charge and without a stamp: Défenseur des droits, Libre réponse
71120, 75342 Paris CEDEX 07.</li>
</ul>
"""

# (url, title, content)
PAGES = [
    ("/fr/about/", "À propos", ABOUT_FR),
    ("/en/about/", "About", ABOUT_EN),
    ("/fr/legal/", "Mentions légales", LEGAL_FR),
    ("/en/legal/", "Legal notice", LEGAL_EN),
    ("/fr/privacy/", "Politique de confidentialité", PRIVACY_FR),
    ("/en/privacy/", "Privacy policy", PRIVACY_EN),
    ("/fr/accessibility/", "Déclaration d’accessibilité", ACCESSIBILITY_FR),
    ("/en/accessibility/", "Accessibility statement", ACCESSIBILITY_EN),
]


def create_pages(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    db = schema_editor.connection.alias

    site, created = Site.objects.using(db).get_or_create(
        id=SITE_ID, defaults={"domain": "localhost", "name": "Réserve"}
    )
    if created:
        # An explicit id does not advance the sequence on some databases (PostgreSQL).
        sequence_sql = schema_editor.connection.ops.sequence_reset_sql(no_style(), [Site])
        if sequence_sql:
            with schema_editor.connection.cursor() as cursor:
                for statement in sequence_sql:
                    cursor.execute(statement)

    for url, title, content in PAGES:
        page, _ = FlatPage.objects.using(db).get_or_create(
            url=url, defaults={"title": title, "content": content.strip()}
        )
        page.sites.add(site)


def delete_pages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    db = schema_editor.connection.alias
    FlatPage.objects.using(db).filter(url__in=[url for url, _, _ in PAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0002_alter_domain_unique"),
        ("flatpages", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_pages, delete_pages),
    ]
