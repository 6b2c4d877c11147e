"""Per-IP rate limits for anonymous writes, on Django's cache (Redis in production).

A fixed window per (scope, hashed IP): cheap, shared by every web process, and enough
to stop a script flooding the map. Limits are read from settings so tests can lower them.
"""

import time

from django.conf import settings
from django.core.cache import cache

from .services import hash_ip

DEFAULTS = {"report": (20, 3600), "action": (30, 3600), "api": (600, 60)}


def client_ip(request):
    """The visitor's address. Behind TRUSTED_PROXIES reverse proxies (setting, 0 by
    default), REMOTE_ADDR is the last proxy's: the visitor is then the address that the
    first proxy appended to X-Forwarded-For, counted from the right; what a client
    writes there itself, on the left, is never trusted."""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


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
