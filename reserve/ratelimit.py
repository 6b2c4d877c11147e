"""Per-client rate limits on Django's cache (Redis in production), shared by the apps.

The count is a sliding window estimated from two fixed windows (the current one, and
the previous one weighted by how much of it still overlaps): as cheap as a fixed
window, but a client cannot double its allowance across a window's edge.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache


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


def _key(scope, ident, bucket):
    digest = hmac.new(settings.SECRET_KEY.encode(), ident.encode(), hashlib.sha256).hexdigest()
    return f"rl:{scope}:{digest[:32]}:{bucket}"


def _count(key, window):
    if cache.add(key, 1, window * 2):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window * 2)
        return 1


def over_limit(scope, ident, *, limit, window, count=True):
    """True when `ident` (an address, an e-mail…) went over `limit` hits in the last
    `window` seconds for `scope`. Counts this hit unless count=False."""
    now = time.time()
    bucket = int(now // window)
    previous = cache.get(_key(scope, ident, bucket - 1)) or 0
    if count:
        current = _count(_key(scope, ident, bucket), window)
    else:
        current = (cache.get(_key(scope, ident, bucket)) or 0) + 1
    overlap = 1 - (now % window) / window
    return previous * overlap + current > limit
