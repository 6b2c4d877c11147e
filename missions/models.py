"""Crisis call-ups: a Crisis, its Mobilizations, and one Alert per volunteer called up."""

import datetime
import re
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from volunteers.models import Skill
from volunteers.territories import DEPARTEMENT_NAMES, REGION_NAMES


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


# Three waves are all there is: the skills in the regions, every region, related skills.
MAX_WAVES = 3


class Mobilization(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        FILLED = "filled", _("Filled")
        CLOSED = "closed", _("Closed")

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="mobilizations", verbose_name=_("crisis")
    )
    title = models.CharField(_("title"), max_length=160)
    ask = models.TextField(_("what is asked"))
    skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("skills wanted"))
    headcount = models.PositiveIntegerField(
        _("headcount"), default=5, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    # Région and département codes (volunteers.territories), in two lists since the
    # codes overlap ("11" is Île-de-France and Aude); both empty with remote=True for
    # remote work.
    regions = models.JSONField(_("on-site regions"), default=list, blank=True)
    departements = models.JSONField(_("on-site départements"), default=list, blank=True)
    remote = models.BooleanField(_("remote"), default=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    response_deadline = models.DateTimeField(_("response deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    current_wave = models.PositiveSmallIntegerField(_("current wave"), default=0)
    max_waves = models.PositiveSmallIntegerField(
        _("waves"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WAVES)],
        help_text=_(
            "Wave 1 targets the skills in the regions; wave 2 widens to every region; "
            "wave 3 also takes related skills (same family)."
        ),
    )
    wave_hours = models.PositiveSmallIntegerField(
        _("hours before the next wave"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("If the call-up is not filled this long after a wave, the next one goes out."),
    )
    wave_started_at = models.DateTimeField(
        _("current wave sent on"), null=True, blank=True, editable=False
    )
    launched_at = models.DateTimeField(_("launched on"), null=True, blank=True, editable=False)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("launched by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    filled_at = models.DateTimeField(_("filled on"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True, editable=False)
    # When the launcher was last told of failed deliveries (see Alert.failure_reported_at).
    failures_reported_at = models.DateTimeField(
        _("failures reported on"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("call-up")
        verbose_name_plural = _("call-ups")
        ordering = ["-created_at"]
        permissions = [("launch_mobilization", _("Can launch, close and extend call-ups"))]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status == self.Status.LAUNCHED

    @property
    def place(self):
        """Where, in words: "Remote", "On site: Bretagne", "Remote or on site: …"."""
        regions = ", ".join(
            [REGION_NAMES.get(code, code) for code in self.regions]
            + [DEPARTEMENT_NAMES.get(code, code) for code in self.departements]
        )
        if self.remote and regions:
            return _("Remote or on site: %(regions)s") % {"regions": regions}
        if self.remote:
            return _("Remote")
        if regions:
            return _("On site: %(regions)s") % {"regions": regions}
        return _("On site")

    @property
    def next_wave_at(self):
        if not self.wave_started_at or self.current_wave >= self.max_waves:
            return None
        return self.wave_started_at + datetime.timedelta(hours=self.wave_hours)


def new_token():
    return secrets.token_urlsafe(32)


TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
REFERENCE_RE = re.compile(r"a(?P<alert>[0-9]{1,18})-(?P<channel>email|sms)")


class Alert(models.Model):
    """One volunteer called up by one mobilization: the outbox row and the answer."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        # At the red level, a volunteer who gave both is alerted on both.
        BOTH = "both", _("E-mail and SMS")

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

    mobilization = models.ForeignKey(
        Mobilization, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("call-up")
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="alerts",
        verbose_name=_("volunteer"),
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
    # Not claimed before this time: quiet hours of the volunteer, or retry backoff.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed on"), null=True, blank=True)
    # Who holds the claim: a sender only touches the rows of its own claim.
    claim_token = models.CharField(_("claim"), max_length=32, blank=True, editable=False)
    # Written just before the message is handed to the mail server or SMS provider:
    # a row left "sending" with this set may have been delivered (see services).
    handed_over_at = models.DateTimeField(
        _("handed over on"), null=True, blank=True, editable=False
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    token = models.CharField(
        _("secret link"), max_length=64, unique=True, default=new_token, editable=False
    )
    # Set when the launcher was told of this failure: each failed alert is reported once,
    # whichever wave it belongs to.
    failure_reported_at = models.DateTimeField(
        _("failure reported on"), null=True, blank=True, editable=False
    )
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.NONE, blank=True
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

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

    @staticmethod
    def token_looks_valid(token):
        """Tokens are URL-safe base64 (new_token); anything else is not looked up."""
        return bool(TOKEN_RE.fullmatch(token or ""))

    @property
    def availability_source(self):
        return f"missions.alert:{self.pk}"

    @property
    def channels(self):
        """The channels this alert goes out on (e-mail first when both)."""
        if self.channel == self.Channel.BOTH:
            return [self.Channel.EMAIL, self.Channel.SMS]
        return [self.channel]


class Delivery(models.Model):
    """One message of an alert on one channel, once the mail server or SMS provider took
    it, and what the provider later said of it (delivery receipts, bounces, complaints).

    Its `reference` ("a<alert id>-<channel>") is known before the hand-over, travels with
    the message (anymail metadata, the SMS provider's tag or callback URL) and comes back
    with every receipt, so a receipt finds its row even when it arrives first (out of
    order) or when the sender died before writing the provider's id."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Handed over")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Undelivered")
        BOUNCED = "bounced", _("Bounced")
        REJECTED = "rejected", _("Rejected")
        COMPLAINED = "complained", _("Reported as spam")

    FAILURES = (Status.UNDELIVERED, Status.BOUNCED, Status.REJECTED)

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("alert")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Alert.Channel.choices)
    provider_id = models.CharField(_("provider's id"), max_length=200, blank=True, db_index=True)
    # SMS only: the parts the network counts (cost = segments × SMS_PRICE_PER_SEGMENT).
    segments = models.PositiveSmallIntegerField(_("SMS segments"), default=0)
    status = models.CharField(
        _("delivery"), max_length=12, choices=Status.choices, default=Status.ACCEPTED
    )
    reason = models.CharField(_("provider's reason"), max_length=500, blank=True)
    # When the provider says the status happened: an older receipt never overwrites a
    # newer one.
    status_at = models.DateTimeField(_("status at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel"], name="one_delivery_per_channel")
        ]

    def __str__(self):
        return f"{self.reference} {self.status}"

    @property
    def reference(self):
        return self.reference_for(self.alert_id, self.channel)

    @staticmethod
    def reference_for(alert_id, channel):
        return f"a{alert_id}-{channel}"

    @staticmethod
    def parse_reference(reference):
        """(alert id, channel) of a reference we wrote, or None."""
        found = REFERENCE_RE.fullmatch(reference or "")
        return (int(found["alert"]), found["channel"]) if found else None


class FollowUp(models.Model):
    """A message sent after the call-up: to those who accepted, or "no longer needed"."""

    class Audience(models.TextChoices):
        ACCEPTED = "accepted", _("Those who accepted")
        NO_ANSWER = "no_answer", _("Those who have not answered")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    mobilization = models.ForeignKey(
        Mobilization,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("call-up"),
    )
    audience = models.CharField(_("to"), max_length=10, choices=Audience.choices)
    subject = models.CharField(_("subject"), max_length=160)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    # Why sending stopped (the mail server's error); `recipients` then says how many got it.
    last_error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up message")
        verbose_name_plural = _("follow-up messages")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class CalendarFeed(models.Model):
    """The private address of a volunteer's iCalendar feed of accepted call-ups."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="callup_calendar",
        verbose_name=_("volunteer"),
    )
    token = models.CharField(
        _("secret link"), max_length=64, unique=True, default=new_token, editable=False
    )

    class Meta:
        verbose_name = _("call-up calendar")
        verbose_name_plural = _("call-up calendars")

    def __str__(self):
        return str(self.user)
