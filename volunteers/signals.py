from allauth.account.signals import email_changed, email_confirmed
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .middleware import MFA_ENROLLED_SESSION_KEY
from .models import Profile
from .services import address_fixed


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="volunteers-create-profile")
def create_profile(sender, instance, created, raw=False, **kwargs):
    """Every account has a profile, created with it (not for fixtures being loaded)."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(user_logged_in, dispatch_uid="volunteers-back-from-inactivity")
def forget_inactivity_warning(sender, request, user, **kwargs):
    """A volunteer who logs in again is no longer on the way to being archived."""
    Profile.objects.filter(user=user, inactivity_warned_at__isnull=False).update(
        inactivity_warned_at=None
    )


@receiver(user_logged_in, dispatch_uid="volunteers-undeliverable-address")
def ask_to_fix_a_bouncing_address(sender, request, user, **kwargs):
    """Call-ups to this address bounce: the volunteer is asked to fix it when they come."""
    profile = Profile.objects.filter(user=user, email_undeliverable_at__isnull=False).first()
    if profile is not None and request is not None:
        messages.warning(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Call-ups sent to %(email)s bounce: they no longer reach you by e-mail.")
                % {"email": user.email},
                reverse("account_email"),
                _("Fix your address"),
            ),
        )


@receiver(email_changed, dispatch_uid="volunteers-email-changed")
@receiver(email_confirmed, dispatch_uid="volunteers-email-confirmed")
def forget_the_bounce(sender, request=None, **kwargs):
    """A new or re-confirmed address: e-mail call-ups go to it again."""
    user = kwargs.get("user") or getattr(kwargs.get("email_address"), "user", None)
    if user is not None:
        address_fixed(user=user)


@receiver(authenticator_added, dispatch_uid="volunteers-mfa-enrolled-in-session")
def remember_enrolment_in_session(sender, request, user, authenticator, **kwargs):
    """Enrolling proved the authenticator: this session counts as opened with it."""
    if request is not None and getattr(request, "user", None) == user:
        request.session[MFA_ENROLLED_SESSION_KEY] = True
