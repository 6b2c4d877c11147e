from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import Profile

SESSION_KEY = "volunteers:consent-version"


class PrivacyConsentMiddleware:
    """Send a logged-in volunteer who accepted an older privacy notice to accept the new one.

    The admin, static files, log-out, the notice itself, the consent page, the data
    export and the account deletion stay reachable.
    The accepted version is remembered in the session, so the profile is read once per
    session rather than on every request.
    """

    EXEMPT_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz", "/pages/", "/favicon")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._needs_consent(request):
            url = reverse("volunteers:consent")
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)

    def _needs_consent(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        current = settings.PRIVACY_NOTICE_VERSION
        if request.session.get(SESSION_KEY) == current:
            return False
        if self._exempt(request.path):
            return False
        accepted = (
            Profile.objects.filter(user=user).values_list("consent_version", flat=True).first()
        )
        if (accepted or 0) >= current:
            request.session[SESSION_KEY] = current
            return False
        return True

    def _exempt(self, path):
        exempt = (
            reverse("admin:index"),
            reverse("volunteers:consent"),
            reverse("account_logout"),
            # Refusing the new notice must leave a way out: take one's data, or leave.
            reverse("volunteers:export"),
            reverse("volunteers:delete"),
            *self.EXEMPT_PREFIXES,
        )
        return path.startswith(exempt)
