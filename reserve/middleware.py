from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffMFARequiredMiddleware:
    """Send staff without a second factor to TOTP enrolment before the admin.

    allauth offers MFA but does not force it on anyone; coordinators see personal
    data, so production (REQUIRE_STAFF_MFA, on when DEBUG is off) requires it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_STAFF_MFA and self._needs_enrolment(request):
            messages.warning(
                request, _("Coordinators must enable two-factor authentication to continue.")
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _needs_enrolment(request):
        user = getattr(request, "user", None)
        return (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and not is_mfa_enabled(user)
        )
