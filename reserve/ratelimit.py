"""Per-visitor rate limits on Django's cache (Redis in production), shared by the apps.

A fixed window per (scope, keyed hash of the visitor's address): one or two cache calls,
shared by every web process, enough to stop a script flooding a form or an API. Views
state their limit with the `rate_limited` decorator (each app wraps it with its own
settings and refusal, as `lightsoff.ratelimit.limited`). allauth has its own limits
(log-in, sign-up, e-mails); `volunteers.adapters` makes them count the same visitor as
these.
"""

import hashlib
import hmac
import time
from functools import wraps

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


def is_limited(request, scope, *, limit, window):
    """Count this request; True when its visitor went over `limit` requests in the
    current `window` seconds for `scope`."""
    address = client_ip(request)
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    key = f"rl:{scope}:{digest.hexdigest()[:32]}:{int(time.time() // window)}"
    if cache.add(key, 1, window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


def rate_limited(scope, *, rate, refuse, methods=None):
    """Decorator: count each request before the view reads anything of it, so that
    invalid requests count like valid ones; over the limit, answer `refuse(request)`
    instead of calling the view.

    `rate` is `(limit, window)`, or a function returning it, called at each request (so
    that a setting can change it). With `methods`, only requests of those methods are
    counted (the POSTs of a form); the others go straight to the view.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if methods is None or request.method in methods:
                limit, window = rate() if callable(rate) else rate
                if is_limited(request, scope, limit=limit, window=window):
                    return refuse(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
