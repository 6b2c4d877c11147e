"""Reverse geocoding through a Nominatim-compatible API, when one is configured.

GEOCODER_URL (e.g. https://nominatim.openstreetmap.org) is empty by default: then the
reporter types the address. The server calls the geocoder (not the browser), so the CSP
needs no extra origin and the reporter's IP is not sent to a third party.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def is_configured():
    return bool(getattr(settings, "GEOCODER_URL", ""))


def reverse(lat, lng):
    """{"address", "postcode", "city"} for a point, or None (not configured, down, slow,
    nothing there). Results are cached a day per ~10 m cell."""
    if not is_configured():
        return None
    lat, lng = round(float(lat), 4), round(float(lng), 4)
    key = f"lightsoff:reverse:{lat}:{lng}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    query = urllib.parse.urlencode(
        {"format": "jsonv2", "lat": lat, "lon": lng, "zoom": 18, "addressdetails": 1}
    )
    url = settings.GEOCODER_URL.rstrip("/") + "/reverse?" + query
    request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
        url,
        headers={
            "User-Agent": getattr(settings, "GEOCODER_USER_AGENT", "Reserve-LightsOff/1.0"),
            "Accept": "application/json",
            "Accept-Language": "fr",
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=getattr(settings, "GEOCODER_TIMEOUT", 3)
        ) as response:
            data = json.loads(response.read(256 * 1024).decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError, OSError) as exc:
        logger.warning("Reverse geocoding failed: %s", exc)
        return None
    result = _address(data) if isinstance(data, dict) else None
    cache.set(key, result or {}, 24 * 3600)
    return result


def _address(data):
    parts = data.get("address")
    if not isinstance(parts, dict):
        return None
    street = " ".join(
        str(p)
        for p in (parts.get("house_number"), parts.get("road") or parts.get("pedestrian"))
        if p
    )
    city = (
        parts.get("city") or parts.get("town") or parts.get("village") or parts.get("municipality")
    )
    result = {
        "address": street[:255],
        "postcode": str(parts.get("postcode") or "")[:10],
        "city": str(city or "")[:120],
    }
    return result if any(result.values()) else None
