"""Every figure the LightsOff kit shows, with its source, in one place.

Update a figure here and the kit, the letter and the stats follow. Each constant is a
`Figure` so that the page can cite where it comes from; labels and sources are
translatable (the titles of French documents stay in French, quoted).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    value: Decimal
    unit: str
    label: object
    source: object  # a translatable string: the page shows it in the reader's language
    url: str


# --- The rule ----------
RULE_SOURCE = Figure(
    Decimal(0),
    "",
    _(
        "Order of 27 December 2018 on the prevention, reduction and limitation of light "
        "pollution, article 2"
    ),
    _("Légifrance, Official Journal no. 0300 of 28 December 2018"),
    "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000037864346",
)
# Shop windows: off at 1 h at the latest (or one hour after the activity ends, if later),
# on at 7 h at the earliest (or one hour before it starts, if earlier).
LIGHTS_OFF_FROM_HOUR = 1
LIGHTS_ON_FROM_HOUR = 7
GRACE_HOURS = 1

# --- The fines ----------
FINE_PERSON = Figure(
    Decimal(1500),
    "€",
    _("Fine for a 5th-class contravention (natural person)"),
    _("Environment Code, article R583-7; Criminal Code, article 131-13"),
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000022482098",
)
FINE_REPEAT = Figure(
    Decimal(3000),
    "€",
    _("Fine in case of a repeated offence"),
    _("Criminal Code, article 132-11"),
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006417420",
)
FINE_COMPANY = Figure(
    Decimal(7500),
    "€",
    _("Fine for a company (five times that of a person)"),
    _("Criminal Code, article 131-41"),
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006417356",
)
FINES = [FINE_PERSON, FINE_REPEAT, FINE_COMPANY]

# --- The estimate for one shop ----------
LIGHTING_POWER_KW = Figure(
    Decimal("0.5"),
    "kW",
    _("Power of the lit windows and sign of a small shop (assumption)"),
    _(
        "ADEME, “Éclairage des commerces : les bons réflexes” (order of magnitude: a few "
        "dozen spots and a sign)"
    ),
    "https://agirpourlatransition.ademe.fr/entreprises/eclairage",
)
HOURS_PER_NIGHT = Figure(
    Decimal(6),
    "h",
    _("Hours lit per night in breach of the rule (1 h to 7 h)"),
    _("Order of 27 December 2018, article 2"),
    "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000037864346",
)
NIGHTS_PER_YEAR = Figure(
    Decimal(365),
    _("nights"),
    _("Nights a year"),
    "—",
    "",
)
PRICE_EUR_PER_KWH = Figure(
    Decimal("0.2516"),
    "€/kWh",
    _("Price of a kWh (regulated blue tariff, base option, 2024)"),
    _("Energy Regulatory Commission, deliberation no. 2024-10 of 18 January 2024"),
    "https://www.cre.fr/documents/deliberations/proposition-des-tarifs-reglementes-de-vente-delectricite.html",
)
CO2_KG_PER_KWH = Figure(
    Decimal("0.052"),
    "kgCO₂e/kWh",
    _("Emission factor of electricity in France (average mix)"),
    _("ADEME, Base Empreinte®, electricity — average mix, mainland France"),
    "https://base-empreinte.ademe.fr/",
)
NATIONAL_CO2_TONNES = Figure(
    Decimal(250000),
    "t CO₂",
    _("Lit shops at night in France, per year (about the emissions of Marseille)"),
    _("Bayes Impact, LightsOff (2022), after ADEME"),
    "https://lareserve.tech/",
)
ESTIMATE_FIGURES = [
    LIGHTING_POWER_KW,
    HOURS_PER_NIGHT,
    NIGHTS_PER_YEAR,
    PRICE_EUR_PER_KWH,
    CO2_KG_PER_KWH,
]

# --- Open data ----------
LICENCE_NAME = "Open Database License (ODbL) 1.0"
LICENCE_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
