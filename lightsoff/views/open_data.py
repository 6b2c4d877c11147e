"""For the public, journalists and researchers: the figures, the chart, and the open
data exports (CSV and GeoJSON of the shops and sightings, under the licence)."""

import csv
import json

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import constants, selectors
from ..models import Shop

# What follows each figure of the stats page, in the plural its count needs.
STATUS_FIGURES = {
    Shop.Status.REPORTED: lambda n: ngettext(
        "shop reported, not contacted yet", "shops reported, not contacted yet", n
    ),
    Shop.Status.CONTACTED: lambda n: ngettext("shop contacted", "shops contacted", n),
    Shop.Status.RESOLVED: lambda n: ngettext("shop resolved", "shops resolved", n),
    Shop.Status.RELAPSED: lambda n: ngettext("shop relapsed", "shops relapsed", n),
    Shop.Status.TO_REFER: lambda n: ngettext(
        "shop to refer to its town hall", "shops to refer to their town halls", n
    ),
    Shop.Status.REFERRED: lambda n: ngettext(
        "shop referred to its town hall", "shops referred to their town halls", n
    ),
}


def stats(request):
    data = selectors.stats()
    return render(
        request,
        "lightsoff/stats.html",
        {
            "stats": data,
            "chart": _chart(data["timeline"]),
            "status_totals": [
                (value, STATUS_FIGURES[value](n), n)
                for value, n in ((value, data["totals"][value]) for value in Shop.Status.values)
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
