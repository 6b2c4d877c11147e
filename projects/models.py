"""The project backlog ("défis"), the roles they need, and who works on them."""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from volunteers.models import Skill


class Partner(models.Model):
    class Kind(models.TextChoices):
        PUBLIC_BODY = "public", _("Public body")
        COMPANY = "company", _("Company")
        ASSOCIATION = "association", _("Association")

    name = models.CharField(_("name"), max_length=160, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.name


# Paths of projects/urls.py that a project's slug must never shadow.
RESERVED_SLUGS = {"propose", "mine", "feed", "searches", "memberships", "applications"}


class ProjectQuerySet(models.QuerySet):
    def visible(self):
        """Projects shown in the public backlog (ideas being qualified are shown too)."""
        return self.exclude(status=Project.Status.ARCHIVED)

    def recruiting(self):
        """Projects a volunteer can join now (open, or in progress with open roles): the
        only ones recommended. Delivered, handed-over and archived ones are history."""
        return self.filter(status__in=(Project.Status.OPEN, Project.Status.IN_PROGRESS))

    def newly_opened(self):
        """Projects opened to volunteers, the most recently opened first (the feed)."""
        return self.filter(status=Project.Status.OPEN, opened_at__isnull=False).order_by(
            "-opened_at"
        )

    def counts_by_status(self):
        """{status: count} for every status, zeros included, in one query."""
        rows = dict(self.values_list("status").annotate(n=models.Count("pk")).order_by())
        return {status: rows.get(status, 0) for status in Project.Status.values}


class Project(models.Model):
    class Theme(models.TextChoices):
        ENERGY_CLIMATE = "energy_climate", _("Energy and climate")
        ENERGY_POVERTY = "energy_poverty", _("Energy poverty")
        HEALTH = "health", _("Health")
        EMPLOYMENT = "employment", _("Employment")
        HOUSING = "housing", _("Housing")
        MOBILITY = "mobility", _("Mobility")
        FOOD = "food", _("Agriculture and food")
        ENVIRONMENT = "environment", _("Environment")
        SOLIDARITY = "solidarity", _("Social and solidarity")
        DEMOCRACY = "democracy", _("Democracy and public services")
        OTHER = "other", _("Other")

    class Origin(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer idea")
        PUBLIC_BODY = "public", _("Public body")
        ASSOCIATION = "association", _("Association")
        COMPANY = "company", _("Company")

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        QUALIFYING = "qualifying", _("Being qualified")
        OPEN = "open", _("Open for volunteers")
        IN_PROGRESS = "in_progress", _("In progress")
        DELIVERED = "delivered", _("Delivered")
        HANDED_OVER = "handed_over", _("Handed over")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=140)
    slug = models.SlugField(_("slug"), max_length=160, unique=True, editable=False)
    pitch = models.CharField(_("one-line pitch"), max_length=200)
    problem = models.TextField(_("the problem"), max_length=5000)
    beneficiaries = models.TextField(_("who it helps"), max_length=2000, blank=True)
    one_month_deliverable = models.TextField(
        _("what one month could deliver"), max_length=2000, blank=True
    )
    help_needed = models.TextField(_("what help is needed"), max_length=2000, blank=True)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.VOLUNTEER
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IDEA, db_index=True
    )
    expected_weeks = models.PositiveSmallIntegerField(_("expected duration (weeks)"), default=4)
    remote = models.BooleanField(_("remote"), default=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    repository_url = models.URLField(_("repository"), blank=True)
    prototype_url = models.URLField(_("prototype"), blank=True)
    docs_url = models.URLField(_("documentation"), blank=True)
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="projects", verbose_name=_("partners")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead"),
    )
    handed_over_to = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_projects",
        verbose_name=_("handed over to"),
    )
    opened_at = models.DateTimeField(_("opened to volunteers on"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over on"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_projects",
        verbose_name=_("proposed by"),
    )
    # Set when the coordinators were told about a proposed idea (the e-mail is sent once).
    coordinators_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("coordinators notified on")
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated on"))

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "theme", "-created_at"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The slug is set once from the title and never changes: shared links stay valid.
        if self.slug:
            return super().save(*args, **kwargs)
        for _attempt in range(5):
            self.slug = self._unique_slug()
            try:
                # Two projects of the same title created at once: the unique index
                # refuses the second, which takes the next free slug.
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if not Project.objects.filter(slug=self.slug).exists():
                    raise  # another constraint: not ours to retry
        raise IntegrityError(f"No free slug for {self.title!r}")

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    def is_managed_by(self, user, *, is_coordinator=None):
        """The lead, members with the lead role and coordinators manage the project."""
        if not user.is_authenticated:
            return False
        if self.lead_id == user.pk:
            return True
        if is_coordinator if is_coordinator is not None else user.is_coordinator:
            return True
        return self.memberships.filter(
            volunteer=user, role=Membership.Role.LEAD, left_at__isnull=True
        ).exists()

    def _unique_slug(self):
        base = slugify(self.title)[:140] or "projet"
        slug, n = base, 2
        while slug in RESERVED_SLUGS or Project.objects.filter(slug=slug).exists():
            slug = f"{base}-{n}"
            n += 1
        return slug


class Qualification(models.Model):
    """What coordinators established with the public servants concerned."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        # With a context: Django's admin has its own "Go" (the actions button, "Envoyer").
        GO = "go", pgettext_lazy("qualification decision", "Go")
        NO_GO = "no_go", pgettext_lazy("qualification decision", "No go")

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="qualification", verbose_name=_("project")
    )
    blind_spot = models.TextField(_("blind spot of public action addressed"), blank=True)
    urgent_need = models.TextField(_("urgent need"), blank=True)
    one_month_deliverable = models.TextField(_("one-month deliverable"), blank=True)
    data_security_notes = models.TextField(_("data security and public-service notes"), blank=True)
    public_servant_contact = models.CharField(
        _("public servant contact"), max_length=200, blank=True
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self):
        return str(self.project)


class Need(models.Model):
    """A role a project needs filled."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="needs", verbose_name=_("project")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="needs", verbose_name=_("skill")
    )
    title = models.CharField(_("role"), max_length=120, blank=True)
    headcount = models.PositiveSmallIntegerField(_("how many"), default=1)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), default=8)
    weeks = models.PositiveSmallIntegerField(_("for how many weeks"), default=4)
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["skill", "is_open"])]

    def __str__(self):
        return self.title or str(self.skill)


class Application(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class DeclineReason(models.TextChoices):
        PROFILE = "profile", _("Profile does not fit")
        FILLED = "filled", _("Need already filled")
        PAUSED = "paused", _("Project paused")
        OTHER = "other", _("Other")

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="applications", verbose_name=_("need")
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("volunteer"),
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decline_reason = models.CharField(
        _("reason"), max_length=10, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.CharField(_("note to the applicant"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # The lead is told of a new application once (claimed before the e-mail is sent).
    managers_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("managers notified on")
    )
    # The applicant is told of the decision once (claimed before the e-mail is sent).
    applicant_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("applicant notified on")
    )
    # How many reminders the lead got about this pending application (after 2, then 7 days).
    lead_reminders_sent = models.PositiveSmallIntegerField(
        default=0, editable=False, verbose_name=_("reminders sent to the lead")
    )
    created_at = models.DateTimeField(_("applied on"), auto_now_add=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "volunteer"], name="unique_application_per_need"
            )
        ]

    def __str__(self):
        return f"{self.volunteer} → {self.need}"


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="memberships",
        verbose_name=_("volunteer"),
    )
    need = models.ForeignKey(
        Need, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("need")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    expected_end = models.DateField(_("expected end"), null=True, blank=True)
    # Set when the member was asked whether they go on (a week before expected_end).
    continuation_asked_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("asked to continue on")
    )
    joined_at = models.DateTimeField(_("joined on"), auto_now_add=True)
    left_at = models.DateTimeField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "volunteer"],
                condition=models.Q(left_at__isnull=True),
                name="unique_active_membership",
            )
        ]

    def __str__(self):
        return f"{self.volunteer} @ {self.project}"


class TeamMessage(models.Model):
    """A message from a lead to the current team, relayed by e-mail: members' addresses
    stay with the coordinators, the members answer the lead by replying."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team_messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=120)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed (set) before the e-mails go: a second run of the task sends nothing.
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("message to the team")
        verbose_name_plural = _("messages to the team")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class Update(models.Model):
    """A short dated news post on the project page, written by a member."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="updates", verbose_name=_("project")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_updates",
        verbose_name=_("author"),
    )
    body = models.TextField(_("news"), max_length=2000)
    created_at = models.DateTimeField(_("posted on"), auto_now_add=True)

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.project}: {self.body[:40]}"


class SavedSearch(models.Model):
    """Backlog filters a volunteer saved, with a digest of newly opened matching projects."""

    class Frequency(models.TextChoices):
        NEVER = "never", _("Never")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    frequency = models.CharField(
        _("e-mail digest"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    # Projects opened after this instant are in the next digest.
    last_sent_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("last sent on")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created on"))

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["frequency", "last_sent_at"])]

    def __str__(self):
        return self.name
