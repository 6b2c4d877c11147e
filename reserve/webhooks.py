"""What every provider webhook needs: a constant-time check, a replay guard, and a
decorator that states a view's policy in one line (as healthchecks' `@authorize`).

    @webhook(verify=verify_twilio_signature, scope="twilio-status")
    def twilio_status(request):
        ...

The decorated view is CSRF-exempt and takes POST only (405 otherwise). A call that
fails verification, or that was already accepted once, is answered 403 with
`{"error": "…"}` before the view runs. A call is accepted once the view has returned
without raising or answering 5xx; otherwise it is forgotten, so that the provider's
retry is processed. Providers retry the same call (same body, same signature) when
our answer is lost; processing must be idempotent anyway: the guard only spares the
work, and stops a captured call being played again within its time to live.
"""

import hashlib
import hmac
from functools import wraps

from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

# How long an accepted call is remembered. Twilio and Brevo give up retrying within a
# day; a signature without a timestamp (Twilio's) stays valid forever, so a longer
# memory only narrows the window left to a captured call.
REPLAY_TTL = 7 * 24 * 3600


def constant_time_equals(given, expected):
    """True when both are the same non-empty string, compared in constant time. None
    or "" never matches: an unset secret refuses everything."""
    if not given or not expected:
        return False
    return hmac.compare_digest(str(given).encode(), str(expected).encode())


def _key(scope, key):
    digest = hashlib.sha256(key if isinstance(key, bytes) else str(key).encode()).hexdigest()
    return f"webhook:{scope}:{digest}"


def refuse_replay(scope, key, ttl=REPLAY_TTL):
    """Remember that the call `key` (e.g. signature and body) was accepted in `scope`;
    True when it already was, within `ttl` seconds. One atomic `cache.add`: shared by
    every web process through Redis, in production."""
    return not cache.add(_key(scope, key), 1, ttl)


def forget_call(scope, key):
    """Undo `refuse_replay` (the call could not be processed: let its retry in)."""
    cache.delete(_key(scope, key))


def call_key(request):
    """What identifies one call: the signature headers, the full path and the body."""
    headers = "\n".join(
        request.headers.get(name, "")
        for name in ("X-Twilio-Signature", "Authorization", "I-Twilio-Idempotency-Token")
    )
    return headers.encode() + b"\n" + request.get_full_path().encode() + b"\n" + request.body


def refusal(message, status=403):
    return JsonResponse({"error": message}, status=status)


def webhook(*, verify, scope, key=call_key, ttl=REPLAY_TTL):
    """Decorator for a provider's webhook view: POST only, CSRF-exempt, `verify(request)`
    must be true, and a call is accepted once (see the module docstring)."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                response = refusal("POST only.", status=405)
                response["Allow"] = "POST"
                return response
            if not verify(request):
                return refusal("Verification failed.")
            call = key(request)
            if refuse_replay(scope, call, ttl):
                return refusal("Already received.")
            try:
                response = view(request, *args, **kwargs)
            except Exception:
                forget_call(scope, call)
                raise
            if response.status_code >= 500:
                forget_call(scope, call)
            return response

        return wrapper

    return decorator
