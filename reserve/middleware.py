"""Middleware of the project shell."""

import io

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

CHUNK = 64 * 1024
MALFORMED = _("The request is malformed.")
TOO_LARGE = _(
    "What you sent is too large: %(max).1f MB at most. If it is a photo, send a "
    "smaller one (a phone photo at its normal size is well under this)."
)


class RequestBodyLimitMiddleware:
    """Refuse a request body over MAX_REQUEST_BODY_BYTES before anything reads it.

    Django reads a body lazily, but the first `request.POST` (CsrfViewMiddleware's)
    writes every uploaded file to disk in full whatever its size, and holds the worker
    meanwhile. This middleware comes first: a declared Content-Length over the limit is
    answered 413 at once, without reading a byte; a body sent without one (chunked,
    which gunicorn hands over with no CONTENT_LENGTH and Django would then ignore) is
    read up to the limit, refused past it, and otherwise given to Django as if declared.
    The reverse proxy of the full stack has the same ceiling (client_max_body_size).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        if refusal is not None:
            return self._refuse(request, *refusal)
        return self.get_response(request)

    def _refusal(self, request):
        """None, or (status, message) for a body that must not be read."""
        limit = settings.MAX_REQUEST_BODY_BYTES
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0:
                return 400, MALFORMED
            if length > limit:
                return 413, TOO_LARGE
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = self._read_at_most(request.META["wsgi.input"], limit + 1)
            if len(body) > limit:
                return 413, TOO_LARGE
            # Django's request reads its private stream up to CONTENT_LENGTH.
            request._stream = io.BytesIO(body)
            request.META["CONTENT_LENGTH"] = str(len(body))
        return None

    @staticmethod
    def _read_at_most(stream, size):
        parts, total = [], 0
        while total < size:
            chunk = stream.read(min(CHUNK, size - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts)

    @staticmethod
    def _refuse(request, status, message):
        # Before LocaleMiddleware: the refusal finds the visitor's language itself.
        with translation.override(translation.get_language_from_request(request)):
            message = str(message) % {"max": settings.MAX_REQUEST_BODY_BYTES / 2**20}
        wants_json = "/api/" in request.path or "application/json" in request.META.get(
            "HTTP_ACCEPT", ""
        )
        if wants_json:
            response = JsonResponse({"error": message}, status=status)
        else:
            response = render(request, "error.html", {"message": message}, status=status)
        # The body was not read: the connection cannot carry another request.
        response["Connection"] = "close"
        return response
