from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .middleware import MFA_ENROLLED_SESSION_KEY
from .models import Profile


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


@receiver(authenticator_added, dispatch_uid="volunteers-mfa-enrolled-in-session")
def remember_enrolment_in_session(sender, request, user, authenticator, **kwargs):
    """Enrolling proved the authenticator: this session counts as opened with it."""
    if request is not None and getattr(request, "user", None) == user:
        request.session[MFA_ENROLLED_SESSION_KEY] = True
