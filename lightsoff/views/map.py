"""For everyone on the map: the map page and the JSON API its script reads (the shops in
view, the known shops near a pin, the address at a point)."""

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from .. import geo, geocoder, selectors
from ..models import Shop
from ..ratelimit import limited

STATUS_LABELS = dict(Shop.Status.choices)


def index(request):
    """The LightsOff map."""
    return render(
        request,
        "lightsoff/index.html",
        {"map_config": map_config(), "statuses": Shop.Status.choices},
    )


def map_config():
    """What map.js needs, passed with json_script: the URLs it calls (templates that
    static/lightsoff/urls.js fills in) and the limits of the API (lightsoff.geo)."""
    leaflet = settings.LEAFLET_CONFIG
    return {
        "tiles": leaflet["TILES"],
        "attribution": _("© OpenStreetMap contributors"),
        "center": list(leaflet["DEFAULT_CENTER"]),
        "zoom": leaflet["DEFAULT_ZOOM"],
        "minZoom": leaflet["MIN_ZOOM"],
        "maxZoom": leaflet["MAX_ZOOM"],
        "api": reverse("lightsoff:api_shops"),
        "nearby": reverse("lightsoff:api_nearby"),
        "reverse": reverse("lightsoff:api_reverse") if geocoder.is_configured() else "",
        "reportUrl": reverse("lightsoff:report"),
        "shopUrl": _url_template("lightsoff:shop", pk="id"),
        "statuses": STATUS_LABELS,
        "messages": map_messages(),
        "pointsFromZoom": geo.POINTS_FROM_ZOOM,
        "limits": {"maxSpan": geo.MAX_SPAN, "maxViewTiles": geo.MAX_VIEW_TILES},
    }


def map_messages():
    """What map.js says, in the page's language. A count's words come in the plural
    forms Intl.PluralRules names for the language ("one", "other"), with `{count}`."""
    return {
        "openKit": _("Open the kit"),
        "locating": _("Looking for your position…"),
        "noLocation": _("Position unavailable: move the map to your street."),
        "loadError": _("The shops could not be loaded. Check your connection."),
        "noTiles": _(
            "The background map is not loading: the shops are still shown. Check your "
            "connection, or try again later."
        ),
        "noShops": _("No shop reported here. Zoom out, or report the first one."),
        "cluster": {
            "one": ngettext("%(count)s shop", "%(count)s shops", 1) % {"count": "{count}"},
            "other": ngettext("%(count)s shop", "%(count)s shops", 2) % {"count": "{count}"},
        },
    }


def _url_template(name, **placeholders):
    """reverse(name) with "{placeholder}" where each argument goes ("/…/shops/{id}/"):
    reversed with numbers that no URL holds, then swapped, so that the prefixes and
    converters stay Django's."""
    marks = {arg: str(987_654_321_000 + i) for i, arg in enumerate(placeholders)}
    url = reverse(name, kwargs=marks)
    for arg, mark in marks.items():
        url = url.replace(mark, "{" + placeholders[arg] + "}")
    return url


def point_from_query(request):
    """(lat, lng) from the query string, or None when missing or out of range."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return None
    return (lat, lng) if geo.valid_lat_lng(lat, lng) else None


# --- API ----------
def _json_error(message, status=400):
    return JsonResponse({"error": message}, status=status)


BBOX_ERRORS = {
    "missing": lambda: _("The bbox parameter is missing: bbox=west,south,east,north."),
    "malformed": lambda: _("The bbox must be four numbers: west,south,east,north."),
    "out_of_range": lambda: _("The bbox is outside the valid longitude and latitude ranges."),
    "inverted": lambda: _("The bbox must have west < east and south < north."),
    "too_large": lambda: _("The bbox is too large: zoom in."),
}


@require_GET
@limited("api")
def api_shops(request):
    """RFC 7946 GeoJSON of the shops in a bbox; clustered on the server when zoomed out."""
    try:
        bbox = geo.parse_bbox(request.GET.get("bbox", ""))
    except geo.BBoxError as error:
        return _json_error(BBOX_ERRORS[str(error)]())
    try:
        zoom = int(request.GET.get("zoom", "10"))
    except ValueError:
        return _json_error(_("The zoom must be a whole number between 0 and 20."))
    if not 0 <= zoom <= 20:
        return _json_error(_("The zoom must be a whole number between 0 and 20."))
    if not geo.fits_zoom(bbox, zoom):
        # A country-wide box asked at street zoom would cluster every shop one by one.
        return _json_error(BBOX_ERRORS["too_large"]())
    data = selectors.shops_geojson(bbox, zoom)
    response = HttpResponse(
        json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        content_type="application/geo+json",
    )
    # Revalidated each time: someone who just logged "I did it" sees the new colour.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@limited("api")
def api_nearby(request):
    """The known shops within ~50 m of a point ("is it one of these?")."""
    point = point_from_query(request)
    if point is None:
        return _json_error(_("Give lat and lng within the valid ranges."))
    shops = selectors.nearby_shops(*point)[:10]
    return JsonResponse(
        {
            "shops": [
                {
                    "id": s.pk,
                    "name": s.name,
                    "address": " ".join(p for p in (s.address, s.city) if p),
                    "status": s.status,
                    "status_label": str(STATUS_LABELS[s.status]),
                    "distance_m": round(s.distance_m),
                }
                for s in shops
            ]
        }
    )


@require_GET
@limited("api")
def api_reverse(request):
    """The address at a point, from the configured geocoder (empty when there is none)."""
    point = point_from_query(request)
    if point is None:
        return _json_error(_("Give lat and lng within the valid ranges."))
    return JsonResponse({"address": geocoder.reverse(*point)})
