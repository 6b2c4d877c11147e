"""Per-IP rate limits for anonymous writes, on Django's cache (Redis in production).

A fixed window per (scope, hashed IP): cheap, shared by every web process, and enough
to stop a script flooding the map. Limits are read from settings so tests can lower them.
"""

import time

from django.conf import settings
from django.core.cache import cache

from reserve.ratelimit import client_ip

from .services import hash_ip

__all__ = ["client_ip", "is_limited"]

DEFAULTS = {"report": (20, 3600), "action": (30, 3600), "api": (600, 60)}


def is_limited(request, scope):
    """Count this request; True when the IP went over its limit for `scope`."""
    limit, window = getattr(settings, "LIGHTSOFF_RATE_LIMITS", {}).get(scope, DEFAULTS[scope])
    bucket = int(time.time() // window)
    key = f"lightsoff:rl:{scope}:{hash_ip(client_ip(request))[:32]}:{bucket}"
    if cache.add(key, 1, window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
    return count > limit
