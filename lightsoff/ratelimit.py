"""LightsOff's per-visitor limits on anonymous writes and the map API, read from the
LIGHTSOFF_RATE_LIMITS setting so that deployments and tests can change them."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from reserve import ratelimit

# "answer": a shopkeeper's answers, per shop and visitor (views/outreach.py).
DEFAULTS = {"report": (20, 3600), "action": (30, 3600), "api": (600, 60), "answer": (5, 3600)}


def limited(scope, *, methods=None):
    """Decorator: the view's requests count towards the visitor's limit for `scope`
    (only those of `methods` when given), checked before anything else; over it, a 429:
    JSON for the "api" scope, the 429 page for the forms."""
    return ratelimit.rate_limited(
        f"lightsoff:{scope}",
        rate=lambda: getattr(settings, "LIGHTSOFF_RATE_LIMITS", {}).get(scope, DEFAULTS[scope]),
        refuse=_too_many_json if scope == "api" else _too_many_page,
        methods=methods,
    )


def _message():
    return _("Too many requests from your connection. Please wait a while and try again.")


def _too_many_json(request):
    return JsonResponse({"error": _message()}, status=429)


def _too_many_page(request):
    return render(request, "lightsoff/429.html", {"message": _message()}, status=429)
