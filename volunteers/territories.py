"""French administrative territories: régions and départements.

Static reference data taken from the INSEE *code officiel géographique*
(COG), following the 2016 territorial reform (18 régions, 101 départements,
overseas included). Codes are the official INSEE codes; names are proper nouns
and are therefore kept in French, untranslated.

This module deliberately has no Django dependency so it can be imported
anywhere (models, forms, scripts, tests) without configuring settings.
"""

# (code INSEE, nom), sorted by name in French alphabetical order (accents ignored).
REGIONS: tuple[tuple[str, str], ...] = (
    ("84", "Auvergne-Rhône-Alpes"),
    ("27", "Bourgogne-Franche-Comté"),
    ("53", "Bretagne"),
    ("24", "Centre-Val de Loire"),
    ("94", "Corse"),
    ("44", "Grand Est"),
    ("01", "Guadeloupe"),
    ("03", "Guyane"),
    ("32", "Hauts-de-France"),
    ("11", "Île-de-France"),
    ("04", "La Réunion"),
    ("02", "Martinique"),
    ("06", "Mayotte"),
    ("28", "Normandie"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("52", "Pays de la Loire"),
    ("93", "Provence-Alpes-Côte d'Azur"),
)

# (code INSEE, nom, code région), sorted by code (2A/2B between 19 and 21).
DEPARTEMENTS: tuple[tuple[str, str, str], ...] = (
    ("01", "Ain", "84"),
    ("02", "Aisne", "32"),
    ("03", "Allier", "84"),
    ("04", "Alpes-de-Haute-Provence", "93"),
    ("05", "Hautes-Alpes", "93"),
    ("06", "Alpes-Maritimes", "93"),
    ("07", "Ardèche", "84"),
    ("08", "Ardennes", "44"),
    ("09", "Ariège", "76"),
    ("10", "Aube", "44"),
    ("11", "Aude", "76"),
    ("12", "Aveyron", "76"),
    ("13", "Bouches-du-Rhône", "93"),
    ("14", "Calvados", "28"),
    ("15", "Cantal", "84"),
    ("16", "Charente", "75"),
    ("17", "Charente-Maritime", "75"),
    ("18", "Cher", "24"),
    ("19", "Corrèze", "75"),
    ("2A", "Corse-du-Sud", "94"),
    ("2B", "Haute-Corse", "94"),
    ("21", "Côte-d'Or", "27"),
    ("22", "Côtes-d'Armor", "53"),
    ("23", "Creuse", "75"),
    ("24", "Dordogne", "75"),
    ("25", "Doubs", "27"),
    ("26", "Drôme", "84"),
    ("27", "Eure", "28"),
    ("28", "Eure-et-Loir", "24"),
    ("29", "Finistère", "53"),
    ("30", "Gard", "76"),
    ("31", "Haute-Garonne", "76"),
    ("32", "Gers", "76"),
    ("33", "Gironde", "75"),
    ("34", "Hérault", "76"),
    ("35", "Ille-et-Vilaine", "53"),
    ("36", "Indre", "24"),
    ("37", "Indre-et-Loire", "24"),
    ("38", "Isère", "84"),
    ("39", "Jura", "27"),
    ("40", "Landes", "75"),
    ("41", "Loir-et-Cher", "24"),
    ("42", "Loire", "84"),
    ("43", "Haute-Loire", "84"),
    ("44", "Loire-Atlantique", "52"),
    ("45", "Loiret", "24"),
    ("46", "Lot", "76"),
    ("47", "Lot-et-Garonne", "75"),
    ("48", "Lozère", "76"),
    ("49", "Maine-et-Loire", "52"),
    ("50", "Manche", "28"),
    ("51", "Marne", "44"),
    ("52", "Haute-Marne", "44"),
    ("53", "Mayenne", "52"),
    ("54", "Meurthe-et-Moselle", "44"),
    ("55", "Meuse", "44"),
    ("56", "Morbihan", "53"),
    ("57", "Moselle", "44"),
    ("58", "Nièvre", "27"),
    ("59", "Nord", "32"),
    ("60", "Oise", "32"),
    ("61", "Orne", "28"),
    ("62", "Pas-de-Calais", "32"),
    ("63", "Puy-de-Dôme", "84"),
    ("64", "Pyrénées-Atlantiques", "75"),
    ("65", "Hautes-Pyrénées", "76"),
    ("66", "Pyrénées-Orientales", "76"),
    ("67", "Bas-Rhin", "44"),
    ("68", "Haut-Rhin", "44"),
    ("69", "Rhône", "84"),
    ("70", "Haute-Saône", "27"),
    ("71", "Saône-et-Loire", "27"),
    ("72", "Sarthe", "52"),
    ("73", "Savoie", "84"),
    ("74", "Haute-Savoie", "84"),
    ("75", "Paris", "11"),
    ("76", "Seine-Maritime", "28"),
    ("77", "Seine-et-Marne", "11"),
    ("78", "Yvelines", "11"),
    ("79", "Deux-Sèvres", "75"),
    ("80", "Somme", "32"),
    ("81", "Tarn", "76"),
    ("82", "Tarn-et-Garonne", "76"),
    ("83", "Var", "93"),
    ("84", "Vaucluse", "93"),
    ("85", "Vendée", "52"),
    ("86", "Vienne", "75"),
    ("87", "Haute-Vienne", "75"),
    ("88", "Vosges", "44"),
    ("89", "Yonne", "27"),
    ("90", "Territoire de Belfort", "27"),
    ("91", "Essonne", "11"),
    ("92", "Hauts-de-Seine", "11"),
    ("93", "Seine-Saint-Denis", "11"),
    ("94", "Val-de-Marne", "11"),
    ("95", "Val-d'Oise", "11"),
    ("971", "Guadeloupe", "01"),
    ("972", "Martinique", "02"),
    ("973", "Guyane", "03"),
    ("974", "La Réunion", "04"),
    ("976", "Mayotte", "06"),
)

REGION_CHOICES: list[tuple[str, str]] = [(code, name) for code, name in REGIONS]

DEPARTEMENT_CHOICES: list[tuple[str, str]] = [
    (code, f"{code} – {name}") for code, name, _region in DEPARTEMENTS
]

REGION_NAMES: dict[str, str] = dict(REGIONS)

DEPARTEMENT_NAMES: dict[str, str] = {code: name for code, name, _region in DEPARTEMENTS}

REGION_OF_DEPARTEMENT: dict[str, str] = {code: region for code, _name, region in DEPARTEMENTS}


# Overseas départements live in their own time zone; every other one in Europe/Paris.
TIME_ZONE_OF_DEPARTEMENT: dict[str, str] = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}


def time_zone_for_departement(code: str) -> str:
    """The IANA time zone of a département (Europe/Paris when unknown or empty)."""
    return TIME_ZONE_OF_DEPARTEMENT.get(code or "", "Europe/Paris")


def region_for_departement(code: str) -> str | None:
    """Return the INSEE région code of a département code, or None if unknown."""
    return REGION_OF_DEPARTEMENT.get(code)


def departement_from_postcode(postcode: str) -> str | None:
    """Return the département code for a 5-digit French postcode, or None.

    The département is given by the first two digits, except for Corsica
    (20xxx: below 20200 is Corse-du-Sud "2A", otherwise Haute-Corse "2B") and
    overseas départements (97xxx: first three digits). Anything that is not
    exactly five ASCII digits, or that maps to no known département, gives None.
    """
    if not isinstance(postcode, str):
        return None
    postcode = postcode.strip()
    if len(postcode) != 5 or not (postcode.isascii() and postcode.isdigit()):
        return None
    if postcode.startswith("20"):
        code = "2A" if int(postcode) < 20200 else "2B"
    elif postcode.startswith("97"):
        code = postcode[:3]
    else:
        code = postcode[:2]
    return code if code in DEPARTEMENT_NAMES else None
