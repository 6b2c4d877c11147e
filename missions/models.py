"""Crisis call-ups: a Crisis, its Mobilizations, and one Alert per volunteer called up."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from volunteers.models import Skill


class Crisis(models.Model):
    class Kind(models.TextChoices):
        COLD_WAVE = "cold_wave", _("Cold wave")
        HEAT_WAVE = "heat_wave", _("Heat wave")
        FLOOD = "flood", _("Flood")
        FIRE = "fire", _("Fire")
        SANITARY = "sanitary", _("Sanitary")
        SOCIAL = "social", _("Social")
        ENERGY = "energy", _("Energy")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        # The four levels of the French Red Cross's call-up tool; red overrides quiet
        # hours and the frequency cap.
        GREEN = "green", _("Green")
        ORANGE = "orange", _("Orange")
        DARK_ORANGE = "dark_orange", _("Dark orange")
        RED = "red", _("Red")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    regions = models.JSONField(_("regions concerned"), default=list, blank=True)
    severity = models.CharField(
        _("severity"), max_length=12, choices=Severity.choices, default=Severity.ORANGE
    )
    opened_at = models.DateTimeField(_("opened on"))
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        ordering = ["-opened_at"]

    def __str__(self):
        return self.title

    @property
    def is_urgent(self):
        return self.severity == self.Severity.RED


class Mobilization(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        FILLED = "filled", _("Filled")
        CLOSED = "closed", _("Closed")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="mobilizations")
    title = models.CharField(_("title"), max_length=160)
    ask = models.TextField(_("what is asked"))
    skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("skills wanted"))
    headcount = models.PositiveIntegerField(_("headcount"), default=5)
    # Région codes (volunteers.territories); empty with remote=True for remote work.
    regions = models.JSONField(_("on-site regions"), default=list, blank=True)
    remote = models.BooleanField(_("remote"), default=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    response_deadline = models.DateTimeField(_("response deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    current_wave = models.PositiveSmallIntegerField(_("current wave"), default=0)
    max_waves = models.PositiveSmallIntegerField(_("waves"), default=3)
    launched_at = models.DateTimeField(null=True, blank=True, editable=False)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    filled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call-up")
        verbose_name_plural = _("call-ups")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


def new_token():
    return secrets.token_urlsafe(32)


class Alert(models.Model):
    """One volunteer called up by one mobilization: the outbox row and the answer."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Response(models.TextChoices):
        NONE = "", _("No answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WAITLISTED = "waitlisted", _("Wait list")

    mobilization = models.ForeignKey(Mobilization, on_delete=models.CASCADE, related_name="alerts")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="alerts"
    )
    wave = models.PositiveSmallIntegerField(_("wave"), default=1)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.NONE, blank=True
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["mobilization", "volunteer"], name="unique_alert_per_volunteer"
            )
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["volunteer", "sent_at"]),
            models.Index(fields=["mobilization", "status"]),
            models.Index(fields=["mobilization", "response"]),
        ]

    def __str__(self):
        return f"{self.mobilization} → {self.volunteer}"
