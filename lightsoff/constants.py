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


# --- The rules ----------
# Which lights were on: the report form asks, and the rule depends on it.
LIT_WINDOW = "window"  # shop windows and interior lighting seen from the street
LIT_SIGN = "sign"  # an illuminated sign (enseigne lumineuse)
LIT_BOTH = "both"

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
# Shop windows and interior lighting: off at 1 h at the latest (or one hour after the
# activity ends, if later), on at 7 h at the earliest (or one hour before it starts).
LIGHTS_OFF_FROM_HOUR = 1
LIGHTS_ON_FROM_HOUR = 7
GRACE_HOURS = 1

SIGN_RULE_SOURCE = Figure(
    Decimal(0),
    "",
    _(
        "Environment Code, article R581-59: illuminated signs are off between 1 h and 6 h "
        "when the activity they advertise has ceased"
    ),
    _("Decree no. 2012-118 of 30 January 2012 on outdoor advertising and signs"),
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000025250256",
)
# Illuminated signs: the same one-hour grace around an activity between midnight and
# 7 h, but they may be on again from 6 h.
SIGN_LIGHTS_ON_FROM_HOUR = 6

# Both texts let an authority allow more light for a while; the kit and the letter say
# so, since a shop may hold such an exception.
EXCEPTIONS = _(
    "Exceptions exist: the préfet may allow windows to stay lit on the eves of public "
    "holidays, during the Christmas lights, for local events or in some tourist areas "
    "(order of 27 December 2018); an order of the maire or the préfet may allow signs to "
    "stay lit for exceptional events (R581-59). A shop that holds such an exception may "
    "say so."
)

# --- The fines ----------
# Code pénal 132-11 raises a 5th-class fine for a repeated offence only
# "where the regulation provides for it"; R583-7 does not, so no higher figure is shown.
FINE_PERSON = Figure(
    Decimal(1500),
    "€",
    _("Fine for a 5th-class contravention (natural person)"),
    _(
        "Environment Code, article R583-7 (as worded by decree no. 2023-1021 of "
        "3 November 2023, in force since 6 November 2023); Criminal Code, article 131-13 "
        "(amounts in euros since the ordinance of 19 September 2000)"
    ),
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000022482098",
)
FINE_COMPANY = Figure(
    Decimal(7500),
    "€",
    _("Fine for a legal person, such as a company (five times that of a natural person)"),
    _("Criminal Code, article 131-41 (in force since 1 March 1994)"),
    "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006417356",
)
FINES = [FINE_PERSON, FINE_COMPANY]
# The fines above punish the windows' rule (R583-7). A sign breaching R581-59 falls
# under the sanctions of the chapter on advertising and signs.
SIGN_SANCTIONS = _(
    "For an illuminated sign, the penalties are those of the Environment Code's chapter "
    "on advertising and signs (articles L581-26 and following)."
)

# --- The estimate for one shop ----------
# The reporter picks a size; "I don't know" is a shop front.
SIZE_SMALL = "small"
SIZE_FRONT = "front"
SIZE_LARGE = "large"
DEFAULT_SIZE = SIZE_FRONT

POWER_KW = {
    SIZE_SMALL: Figure(
        Decimal("0.15"),
        "kW",
        _("Power of a small window's lighting (assumption)"),
        _("Réserve's assumption: about ten 15 W LED spots"),
        "",
    ),
    SIZE_FRONT: Figure(
        Decimal("0.5"),
        "kW",
        _("Power of the lit windows and sign of a shop front (assumption)"),
        _(
            "ADEME, “Éclairage des commerces : les bons réflexes” (order of magnitude: a "
            "few dozen spots and a sign)"
        ),
        "https://agirpourlatransition.ademe.fr/entreprises/eclairage",
    ),
    SIZE_LARGE: Figure(
        Decimal("2"),
        "kW",
        _("Power of a large store's windows and sales floor seen from the street (assumption)"),
        _("Réserve's assumption: four shop fronts' worth of lighting"),
        "",
    ),
}
LIGHTING_POWER_KW = POWER_KW[DEFAULT_SIZE]
HOURS_PER_NIGHT = Figure(
    Decimal(6),
    "h",
    _("Hours lit per night in breach of the rule when the opening hours are unknown (1 h to 7 h)"),
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
# The ministry's own estimate when the night-time rule for non-residential buildings
# (windows, offices, façades) came in with the order of 25 January 2013, which the order
# of 27 December 2018 took up. No address is given: the 2013 page is no longer online.
NATIONAL_CO2_TONNES = Figure(
    Decimal(250000),
    "t CO₂",
    _(
        "CO₂ avoided each year in France when non-residential buildings (shop windows, "
        "offices, façades) switch off at night"
    ),
    _(
        "Ministry of Ecology, Sustainable Development and Energy, 2013, presenting the "
        "order of 25 January 2013 (circular of 5 June 2013)"
    ),
    "",
)
# The figures that do not depend on the shop (its power and hours do).
ESTIMATE_FIGURES = [
    NIGHTS_PER_YEAR,
    PRICE_EUR_PER_KWH,
    CO2_KG_PER_KWH,
]

# --- Open data ----------
LICENCE_NAME = "Open Database License (ODbL) 1.0"
LICENCE_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
