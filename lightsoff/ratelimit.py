"""LightsOff's per-visitor limits on anonymous writes and the map API, read from the
LIGHTSOFF_RATE_LIMITS setting so that deployments and tests can change them."""

from django.conf import settings

from reserve import ratelimit

DEFAULTS = {"report": (20, 3600), "action": (30, 3600), "api": (600, 60)}


def is_limited(request, scope):
    """Count this request; True when the visitor went over its limit for `scope`."""
    limit, window = getattr(settings, "LIGHTSOFF_RATE_LIMITS", {}).get(scope, DEFAULTS[scope])
    return ratelimit.is_limited(request, f"lightsoff:{scope}", limit=limit, window=window)
