from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import Profile

SESSION_KEY = "volunteers:consent-version"
# Always open to a logged-in user, whatever they still have to do (accept a notice,
# enrol a second factor): files, language switching, the health check, the flat pages.
OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz", "/pages/", "/favicon")


class PrivacyConsentMiddleware:
    """Send a logged-in volunteer who accepted an older privacy notice to accept the new one.

    The admin, static files, log-out, the notice itself, the consent page, the data
    export and the account deletion stay reachable.
    The accepted version is remembered in the session, so the profile is read once per
    session rather than on every request.
    """

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
            *OPEN_PREFIXES,
        )
        return path.startswith(exempt)


# The session flag set when a second factor was enrolled in this session (the enrolment
# proved possession of the authenticator: no need to type a code again right after).
MFA_ENROLLED_SESSION_KEY = "volunteers:mfa-enrolled"


class SecondFactorRequiredMiddleware:
    """With REQUIRE_STAFF_MFA (on when DEBUG is off), whoever sees other people's data
    (`User.needs_second_factor`: staff, coordinators, moderators) uses a second factor on
    every page, not only in the admin: the directory and its CSV export, call-up progress,
    the lead's pages seen as a coordinator, and any page added later.

    - Not enrolled: sent to TOTP enrolment.
    - Enrolled, but this session was not opened with the second factor (a login path that
      skipped it, a session from before the enrolment): asked for a code (allauth's
      reauthentication with the second factor).

    Exempt: allauth's account pages (log-in, log-out, the enrolment itself), language
    switching, static and media files, the health check and the flat pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_STAFF_MFA and not self._exempt(request.path):
            response = self._second_factor_wall(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _second_factor_wall(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.needs_second_factor:
            return None
        next_query = "?" + urlencode({"next": request.get_full_path()})
        if not is_mfa_enabled(user):
            messages.warning(
                request, _("Coordinators must enable two-factor authentication to continue.")
            )
            return redirect(reverse("mfa_activate_totp") + next_query)
        if not session_used_second_factor(request):
            messages.info(request, _("Enter a code from your authenticator app to continue."))
            return redirect(reverse("mfa_reauthenticate") + next_query)
        return None

    def _exempt(self, path):
        accounts = reverse("account_login").removesuffix("login/")  # allauth's pages
        return path.startswith((accounts, *OPEN_PREFIXES))


def session_used_second_factor(request):
    """True when this session was authenticated (or re-authenticated) with a second
    factor through allauth, or enrolled one."""
    if request.session.get(MFA_ENROLLED_SESSION_KEY):
        return True
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)
