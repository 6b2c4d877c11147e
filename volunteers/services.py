"""Writes about volunteers that span rows: onboarding, profile edits, consent, erasure."""

import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reserve import emails

from . import privacy
from .completeness import profile_completeness
from .models import Availability, Profile, ProfileSkill, User


@transaction.atomic
def complete_onboarding(
    *,
    user,
    skills=(),
    level=ProfileSkill.Level.CONFIRMED,
    period=None,
    hours_per_week=0,
    departement="",
    remote_only=False,
    crisis_opt_in=False,
):
    """Record the onboarding answers and mark it done, in one transaction.

    Skills already on the profile keep their level; an identical period is not added
    twice, so submitting the form again (double click, back button) changes nothing.
    """
    profile = Profile.objects.select_for_update().get(user=user)
    existing = set(profile.profile_skills.values_list("skill_id", flat=True))
    ProfileSkill.objects.bulk_create(
        [
            ProfileSkill(profile=profile, skill=skill, level=level)
            for skill in skills
            if skill.pk not in existing
        ]
    )
    if period:
        start, end = period
        Availability.objects.get_or_create(
            profile=profile,
            kind=Availability.Kind.AVAILABLE,
            starts_on=start,
            ends_on=end,
            defaults={"hours_per_week": hours_per_week or 0},
        )
    if departement:
        profile.departement = departement
    profile.remote_only = remote_only
    profile.crisis_opt_in = crisis_opt_in
    if crisis_opt_in:
        profile.alert_by_email = True
    profile.onboarding_completed_at = profile.onboarding_completed_at or timezone.now()
    profile.save()
    return profile


@transaction.atomic
def update_profile(*, profile_form, skill_formset, availability_formset):
    """Save the profile and its skills and periods together (all or nothing).

    The onboarding counts as done once every step of the profile is filled in.
    """
    profile = profile_form.save()
    if (
        profile.alert_by_sms
        and profile.sms_stopped_at
        and "alert_by_sms" in profile_form.changed_data
    ):
        # Turned SMS call-ups back on after answering STOP.
        profile.sms_stopped_at = None
        profile.save(update_fields=["sms_stopped_at"])
    skill_formset.instance = profile
    skill_formset.save()
    availability_formset.instance = profile
    availability_formset.save()
    if profile.onboarding_completed_at is None and profile_completeness(profile.user).done:
        profile.onboarding_completed_at = timezone.now()
        profile.save(update_fields=["onboarding_completed_at"])
    return profile


def record_consent(*, user):
    """The volunteer accepted the current privacy notice: keep its version and the date."""
    profile = Profile.objects.get(user=user)
    profile.record_consent()
    profile.save(update_fields=["consent_version", "consented_at", "updated_at"])
    return profile


def _anonymise(user, *, status):
    """Erase the personal data of `user` and keep the row, so counts elsewhere stay right."""
    now = timezone.now()
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.profile_skills.all().delete()
    profile.availabilities.all().delete()
    for field in (
        "display_name",
        "bio",
        "departement",
        "region",
        "phone",
        "employer",
        "github_url",
        "linkedin_url",
        "portfolio_url",
    ):
        setattr(profile, field, "")
    profile.tags = []
    profile.languages = []
    profile.remote_only = profile.can_travel = False
    profile.crisis_opt_in = profile.alert_by_email = profile.alert_by_sms = False
    profile.status = status
    profile.paused_until = None
    profile.anonymised_at = now
    profile.save()

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"deleted-{user.pk}@anonymised.invalid"
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.save()


@transaction.atomic
def delete_account(*, user):
    """Delete a volunteer's account at their request, in one transaction.

    Every app first erases or anonymises what it holds (volunteers.privacy erasers);
    then the profile is emptied and the account anonymised rather than deleted, so
    that rows other people rely on (a project's history, call-up statistics) keep
    pointing to one anonymous person. Running it twice changes nothing more.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    privacy.erase_everywhere(user)
    _anonymise(user, status=Profile.Status.ARCHIVED)
    return user


def _last_activity_before(cutoff):
    """Accounts whose last login (or sign-up, if they never logged in) is before `cutoff`."""
    return Q(user__last_login__lt=cutoff) | Q(
        user__last_login__isnull=True, user__date_joined__lt=cutoff
    )


def inactive_profiles(*, now=None):
    """(to_warn, to_archive): profiles to warn a month ahead, and profiles to archive now."""
    now = now or timezone.now()
    years = settings.INACTIVE_ACCOUNT_YEARS
    archive_cutoff = now - datetime.timedelta(days=365 * years)
    warn_cutoff = archive_cutoff + datetime.timedelta(days=30)
    live = Profile.objects.filter(anonymised_at__isnull=True, user__is_active=True).exclude(
        user__is_staff=True
    )
    to_warn = live.filter(_last_activity_before(warn_cutoff), inactivity_warned_at__isnull=True)
    # Warned at least a month ago and still not back: archived.
    to_archive = live.filter(
        _last_activity_before(archive_cutoff),
        inactivity_warned_at__lte=now - datetime.timedelta(days=30),
    )
    return to_warn, to_archive


def warn_inactive_account(*, profile_id):
    """Send the "your account will be archived in a month" e-mail, at most once.

    The conditional update claims the profile before the e-mail goes out: a second
    run, or a second worker, finds nothing to claim and sends nothing.
    """
    claimed = Profile.objects.filter(pk=profile_id, inactivity_warned_at__isnull=True).update(
        inactivity_warned_at=timezone.now()
    )
    if not claimed:
        return False
    profile = Profile.objects.select_related("user").get(pk=profile_id)
    user = profile.user
    context = {
        "profile": profile,
        "login_url": settings.SITE_URL + reverse("account_login"),
        "years": settings.INACTIVE_ACCOUNT_YEARS,
    }
    try:
        emails.send(
            "volunteers/email/inactive_warning", user.email, context, language=user.language
        )
    except Exception:
        # Not warned, so not archivable in a month: the claim is given back and the next
        # daily run tries again.
        Profile.objects.filter(pk=profile_id).update(inactivity_warned_at=None)
        raise
    return True


@transaction.atomic
def archive_inactive_account(*, profile_id):
    """Archive and anonymise an inactive account (still inactive, warned a month ago).

    Checked again under a row lock, so a volunteer who logged in meanwhile is spared and
    a second run does nothing.
    """
    _to_warn, to_archive = inactive_profiles()
    profile = to_archive.select_for_update(of=("self",)).filter(pk=profile_id).first()
    if profile is None:
        return False
    user = profile.user
    privacy.erase_everywhere(user)
    _anonymise(user, status=Profile.Status.ARCHIVED)
    return True


def address_fixed(*, user):
    """The volunteer changed or confirmed their e-mail address: it is no longer known to
    bounce, and e-mail call-ups go to it again."""
    Profile.objects.filter(user=user, email_undeliverable_at__isnull=False).update(
        email_undeliverable_at=None, email_undeliverable_reason=""
    )
