"""The night theme of the LightsOff pages meets RGAA / WCAG 2.1 AA contrast (4.5:1 for
text): every pair of colours the theme puts together, read from static/css/site.css."""

import re
from pathlib import Path

import pytest

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"
AA_TEXT = 4.5
# Leaflet's own attribution background (leaflet.css), when site.css does not set one.
LEAFLET_ATTRIBUTION = "rgba(255, 255, 255, 0.8)"
WHITE_TILE = (255, 255, 255, 1.0)


def _rules():
    """(selectors, declarations) of site.css in file order, print styles left out."""
    css = re.sub(r"/\*.*?\*/", "", SITE_CSS.read_text(), flags=re.S)
    css = re.sub(r"@media print\s*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    return [
        (
            [s.strip() for s in selectors.split(",")],
            dict(re.findall(r"(--[\w-]+|[\w-]+)\s*:\s*([^;]+);", body)),
        )
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    ]


RULES = _rules()


def declared(selector, prop, default=None):
    """The value of `prop` in the last rule listing `selector` that declares it (the one
    the cascade keeps between rules of the same selector)."""
    values = [d[prop] for selectors, d in RULES if selector in selectors and prop in d]
    if not values:
        assert default is not None, f"site.css gives {selector!r} no {prop}"
        return default
    return values[-1].strip()


def night_palette():
    """The custom properties a night page sees: :root's, then body.night's over them."""
    palette = {}
    for selectors, declarations in RULES:
        if selectors in ([":root"], ["body.night"]):
            palette.update({k: v for k, v in declarations.items() if k.startswith("--")})
    return palette


def resolve(value, palette):
    """A colour value with its var(--…) references followed, as (r, g, b, alpha)."""
    value = value.strip()
    while value.startswith("var("):
        value = palette[re.match(r"var\((--[\w-]+)\)", value).group(1)].strip()
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return (*(int(digits[i : i + 2], 16) for i in (0, 2, 4)), 1.0)
    parts = re.match(r"rgba?\(([^)]*)\)", value).group(1).replace("/", ",").split(",")
    numbers = [float(p) for p in parts]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def over(colour, backdrop):
    """A translucent colour composited over an opaque backdrop."""
    *rgb, alpha = colour
    return (*(alpha * c + (1 - alpha) * b for c, b in zip(rgb, backdrop[:3], strict=True)), 1.0)


def luminance(colour):
    """WCAG 2.1 relative luminance."""

    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_function_matches_wcag_reference_values():
    white, black = (255, 255, 255, 1.0), (0, 0, 0, 1.0)
    assert contrast(white, black) == pytest.approx(21)
    assert contrast(resolve("#777", {}), white) == pytest.approx(4.48, abs=0.01)
    assert contrast(resolve("#1f3d7a", {}), white) == pytest.approx(10.46, abs=0.01)


NIGHT_TEXT = ("body.night", "color")
NIGHT_BACKGROUND = ("body.night", "background")
CARD = ("body.night .card", "background")
SUBMIT = 'button[type="submit"]:not(.link-button)'

# What the reviewer read on a night page: (what, text colour, background), each as the
# (selector, property) that gives it; text with no colour of its own inherits the page's.
PAIRS = [
    ("body text", NIGHT_TEXT, NIGHT_BACKGROUND),
    ("text in a card", ("body.night .card", "color"), CARD),
    ("the thank-you message", NIGHT_TEXT, (".message", "background")),
    ("the figures' labels", NIGHT_TEXT, (".counts li", "background")),
    (
        "the figures' labels (night rule)",
        ("body.night .counts li", "color"),
        ("body.night .counts li", "background"),
    ),
    ("the figures", (".counts strong", "color"), (".counts li", "background")),
    ("help texts", (".helptext", "color"), NIGHT_BACKGROUND),
    ("help texts in a card", (".helptext", "color"), CARD),
    ("muted text", ("body.night .muted", "color"), NIGHT_BACKGROUND),
    ("links", ("body.night a", "color"), NIGHT_BACKGROUND),
    ("links in a card", ("body.night a", "color"), CARD),
    (
        "OpenStreetMap, map service, letter buttons",
        ("body.night a", "color"),
        (".button-secondary", "background"),
    ),
    (
        "secondary buttons in a card",
        ("body.night .button-secondary", "color"),
        ("body.night .card .button-secondary", "background"),
    ),
    ("primary buttons", (SUBMIT, "color"), (SUBMIT, "background")),
    (
        "“Envoyer le signalement” as a submit button",
        ("body.night .button-report", "color"),
        (SUBMIT, "background"),
    ),
    (
        "“Envoyer le signalement”",
        ("body.night button.button-report", "color"),
        ("body.night button.button-report", "background"),
    ),
    ("form errors in a card", (".errorlist", "color"), CARD),
    ("footer text", ("body.night .muted", "color"), ("body.night .site-footer", "background")),
    ("footer links", ("body.night a", "color"), ("body.night .site-footer", "background")),
]


@pytest.mark.parametrize(("what", "text", "background"), PAIRS, ids=[p[0] for p in PAIRS])
def test_night_text_is_readable_on_its_background(what, text, background):
    palette = night_palette()
    ratio = contrast(resolve(declared(*text), palette), resolve(declared(*background), palette))
    assert ratio >= AA_TEXT, f"{what}: {ratio:.2f}:1"


# A link in the attribution has the night pages' link colour unless site.css says otherwise.
LINK = declared("body.night a", "color")
MAP_PANELS = [
    ("the status line", (".map-status p", "color"), (".map-status p", "background")),
    ("the legend", (".map-legend", "color"), (".map-legend", "background")),
    (
        "the attribution",
        ("body.night .lightsoff-map .leaflet-control-attribution", "color", "#333"),
        (
            "body.night .lightsoff-map .leaflet-control-attribution",
            "background",
            LEAFLET_ATTRIBUTION,
        ),
    ),
    (
        "the attribution's link",
        ("body.night .lightsoff-map .leaflet-control-attribution a", "color", LINK),
        (
            "body.night .lightsoff-map .leaflet-control-attribution",
            "background",
            LEAFLET_ATTRIBUTION,
        ),
    ),
]


@pytest.mark.parametrize(("what", "text", "background"), MAP_PANELS, ids=[p[0] for p in MAP_PANELS])
def test_map_panels_are_readable_even_over_a_white_tile(what, text, background):
    """The map's panels sit over the tiles, translucent: checked over the lightest tile."""
    palette = night_palette()
    panel = over(resolve(declared(*background), palette), WHITE_TILE)
    ratio = contrast(resolve(declared(*text), palette), panel)
    assert ratio >= AA_TEXT, f"{what}: {ratio:.2f}:1"
