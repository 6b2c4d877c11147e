import csv
import json
import urllib.parse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from reserve.ratelimit import client_ip

from . import constants, geo, geocoder, hours, selectors, services
from .forms import (
    CheckForm,
    ContactForm,
    HoneypotMixin,
    ReportForm,
    RoundForm,
    SubscribeForm,
    TaskDoneForm,
)
from .models import ReporterSubscription, Shop, VolunteerContactTask
from .ratelimit import is_limited
from .texts import TONES, phone_script, ready_messages

STATUS_LABELS = dict(Shop.Status.choices)


def _too_many(request, *, json=False):
    text = _("Too many requests from your connection. Please wait a while and try again.")
    if json:
        return JsonResponse({"error": text}, status=429)
    return render(request, "lightsoff/429.html", {"message": text}, status=429)


def index(request):
    """The LightsOff map."""
    return render(
        request,
        "lightsoff/index.html",
        {"map_config": _map_config(), "statuses": Shop.Status.choices},
    )


def _map_config():
    leaflet = settings.LEAFLET_CONFIG
    return {
        "tiles": leaflet["TILES"],
        "attribution": "© OpenStreetMap contributors",
        "center": list(leaflet["DEFAULT_CENTER"]),
        "zoom": leaflet["DEFAULT_ZOOM"],
        "minZoom": leaflet["MIN_ZOOM"],
        "maxZoom": leaflet["MAX_ZOOM"],
        "api": reverse("lightsoff:api_shops"),
        "nearby": reverse("lightsoff:api_nearby"),
        "reverse": reverse("lightsoff:api_reverse") if geocoder.is_configured() else "",
        "reportUrl": reverse("lightsoff:report"),
        "shopUrl": reverse("lightsoff:shop", kwargs={"pk": 0}),
        "statuses": STATUS_LABELS,
        "pointsFromZoom": geo.POINTS_FROM_ZOOM,
    }


def report(request):
    """Report a lit shop: the pin, "is it one of these?", the name, photo and time."""
    if request.method == "POST":
        if is_limited(request, "report"):
            return _too_many(request)
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            address = {k: data[k] for k in ("address", "postcode", "city")}
            if data["shop"] is None and not address["address"]:
                address = geocoder.reverse(data["latitude"], data["longitude"]) or address
            try:
                result = services.report_sighting(
                    shop_name=data["name"],
                    shop=data["shop"],
                    lat=data["latitude"],
                    lng=data["longitude"],
                    seen_at=data["seen_at"],
                    photo=data["photo"],
                    reporter=request.user if request.user.is_authenticated else None,
                    ip=client_ip(request),
                    **address,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if result.created_shop:
                    messages.success(request, _("Thank you! The shop is on the map."))
                else:
                    messages.success(request, _("Thank you! Your sighting was added to this shop."))
                return redirect(result.shop)
    else:
        point = _point_from_query(request)
        form = ReportForm(initial={"latitude": point[0], "longitude": point[1]} if point else {})
    return _report_page(request, form, status=400 if form.is_bound else 200)


def _report_page(request, form, *, status):
    return render(
        request, "lightsoff/report.html", {"form": form, "map_config": _map_config()}, status=status
    )


def _shop_or_redirect(pk):
    shop = get_object_or_404(Shop, pk=pk)
    if shop.merged_into_id and shop.is_hidden:
        return None, redirect("lightsoff:shop", pk=shop.merged_into_id)
    if shop.is_hidden:
        raise Http404
    return shop, None


def shop(request, pk):
    """The kit: the rule, the fines, the cost, the messages, the actions, the history."""
    shop, moved = _shop_or_redirect(pk)
    if moved:
        return moved
    return render(request, "lightsoff/shop.html", _kit_context(request, shop))


def _kit_context(request, shop, **forms):
    estimate = selectors.estimate_per_shop()
    fine = constants.FINE_PERSON.value
    now = timezone.now()
    last_lit = shop.last_seen_lit_at
    query = " ".join(p for p in (shop.name, shop.address, shop.postcode, shop.city) if p)
    osm = (
        f"https://www.openstreetmap.org/{shop.osm_id}"
        if "/" in shop.osm_id
        else f"https://www.openstreetmap.org/?mlat={shop.latitude}&mlon={shop.longitude}"
        f"#map=19/{shop.latitude}/{shop.longitude}"
    )
    return {
        "shop": shop,
        "now_rule": hours.legality(now, shop.opening_hours),
        "seen_rule": hours.legality(last_lit, shop.opening_hours) if last_lit else None,
        "rule": constants.RULE_SOURCE,
        "fines": constants.FINES,
        "estimate": estimate,
        "estimate_figures": constants.ESTIMATE_FIGURES,
        "messages_by_tone": [
            (
                label,
                [m for m in ready_messages(shop, estimate=estimate, fine=fine) if m.tone == tone],
            )
            for tone, label in TONES
        ],
        "phone_script": phone_script(
            shop,
            estimate=estimate,
            fine=fine,
            language=request.LANGUAGE_CODE[:2]
            if request.LANGUAGE_CODE[:2] in ("fr", "en")
            else "fr",
        ),
        "history": selectors.shop_history(shop),
        "osm_url": osm,
        "map_search_url": "https://www.google.com/maps/search/?"
        + urllib.parse.urlencode({"api": 1, "query": query}),
        "pending_task": shop.contact_tasks.filter(
            status__in=[VolunteerContactTask.Status.OPEN, VolunteerContactTask.Status.TAKEN]
        ).first(),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "check_form": forms.get("check_form") or CheckForm(),
        "subscribe_form": forms.get("subscribe_form") or SubscribeForm(),
    }


def _post_action(request, pk, form_class, form_name, act):
    shop, moved = _shop_or_redirect(pk)
    if moved:
        return moved
    if is_limited(request, "action"):
        return _too_many(request)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            text = act(shop, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, text)
            return redirect(shop)
    context = _kit_context(request, shop, **{form_name: form})
    return render(request, "lightsoff/shop.html", context, status=400)


@require_POST
def contacted(request, pk):
    """ "I did it": log the contact, bump the count."""

    def act(shop, data):
        services.log_contact(
            shop=shop,
            channel=data["channel"],
            done_at=data["done_at"],
            actor=request.user if request.user.is_authenticated else None,
            ip=client_ip(request),
        )
        return _("Thank you! Your action is logged.")

    return _post_action(request, pk, ContactForm, "contact_form", act)


@require_POST
def check(request, pk):
    """Someone passed by at night and saw the shop lit or dark."""

    def act(shop, data):
        services.report_sighting(
            shop=shop,
            lat=shop.latitude,
            lng=shop.longitude,
            lit=data["lit"],
            seen_at=data["seen_at"],
            reporter=request.user if request.user.is_authenticated else None,
            ip=client_ip(request),
        )
        if not data["lit"] and not services.counts_as_dark_check(shop, data["seen_at"]):
            return _(
                "Thank you! Your check is recorded. A dark window proves the shop switches "
                "off only when it must be off: come back at night to count towards "
                "“switched off”."
            )
        return _("Thank you! Your check is recorded.")

    return _post_action(request, pk, CheckForm, "check_form", act)


@require_POST
def delegate(request, pk):
    """ "Do it for me": a volunteer of the reserve will contact the shop."""

    def act(shop, data):
        _task, created = services.request_volunteer_contact(shop=shop)
        if created:
            return _("Done: a volunteer of the reserve will contact this shop.")
        return _("A volunteer is already on it.")

    return _post_action(request, pk, HoneypotMixin, "delegate_form", act)


@require_POST
def subscribe(request, pk):
    def act(shop, data):
        services.subscribe(shop=shop, email=data["email"])
        return _("Check your inbox: click the link we sent to confirm.")

    return _post_action(request, pk, SubscribeForm, "subscribe_form", act)


def subscription_confirm(request, token):
    """Double opt-in: the GET shows a button, only the POST confirms (mail scanners GET)."""
    subscription = get_object_or_404(
        ReporterSubscription.objects.select_related("shop"), token=token
    )
    if request.method == "POST":
        services.confirm_subscription(token=token)
        messages.success(request, _("Confirmed: we will tell you what becomes of this shop."))
        return redirect(subscription.shop)
    return render(
        request, "lightsoff/subscription.html", {"subscription": subscription, "action": "confirm"}
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without a CSRF token.
def subscription_unsubscribe(request, token):
    subscription = get_object_or_404(
        ReporterSubscription.objects.select_related("shop"), token=token
    )
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(
            request, "lightsoff/subscription.html", {"subscription": subscription, "action": "done"}
        )
    return render(
        request,
        "lightsoff/subscription.html",
        {"subscription": subscription, "action": "unsubscribe"},
    )


def letter(request, pk):
    """The A4 letter to print and drop in the letterbox."""
    shop, moved = _shop_or_redirect(pk)
    if moved:
        return moved
    context = _kit_context(request, shop)
    context["today"] = timezone.localdate()
    return render(request, "lightsoff/letter.html", context)


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
def api_shops(request):
    """RFC 7946 GeoJSON of the shops in a bbox; clustered on the server when zoomed out."""
    if is_limited(request, "api"):
        return _too_many(request, json=True)
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


def _point_from_query(request):
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return None
    return (lat, lng) if geo.valid_lat_lng(lat, lng) else None


@require_GET
def api_nearby(request):
    """The known shops within ~50 m of a point ("is it one of these?")."""
    if is_limited(request, "api"):
        return _too_many(request, json=True)
    point = _point_from_query(request)
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
def api_reverse(request):
    """The address at a point, from the configured geocoder (empty when there is none)."""
    point = _point_from_query(request)
    if point is None:
        return _json_error(_("Give lat and lng within the valid ranges."))
    if is_limited(request, "api"):
        return _too_many(request, json=True)
    return JsonResponse({"address": geocoder.reverse(*point)})


# --- Stats and open data ----------
def stats(request):
    data = selectors.stats()
    return render(
        request,
        "lightsoff/stats.html",
        {
            "stats": data,
            "chart": _chart(data["timeline"]),
            "status_totals": [
                (value, label, data["totals"][value]) for value, label in Shop.Status.choices
            ],
            "licence_name": constants.LICENCE_NAME,
            "licence_url": constants.LICENCE_URL,
            "co2": constants.CO2_KG_PER_KWH,
        },
    )


def _chart(timeline, width=640, height=220, pad=30):
    """Three series as SVG polylines: computed here, drawn by the template (no JS)."""
    peak = max([1] + [row[k] for row in timeline for k in ("reported", "contacted", "resolved")])
    step = (width - 2 * pad) / max(len(timeline) - 1, 1)

    def points(key):
        return " ".join(
            f"{pad + i * step:.1f},{height - pad - row[key] * (height - 2 * pad) / peak:.1f}"
            for i, row in enumerate(timeline)
        )

    return {
        "width": width,
        "height": height,
        "peak": peak,
        "series": [
            ("reported", _("Reported"), points("reported")),
            ("contacted", _("Contacted"), points("contacted")),
            ("resolved", _("Resolved"), points("resolved")),
        ],
        "labels": [(pad + i * step, height - 8, row["month"]) for i, row in enumerate(timeline)],
        "pad": pad,
    }


class _Echo:
    def write(self, value):
        return value


def _licensed(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{constants.LICENCE_URL}>; rel="license"'
    response["X-Licence"] = constants.LICENCE_NAME
    return response


def _csv(rows, header, filename):
    writer = csv.writer(_Echo())
    lines = (
        writer.writerow([_csv_value(v) for v in row]) for row in rows.iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(
        (line for part in ([writer.writerow(header)], lines) for line in part),
        content_type="text/csv; charset=utf-8",
    )
    return _licensed(response, filename)


def _csv_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = "" if value is None else str(value)
    # No formula injection when the file is opened in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _geojson_stream(features, filename):
    head = (
        json.dumps(
            {
                "type": "FeatureCollection",
                "license": constants.LICENCE_NAME,
                "license_url": constants.LICENCE_URL,
            }
        )[:-1]
        + ',"features":['
    )

    def chunks():
        yield head
        first = True
        for feature in features:
            yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False, default=str)
            first = False
        yield "]}"

    return _licensed(StreamingHttpResponse(chunks(), content_type="application/geo+json"), filename)


def export_shops_csv(request):
    return _csv(selectors.export_shops(), selectors.EXPORT_SHOP_FIELDS, "lightsoff-shops.csv")


def export_shops_geojson(request):
    fields = selectors.EXPORT_SHOP_FIELDS
    features = (
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row[6]), float(row[5])]},
            "properties": {
                k: v for k, v in zip(fields, row, strict=True) if k not in ("latitude", "longitude")
            },
        }
        for row in selectors.export_shops().iterator(chunk_size=2000)
    )
    return _geojson_stream(features, "lightsoff-shops.geojson")


def export_sightings_csv(request):
    return _csv(
        selectors.export_sightings(),
        [*selectors.EXPORT_SIGHTING_FIELDS, "latitude", "longitude"],
        "lightsoff-sightings.csv",
    )


def export_sightings_geojson(request):
    fields = selectors.EXPORT_SIGHTING_FIELDS
    features = (
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row[5]), float(row[4])]},
            "properties": dict(zip(fields, row[:4], strict=True)),
        }
        for row in selectors.export_sightings().iterator(chunk_size=2000)
    )
    return _geojson_stream(features, "lightsoff-sightings.geojson")


# --- Volunteers ----------
@login_required
def tasks(request):
    """Contact tasks ("do it for me") open to the reserve's volunteers, and mine."""
    return render(
        request,
        "lightsoff/tasks.html",
        {
            "open_tasks": selectors.open_tasks()[:100],
            "my_tasks": selectors.tasks_of(request.user),
            "done_form": TaskDoneForm(),
        },
    )


@login_required
@require_POST
def task_take(request, pk):
    task = get_object_or_404(VolunteerContactTask, pk=pk)
    if services.take_task(task=task, volunteer=request.user):
        messages.success(request, _("The task is yours. Thank you!"))
    else:
        messages.warning(request, _("Another volunteer took this task first."))
    return redirect("lightsoff:tasks")


@login_required
@require_POST
def task_done(request, pk):
    task = get_object_or_404(VolunteerContactTask.objects.select_related("shop"), pk=pk)
    form = TaskDoneForm(request.POST)
    if form.is_valid() and services.complete_task(
        task=task, volunteer=request.user, channel=form.cleaned_data["channel"]
    ):
        messages.success(request, _("Logged. The people who reported this shop will be told."))
    else:
        messages.error(request, _("This task is not yours to complete."))
    return redirect("lightsoff:tasks")


@login_required
def rounds(request):
    """Plan a night round: the shops to re-check around a point."""
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        request.user.lightsoff_rounds.create(
            latitude=f"{data['latitude']:.6f}",
            longitude=f"{data['longitude']:.6f}",
            radius_m=data["radius_m"],
            planned_for=data["planned_for"],
        )
        messages.success(request, _("Round planned."))
        return redirect("lightsoff:rounds")
    planned = list(request.user.lightsoff_rounds.all()[:10])
    for planned_round in planned:
        planned_round.shops = selectors.shops_to_check(
            lat=planned_round.latitude, lng=planned_round.longitude, radius_m=planned_round.radius_m
        )
    return render(request, "lightsoff/rounds.html", {"form": form, "rounds": planned})
