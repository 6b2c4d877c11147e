"""Volunteers ("réservistes"): the account, the profile, skills and availability."""

import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .territories import DEPARTEMENT_CHOICES, REGION_CHOICES, region_for_departement
from .validators import validate_e164


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: the e-mail address is the login; there is no username."""

    email = models.EmailField(_("e-mail address"), unique=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log into the coordination admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Language of the e-mails and messages we send you."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email

    def get_full_name(self):
        profile = getattr(self, "profile", None)
        return (profile.display_name if profile else "") or self.email

    def get_short_name(self):
        return self.get_full_name()

    @property
    def is_coordinator(self):
        return self.is_superuser or self.groups.filter(name=COORDINATORS_GROUP).exists()

    @property
    def needs_second_factor(self):
        """Whoever can see other people's data: staff, superusers and members of a staff
        group (Coordinators, Moderators) or holders of a permission of their own. Read
        by the second-factor middleware when REQUIRE_STAFF_MFA is on."""
        if self.is_staff or self.is_superuser:
            return True
        # One query on every page for a logged-in volunteer: kept to a single EXISTS.
        return User.objects.filter(
            Q(groups__isnull=False) | Q(user_permissions__isnull=False), pk=self.pk
        ).exists()


COORDINATORS_GROUP = "Coordinators"


class Skill(models.Model):
    """A skill of the curated taxonomy (loaded by a data migration)."""

    class Family(models.TextChoices):
        TECH = "tech", _("Tech")
        DESIGN = "design", _("Design")
        DATA = "data", _("Data")
        PRODUCT = "product", _("Product and project")
        COMMUNICATION = "communication", _("Communication and marketing")
        ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship and partnerships")
        LEGAL = "legal", _("Legal")
        DOMAIN = "domain", _("Domain expertise")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name in English"), max_length=80, blank=True)
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["family", "name"]

    def __str__(self):
        return self.localized_name

    @property
    def localized_name(self):
        from django.utils.translation import get_language

        if (get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class ProfileQuerySet(models.QuerySet):
    def active(self):
        """Volunteers who may be called up or recommended: active, or whose pause is over."""
        pause_over = Q(status=Profile.Status.PAUSED, paused_until__lt=timezone.localdate())
        return self.filter(Q(status=Profile.Status.ACTIVE) | pause_over, user__is_active=True)

    def reachable_for_crises(self):
        """Active volunteers who opted in to call-ups and have at least one channel that
        works: e-mail chosen and not bouncing, or SMS chosen with a number."""
        return (
            self.active()
            .filter(crisis_opt_in=True)
            .filter(
                Q(alert_by_email=True, email_undeliverable_at__isnull=True)
                | Q(alert_by_sms=True, phone__gt="")
            )
        )

    def with_skills(self, skill_ids, *, match="any", min_level=1, offered_only=True):
        """Volunteers having any (or all) of the skills at `min_level` or above."""
        skill_ids = list(skill_ids)
        if not skill_ids:
            return self
        rows = ProfileSkill.objects.filter(profile=OuterRef("pk"), level__gte=min_level)
        if offered_only:
            rows = rows.filter(intent=ProfileSkill.Intent.OFFERED)
        if match == "all":
            qs = self
            for skill_id in skill_ids:
                qs = qs.filter(Exists(rows.filter(skill_id=skill_id)))
            return qs
        return self.filter(Exists(rows.filter(skill_id__in=skill_ids)))

    def in_regions(self, regions, *, include_remote=True, departements=()):
        """Volunteers located in the regions (or départements), plus remote ones if asked."""
        location = Q()
        if regions:
            location |= Q(region__in=list(regions)) | Q(can_travel=True)
        if departements:
            location |= Q(departement__in=list(departements))
        if include_remote:
            location |= Q(remote_only=True)
        return self.filter(location) if location else self

    def available_between(self, start, end):
        """Volunteers with an availability overlapping [start, end] and no unavailability in it."""
        periods = Availability.objects.filter(
            profile=OuterRef("pk"), starts_on__lte=end, ends_on__gte=start
        )
        return self.filter(Exists(periods.filter(kind=Availability.Kind.AVAILABLE))).exclude(
            Exists(periods.filter(kind=Availability.Kind.UNAVAILABLE))
        )

    def available_now(self):
        today = timezone.localdate()
        return self.available_between(today, today)


class Profile(models.Model):
    """What a volunteer can do, where and when, and how they may be called up."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ARCHIVED = "archived", _("Archived")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("account"),
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    tags = models.JSONField(_("other skills (free tags)"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    departement = models.CharField(
        _("département"), max_length=3, choices=DEPARTEMENT_CHOICES, blank=True
    )
    region = models.CharField(_("région"), max_length=2, choices=REGION_CHOICES, blank=True)
    remote_only = models.BooleanField(_("remote only"), default=False)
    can_travel = models.BooleanField(_("can travel"), default=False)

    crisis_opt_in = models.BooleanField(_("I can be called up in a crisis"), default=False)
    alert_by_email = models.BooleanField(_("alert me by e-mail"), default=True)
    alert_by_sms = models.BooleanField(_("alert me by SMS"), default=False)
    # What the channels said back (missions' receipts and replies): a hard bounce stops
    # e-mail alerts until the volunteer fixes the address; "STOP" by SMS or a spam
    # complaint turns the channel off (alert_by_sms / alert_by_email) and is dated here.
    email_undeliverable_at = models.DateTimeField(
        _("e-mail address undeliverable since"), null=True, blank=True
    )
    email_undeliverable_reason = models.CharField(
        _("why the e-mail address is undeliverable"), max_length=300, blank=True
    )
    email_complained_at = models.DateTimeField(
        _("reported a call-up as spam on"), null=True, blank=True, editable=False
    )
    sms_stopped_at = models.DateTimeField(
        _("answered STOP by SMS on"), null=True, blank=True, editable=False
    )
    phone = models.CharField(
        _("mobile phone"),
        max_length=16,
        blank=True,
        validators=[validate_e164],
        help_text=_("International format, e.g. +33612345678."),
    )
    quiet_hours_start = models.TimeField(_("quiet hours from"), default=datetime.time(22, 0))
    quiet_hours_end = models.TimeField(_("quiet hours until"), default=datetime.time(7, 0))

    employer = models.CharField(_("employer (if lent by one)"), max_length=120, blank=True)
    github_url = models.URLField(_("GitHub"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    portfolio_url = models.URLField(_("portfolio or website"), blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    onboarding_completed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("onboarding completed on")
    )
    consent_version = models.PositiveIntegerField(
        _("accepted privacy notice version"), null=True, blank=True, editable=False
    )
    consented_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("consented on")
    )
    # Set when the "your account will be archived" e-mail went out (tasks.py).
    inactivity_warned_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("warned of inactivity on")
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("anonymised on")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated on"))

    skills = models.ManyToManyField(
        Skill, through="ProfileSkill", related_name="profiles", verbose_name=_("skills")
    )

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")
        indexes = [
            models.Index(fields=["status", "crisis_opt_in", "region"]),
            models.Index(fields=["departement"]),
            # The coordinators' directory is sorted by name, a page at a time.
            models.Index(fields=["display_name", "id"], name="profile_directory_order"),
        ]

    def __str__(self):
        return self.display_name or self.user.email

    def save(self, *args, **kwargs):
        if self.departement:
            self.region = region_for_departement(self.departement) or self.region
        super().save(*args, **kwargs)

    def clean(self):
        if self.alert_by_sms and not self.phone:
            raise ValidationError({"phone": _("A mobile number is needed to receive SMS alerts.")})

    @property
    def is_paused(self):
        """Paused now: a pause whose end date has passed no longer counts."""
        return self.status == self.Status.PAUSED and (
            self.paused_until is None or self.paused_until >= timezone.localdate()
        )

    @property
    def consent_is_current(self):
        return (self.consent_version or 0) >= settings.PRIVACY_NOTICE_VERSION

    def record_consent(self, *, version=None):
        self.consent_version = version or settings.PRIVACY_NOTICE_VERSION
        self.consented_at = timezone.now()

    @property
    def email_works(self):
        """E-mail call-ups may go to this volunteer."""
        return self.alert_by_email and self.email_undeliverable_at is None

    @property
    def sms_works(self):
        """SMS call-ups may go to this volunteer (a number, and no STOP since)."""
        return bool(self.phone) and self.sms_stopped_at is None

    @property
    def is_available_now(self):
        today = timezone.localdate()
        periods = [p for p in self.availabilities.all() if p.starts_on <= today <= p.ends_on]
        return any(p.kind == Availability.Kind.AVAILABLE for p in periods) and not any(
            p.kind == Availability.Kind.UNAVAILABLE for p in periods
        )


class ProfileSkill(models.Model):
    class Level(models.IntegerChoices):
        BEGINNER = 1, _("Beginner")
        CONFIRMED = 2, _("Confirmed")
        EXPERT = 3, _("Expert")

    class Intent(models.TextChoices):
        OFFERED = "offered", _("I offer it")
        LEARNING = "learning", _("I want to learn it")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="profile_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="profile_skills")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.CONFIRMED
    )
    intent = models.CharField(
        _("offered or to learn"), max_length=10, choices=Intent.choices, default=Intent.OFFERED
    )

    class Meta:
        verbose_name = _("skill of a volunteer")
        verbose_name_plural = _("skills of volunteers")
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="unique_profile_skill")
        ]
        indexes = [models.Index(fields=["skill", "level", "intent", "profile"])]

    def __str__(self):
        return f"{self.skill} ({self.get_level_display()})"


class Availability(models.Model):
    """A dated period: available (with hours per week) or unavailable (e.g. a call-up)."""

    class Kind(models.TextChoices):
        AVAILABLE = "available", _("Available")
        UNAVAILABLE = "unavailable", _("Unavailable")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="availabilities")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.AVAILABLE)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Set when the period was written by a call-up acceptance ("missions.alert:<id>").
    source = models.CharField(max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="availability_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__lte=80), name="availability_hours_per_week_max"
            ),
        ]
        indexes = [models.Index(fields=["profile", "kind", "starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})
        if self.hours_per_week is not None and self.hours_per_week > 80:
            raise ValidationError({"hours_per_week": _("At most 80 hours per week.")})


class AuditEntry(models.Model):
    """Who did what, when, to which object: one row per coordinator or moderator action
    (launching, closing or extending a call-up; qualifying, moving or handing over a
    project; merging or hiding shops…), written by the service that acts, in its
    transaction, as Zulip's `do_*` actions write their RealmAuditLog. Shown on the
    object's admin page. Written once, never edited."""

    acting_user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, verbose_name=_("object type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    # {"field": [before, after]}, values as JSON (dates in ISO 8601, objects by name).
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
