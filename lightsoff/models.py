"""LightsOff: shops seen lit at night, the sightings, and what was done about them."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import constants


class ShopQuerySet(models.QuerySet):
    def public(self):
        """Shops the public may see: not hidden by a moderator, not merged away."""
        return self.filter(is_hidden=False, merged_into__isnull=True)

    def reported(self):
        """Public shops seen lit at least once (an imported OSM shop is only 'known')."""
        return self.public().filter(sightings_count__gt=0)

    def in_bbox(self, bbox):
        """Shops inside a `geo.BBox` (uses the latitude/longitude index)."""
        return self.filter(
            latitude__gte=bbox.south,
            latitude__lte=bbox.north,
            longitude__gte=bbox.west,
            longitude__lte=bbox.east,
        )


class Shop(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        CONTACTED = "contacted", _("Contacted")
        RESOLVED = "resolved", _("Resolved")
        RELAPSED = "relapsed", _("Relapsed")
        # Seen lit on three nights, 14 days or more after it was first contacted
        # (services/reports.py): a moderator refers it to the mairie (services/referrals.py).
        TO_REFER = "to_refer", _("To refer to the town hall")
        REFERRED = "referred", _("Referred to the town hall")

    name = models.CharField(_("name"), max_length=160)
    address = models.CharField(_("address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    # Plain decimal columns with a composite index (see DESIGN.md): no GeoDjango.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    category = models.CharField(_("category"), max_length=60, blank=True)
    osm_id = models.CharField(_("OpenStreetMap id"), max_length=32, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    sightings_count = models.PositiveIntegerField(_("sightings"), default=0)
    contacts_count = models.PositiveIntegerField(_("contacts"), default=0)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    # When the shop entered each stage (the stats chart reads these).
    contacted_at = models.DateTimeField(_("first contacted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    last_seen_lit_at = models.DateTimeField(_("last seen lit at"), null=True, blank=True)
    # From the position and postcode (lightsoff/communes.py): whose mairie acts on it.
    commune = models.ForeignKey(
        "Commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shops",
        verbose_name=_("commune"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated on"))

    objects = ShopQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        indexes = [
            models.Index(fields=["latitude", "longitude"]),
            models.Index(fields=["osm_id"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("lightsoff:shop", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Where the shop was when loaded: moving it changes two map cells (cells.py).
        instance._loaded_position = (
            instance.__dict__.get("latitude"),
            instance.__dict__.get("longitude"),
        )
        return instance


class Sighting(models.Model):
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="sightings", verbose_name=_("shop")
    )

    class LitKind(models.TextChoices):
        WINDOW = constants.LIT_WINDOW, _("Shop window or interior lights")
        SIGN = constants.LIT_SIGN, _("Illuminated sign")
        BOTH = constants.LIT_BOTH, _("Both")

    class Size(models.TextChoices):
        SMALL = constants.SIZE_SMALL, _("Small window")
        FRONT = constants.SIZE_FRONT, _("Shop front")
        LARGE = constants.SIZE_LARGE, _("Large store")

    lit = models.BooleanField(_("lights on"), default=True)
    seen_at = models.DateTimeField(_("seen at"))
    # Asked on the report form (blank for night checks and older reports): which rule
    # applies, and how much power the estimate assumes ("I don't know": blank).
    lit_kind = models.CharField(
        _("what was lit"), max_length=8, choices=LitKind.choices, blank=True
    )
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, blank=True)
    photo = models.ImageField(_("photo"), upload_to="lightsoff/%Y/%m/", blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sightings",
        verbose_name=_("reporter"),
    )
    # Hashed with the secret key, kept for abuse control only; never shown.
    ip_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("IP address fingerprint")
    )
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))

    class Meta:
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        ordering = ["-seen_at"]
        indexes = [models.Index(fields=["shop", "seen_at"])]

    def __str__(self):
        return f"{self.shop} {self.seen_at:%Y-%m-%d %H:%M}"


class ContactAction(models.Model):
    class Channel(models.TextChoices):
        REVIEW = "review", _("Review")
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        SOCIAL = "social", _("Social network")
        VISIT = "visit", _("Visit")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("shop")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    done_at = models.DateTimeField(_("done at"))
    by_volunteer = models.BooleanField(default=False, verbose_name=_("contact by a volunteer"))
    # Sent by the platform itself (a ShopMessage), on someone's request.
    by_platform = models.BooleanField(default=False, verbose_name=_("sent by Réserve"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    ip_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("IP address fingerprint")
    )
    # Hidden by a moderator (abuse): not counted, not shown.
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))

    class Meta:
        verbose_name = _("contact action")
        verbose_name_plural = _("contact actions")
        ordering = ["-done_at"]

    def __str__(self):
        return f"{self.shop} – {self.get_channel_display()}"


class VolunteerContactTask(models.Model):
    """'Do it for me': a volunteer of the reserve contacts the shop."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TAKEN = "taken", _("Taken")
        DONE = "done", _("Done")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="contact_tasks", verbose_name=_("shop")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("volunteer"),
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested on"))
    taken_at = models.DateTimeField(null=True, blank=True, verbose_name=_("taken on"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done on"))

    class Meta:
        verbose_name = _("contact task")
        verbose_name_plural = _("contact tasks")
        ordering = ["requested_at"]
        constraints = [
            # "Do it for me" twice on the same shop gives one task, not two.
            models.UniqueConstraint(
                fields=["shop"],
                condition=Q(status__in=["open", "taken"]),
                name="lightsoff_one_pending_task_per_shop",
            )
        ]

    def __str__(self):
        return f"{self.shop} ({self.get_status_display()})"


def _token():
    return secrets.token_urlsafe(32)


class ReporterSubscription(models.Model):
    """A reporter who asked to be told what becomes of a shop (double opt-in).

    Nothing is sent before `confirmed_at` is set through the link of the confirmation
    e-mail; every notification carries a one-click unsubscribe link (same token).
    """

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("shop")
    )
    email = models.EmailField(_("e-mail"))
    token = models.CharField(
        max_length=64, unique=True, default=_token, editable=False, verbose_name=_("secret link")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    # The shop status the subscriber was last told about: a notification is claimed by
    # moving this value with a conditional update, so a task run twice sends once.
    notified_status = models.CharField(
        max_length=10, blank=True, editable=False, verbose_name=_("last status told")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))

    class Meta:
        verbose_name = _("reporter subscription")
        verbose_name_plural = _("reporter subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["shop", "email"], name="lightsoff_one_subscription")
        ]

    def __str__(self):
        return f"{self.shop} ({self.pk})"

    @property
    def is_active(self):
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Round(models.Model):
    """A volunteer's night round: re-check the shops around a point."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lightsoff_rounds",
        verbose_name=_("volunteer"),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=500)
    planned_for = models.DateField(_("planned for"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-planned_for"]

    def __str__(self):
        return f"{self.planned_for} ({self.radius_m} m)"


class ShopCell(models.Model):
    """Reported shops counted per fine grid cell and status (see lightsoff/cells.py).

    The map's clusters add these up instead of scanning the shops, so a whole-France
    view costs the number of non-empty cells, not the number of shops. Derived data:
    rebuilt from the shops at any time by `cells.rebuild()`.
    """

    cx = models.IntegerField()
    cy = models.IntegerField()
    status = models.CharField(max_length=10, choices=Shop.Status.choices)
    count = models.PositiveIntegerField()
    sum_lat = models.FloatField()
    sum_lng = models.FloatField()

    class Meta:
        verbose_name = _("map cell")
        verbose_name_plural = _("map cells")
        constraints = [
            models.UniqueConstraint(fields=["cx", "cy", "status"], name="lightsoff_one_cell_row")
        ]
        indexes = [models.Index(fields=["cy", "cx"])]

    def __str__(self):
        return f"{self.cx},{self.cy} {self.status}: {self.count}"


class ShopCellLevel(models.Model):
    """ShopCell's counts on the other grids of the map (see lightsoff/cells.py): coarser
    ones summed from ShopCell, so that a country view adds up a few thousand rows, and a
    finer one counted from the shops, for streets too dense to list shop by shop."""

    zoom = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    status = models.CharField(max_length=10, choices=Shop.Status.choices)
    count = models.PositiveIntegerField()
    sum_lat = models.FloatField()
    sum_lng = models.FloatField()

    class Meta:
        verbose_name = _("map cell of a zoom level")
        verbose_name_plural = _("map cells of the zoom levels")
        constraints = [
            models.UniqueConstraint(
                fields=["zoom", "cx", "cy", "status"], name="lightsoff_one_level_cell_row"
            )
        ]
        indexes = [models.Index(fields=["zoom", "cy", "cx"], name="lightsoff_level_cell_idx")]

    def __str__(self):
        return f"z{self.zoom} {self.cx},{self.cy} {self.status}: {self.count}"


class Commune(models.Model):
    """A commune of INSEE's official geographic code (`load_communes`).

    The code is text: "06088" (Nice) and "2A004" (Ajaccio) are not numbers. The centre
    is the file's when it gives one, else the position of the mairie from the
    administration directory (`import_annuaire`); it is what `communes.commune_for`
    measures shops against (nearest centre, no polygons: DESIGN.md has no GeoDjango).
    """

    insee_code = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    departement = models.CharField(_("département"), max_length=3)
    region = models.CharField(_("region"), max_length=3, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["insee_code"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self):
        return f"{self.name} ({self.insee_code})"


class CommunePostcode(models.Model):
    """One postcode of a commune: a postcode may serve several communes, and a commune
    have several postcodes (Nice has four). A row each, so that "which communes have
    06230?" is an index look-up on SQLite and PostgreSQL alike."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postcodes")
    postcode = models.CharField(_("postcode"), max_length=5)

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        constraints = [
            # Its index (postcode first) serves the look-ups by postcode.
            models.UniqueConstraint(
                fields=["postcode", "commune"], name="lightsoff_one_commune_postcode"
            )
        ]

    def __str__(self):
        return self.postcode


class TownHall(models.Model):
    """The mairie of a commune, from the Annuaire de l'administration (`import_annuaire`).

    A coordinator may correct it in the admin; it is then marked `edited_by_hand` and
    the next import leaves it alone. The e-mail may be blank: the directory has none
    for some mairies, and a dossier for them waits for a moderator to send it.
    """

    commune = models.OneToOneField(
        Commune, on_delete=models.CASCADE, related_name="town_hall", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # The directory's id of the entry this row was imported from (blank if made by hand).
    source_id = models.CharField(_("directory id"), max_length=64, blank=True, db_index=True)
    edited_by_hand = models.BooleanField(
        _("edited by hand"),
        default=False,
        help_text=_("The directory import does not overwrite a town hall edited by hand."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("town hall")
        verbose_name_plural = _("town halls")
        ordering = ["commune"]

    def __str__(self):
        return self.name


class ShopOptOut(models.Model):
    """The shop asked the platform to stop contacting it (the opt-out link of a message,
    or "stop contacting us" on the answer page): no message is sent to it any more."""

    shop = models.OneToOneField(
        Shop, on_delete=models.CASCADE, related_name="opt_out", verbose_name=_("shop")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opted out on"))

    class Meta:
        verbose_name = _("shop opt-out")
        verbose_name_plural = _("shop opt-outs")

    def __str__(self):
        return str(self.shop)


class ShopMessage(models.Model):
    """A courteous message the platform sends to a shop on someone's behalf (see
    lightsoff/services/outreach.py): at most one request per shop per 30 days, never
    sent during the quiet hours. One row per channel; the rows are the outbox."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="messages", verbose_name=_("shop")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # An anonymous reporter: only the hashed address, as for sightings (abuse control).
    ip_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("IP address fingerprint")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    requested_at = models.DateTimeField(_("requested at"))
    send_after = models.DateTimeField(_("send after"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=128, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The messages of one request (e-mail and SMS) share it: they count as one contact.
    batch = models.UUIDField(_("request"), editable=False, db_index=True)

    class Meta:
        verbose_name = _("message to a shop")
        verbose_name_plural = _("messages to shops")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self):
        return f"{self.shop} – {self.get_channel_display()} ({self.get_status_display()})"


class ShopAnswer(models.Model):
    """What the shopkeeper answered through the signed link of a message or the letter.

    Shown on the shop page once a moderator has published it; "stop contacting us"
    takes effect at once (ShopOptOut) whatever the moderation."""

    class Kind(models.TextChoices):
        SWITCHED_OFF = "off", _("The lights are now off / a timer is installed")
        EXCEPTION = "exception", _("We have an exception from the préfet")
        ALLOWED = "allowed", _("This light is allowed (security lighting, activity going on)")
        NOT_OUR_SHOP = "not_ours", _("Not our shop / wrong place")
        STOP = "stop", _("Stop contacting us")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="answers", verbose_name=_("shop")
    )
    kind = models.CharField(_("answer"), max_length=10, choices=Kind.choices)
    effective_on = models.DateField(_("since"), null=True, blank=True)
    exception_reference = models.CharField(
        _("reference of the préfet's exception"), max_length=120, blank=True
    )
    text = models.TextField(_("message"), blank=True, max_length=2000)
    ip_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("IP address fingerprint")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received on"))
    moderated_at = models.DateTimeField(_("moderated on"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )

    class Meta:
        verbose_name = _("shop's answer")
        verbose_name_plural = _("shops' answers")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.shop} – {self.get_kind_display()}"


class FollowUp(models.Model):
    """The "is it still lit?" e-mail sent to one subscriber four weeks after the shop was
    contacted: one row per subscription, so the daily task asks each of them once."""

    subscription = models.OneToOneField(
        ReporterSubscription,
        on_delete=models.CASCADE,
        related_name="follow_up",
        verbose_name=_("subscription"),
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return str(self.subscription)


def _dossier_path(referral, filename):
    # A random name: the file's address must not be guessable from the shop or the date.
    return f"lightsoff/dossiers/{referral.shop_id}-{secrets.token_hex(8)}.pdf"


class Referral(models.Model):
    """A shop referred to the mairie of its commune: the PDF dossier and where it went
    (services/referrals.py). The dossier names no reporter."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        WAITING = "waiting", _("Waiting for a moderator (no e-mail known)")
        FAILED = "failed", _("Sending failed")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("shop")
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("commune"),
    )
    town_hall = models.ForeignKey(
        TownHall,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("town hall"),
    )
    recipient_email = models.EmailField(_("sent to"), blank=True)
    pdf = models.FileField(_("dossier (PDF)"), upload_to=_dossier_path)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral to a town hall")
        verbose_name_plural = _("referrals to town halls")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.shop} → {self.town_hall or self.commune or '?'}"


class TownHallAgent(models.Model):
    """A user of a mairie: sees the shops of their communes in /lightsoff/mairie/ and
    records what the mairie did. Added by a coordinator in the admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="town_hall_agent",
        verbose_name=_("user"),
    )
    communes = models.ManyToManyField(
        Commune, related_name="town_hall_agents", verbose_name=_("communes")
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("town-hall agent")
        verbose_name_plural = _("town-hall agents")

    def __str__(self):
        return str(self.user)


class TownHallAction(models.Model):
    """What a mairie did about a shop, recorded by one of its agents: shown on the shop's
    public page and told to its subscribers."""

    class Kind(models.TextChoices):
        FORMAL_NOTICE = "formal_notice", _("Formal notice sent")
        FINE = "fine", _("Fine issued")
        NO_ACTION = "no_action", _("No action")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="town_hall_actions", verbose_name=_("shop")
    )
    kind = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    done_on = models.DateField(_("done on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("town-hall action")
        verbose_name_plural = _("town-hall actions")
        ordering = ["-done_on", "-created_at"]
        constraints = [
            # "No action" must say why; the others may.
            models.CheckConstraint(
                condition=~Q(kind="no_action") | ~Q(reason=""),
                name="lightsoff_no_action_has_reason",
            )
        ]

    def __str__(self):
        return f"{self.shop} – {self.get_kind_display()} ({self.done_on})"


class TaskArea(models.Model):
    """Where a volunteer takes "do it for me" tasks: a centre (a commune's, from the
    name or postcode they typed) and a radius. They hear of new open tasks in it by a
    daily digest (services.send_task_digests)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lightsoff_task_area",
        verbose_name=_("volunteer"),
    )
    place = models.CharField(_("commune or postcode"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_km = models.PositiveSmallIntegerField(_("radius (km)"), default=10)
    digest = models.BooleanField(_("daily e-mail of new tasks"), default=True)
    # When the last digest was claimed: the next one tells of the tasks requested since
    # (since the area was created, before the first), and never on the same day.
    last_digest_at = models.DateTimeField(_("last digest at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))

    class Meta:
        verbose_name = _("task area")
        verbose_name_plural = _("task areas")

    def __str__(self):
        return f"{self.user} – {self.place} ({self.radius_km} km)"
