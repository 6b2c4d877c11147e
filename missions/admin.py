"""The coordinators' side of call-ups: prepare, preview, launch, follow, close, extend."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reserve.admin import ModelAdmin, TabularInline
from volunteers.admin import AuditHistoryMixin
from volunteers.forms import RegionsField

from . import selectors, services
from .forms import ExtendForm, FollowUpForm
from .models import Alert, Crisis, FollowUp, Mobilization

LAUNCH_PERMISSION = "missions.launch_mobilization"


class MobilizationInline(TabularInline):
    model = Mobilization
    """The crisis's call-ups at a glance; each is prepared and changed on its own page
    (which locks the targeting once launched)."""

    fields = ["title", "status", "headcount", "starts_at", "response_deadline"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class RegionsByNameMixin:
    """`regions` is a list of INSEE codes: coordinators tick régions by name."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "regions":
            return RegionsField(label=db_field.verbose_name, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Crisis)
class CrisisAdmin(RegionsByNameMixin, ModelAdmin):
    list_display = ["title", "kind", "severity", "opened_at", "closed_at"]
    list_filter = ["kind", "severity"]
    search_fields = ["title"]
    date_hierarchy = "opened_at"
    inlines = [MobilizationInline]


@admin.register(Mobilization)
class MobilizationAdmin(AuditHistoryMixin, RegionsByNameMixin, ModelAdmin):
    list_display = [
        "title",
        "crisis",
        "status",
        "headcount",
        "current_wave",
        "starts_at",
        "response_deadline",
        "progress_link",
    ]
    list_filter = ["status", "crisis__severity", "crisis"]
    list_select_related = ["crisis"]
    search_fields = ["title", "ask", "crisis__title"]
    autocomplete_fields = ["skills"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "status",
        "current_wave",
        "launched_at",
        "launched_by",
        "filled_at",
        "closed_at",
        "targeting_preview",
    ]
    # Once launched, the targeting is what volunteers were told: it changes through
    # "extend" (deadline, headcount) or "close", never by editing the form.
    LOCKED_WHEN_LAUNCHED = [
        "crisis",
        "skills",
        "headcount",
        "regions",
        "remote",
        "starts_at",
        "ends_at",
        "response_deadline",
        "max_waves",
        "wave_hours",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != Mobilization.Status.DRAFT:
            fields += self.LOCKED_WHEN_LAUNCHED
        return fields

    fieldsets = [
        (None, {"fields": ["crisis", "title", "ask", "skills", "headcount"]}),
        (gettext_lazy("Where and when"), {"fields": ["regions", "remote", "starts_at", "ends_at"]}),
        (
            gettext_lazy("Waves"),
            {"fields": ["response_deadline", "max_waves", "wave_hours", "targeting_preview"]},
        ),
        (
            gettext_lazy("Status"),
            {
                "fields": [
                    "status",
                    "current_wave",
                    "launched_at",
                    "launched_by",
                    "filled_at",
                    "closed_at",
                ]
            },
        ),
    ]
    actions = ["close_selected"]
    change_form_template = "admin/missions/mobilization/change_form.html"

    @admin.display(description=gettext_lazy("progress"))
    def progress_link(self, obj):
        if obj.status == Mobilization.Status.DRAFT:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:missions_mobilization_progress", args=[obj.pk]),
            _("Follow"),
        )

    @admin.display(description=gettext_lazy("targeting preview"))
    def targeting_preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the call-up to see whom it would reach.")
        waves = selectors.targeting_preview(obj)
        if not waves:
            return _("Every wave has gone out.")
        return format_html_join(
            "",
            "<p><strong>{}</strong></p><ol class='targeting-funnel'>{}</ol>",
            (
                (
                    _("Wave %(wave)s: %(count)s new volunteers")
                    % {"wave": wave["wave"], "count": wave["new"]},
                    format_html_join(
                        "",
                        "<li>{} <strong>{}</strong></li>",
                        ((s.label, s.count) for s in wave["funnel"]),
                    ),
                )
                for wave in waves
            ),
        )

    def has_launch_permission(self, request):
        return request.user.has_perm(LAUNCH_PERMISSION)

    @admin.action(description=gettext_lazy("Close the selected call-ups"), permissions=["launch"])
    def close_selected(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/missions/mobilization/close_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Close call-ups"),
                    "mobilizations": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        closed = sum(services.close_mobilization(m, by=request.user) for m in queryset)
        self.message_user(request, _("%(count)s call-ups closed.") % {"count": closed})
        return None

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/launch/", wrap(self.launch_view), name="missions_mobilization_launch"),
            path(
                "<int:pk>/progress/",
                wrap(self.progress_view),
                name="missions_mobilization_progress",
            ),
            path(
                "<int:pk>/progress.json",
                wrap(self.progress_json),
                name="missions_mobilization_progress_json",
            ),
            path("<int:pk>/close/", wrap(self.close_view), name="missions_mobilization_close"),
            path("<int:pk>/extend/", wrap(self.extend_view), name="missions_mobilization_extend"),
            path(
                "<int:pk>/follow-up/",
                wrap(self.follow_up_view),
                name="missions_mobilization_follow_up",
            ),
            path(
                "responsiveness/",
                wrap(self.responsiveness_view),
                name="missions_mobilization_responsiveness",
            ),
            *super().get_urls(),
        ]

    # --- Views ----------------------------------------------------------------------
    def _get(self, request, pk, *, launch=False):
        if not self.has_view_permission(request) or (
            launch and not self.has_launch_permission(request)
        ):
            raise PermissionDenied
        return get_object_or_404(Mobilization.objects.select_related("crisis"), pk=pk)

    def _context(self, request, mobilization, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": mobilization,
            "mobilization": mobilization,
            "can_launch": self.has_launch_permission(request),
            **extra,
        }

    def launch_view(self, request, pk):
        """The confirmation step: the preview per wave, then a POST launches wave 1."""
        mobilization = self._get(request, pk, launch=True)
        if request.method == "POST":
            try:
                result = services.launch_mobilization(mobilization, by=request.user)
            except services.MobilizationNotDraft:
                self.message_user(
                    request, _("This call-up was already launched."), messages.WARNING
                )
            else:
                if result.queued is False:
                    self.message_user(
                        request,
                        _(
                            "Call-up launched: %(count)s alerts are saved, but the sending "
                            "queue is unreachable. Sending will start by itself when the queue "
                            "is back; nothing is lost."
                        )
                        % {"count": result.alerts},
                        messages.WARNING,
                    )
                else:
                    self.message_user(
                        request,
                        _("Call-up launched: %(count)s volunteers are being alerted.")
                        % {"count": result.alerts},
                        messages.SUCCESS,
                    )
            return redirect("admin:missions_mobilization_progress", pk=mobilization.pk)
        if mobilization.status != Mobilization.Status.DRAFT:
            return redirect("admin:missions_mobilization_progress", pk=mobilization.pk)
        return TemplateResponse(
            request,
            "admin/missions/mobilization/launch_confirm.html",
            self._context(
                request,
                mobilization,
                title=_("Launch “%(title)s”?") % {"title": mobilization.title},
                waves=selectors.targeting_preview(mobilization),
            ),
        )

    def progress_view(self, request, pk):
        mobilization = self._get(request, pk)
        progress = selectors.mobilization_progress(mobilization)
        return TemplateResponse(
            request,
            "admin/missions/mobilization/progress.html",
            self._context(
                request,
                mobilization,
                title=_("Progress of “%(title)s”") % {"title": mobilization.title},
                progress=progress,
                progress_json=progress.as_json(mobilization),
                failures=selectors.failed_alerts(mobilization)[:200],
                answers=selectors.answered_alerts(mobilization)[:500],
                follow_ups=mobilization.follow_ups.all()[:20],
                extend_form=ExtendForm(
                    initial={
                        "response_deadline": mobilization.response_deadline,
                        "headcount": mobilization.headcount,
                    }
                ),
                follow_up_form=FollowUpForm(),
            ),
        )

    def progress_json(self, request, pk):
        mobilization = self._get(request, pk)
        return JsonResponse(selectors.mobilization_progress(mobilization).as_json(mobilization))

    def close_view(self, request, pk):
        mobilization = self._get(request, pk, launch=True)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if services.close_mobilization(mobilization, by=request.user):
            self.message_user(request, _("Call-up closed."), messages.SUCCESS)
        return redirect("admin:missions_mobilization_progress", pk=pk)

    def extend_view(self, request, pk):
        mobilization = self._get(request, pk, launch=True)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = ExtendForm(request.POST)
        if form.is_valid():
            services.extend_mobilization(mobilization, by=request.user, **form.cleaned_data)
            self.message_user(request, _("Call-up extended."), messages.SUCCESS)
        else:
            errors = "; ".join(str(e) for field in form.errors.values() for e in field)
            self.message_user(
                request, _("Not extended: %(errors)s") % {"errors": errors}, messages.ERROR
            )
        return redirect("admin:missions_mobilization_progress", pk=pk)

    def follow_up_view(self, request, pk):
        mobilization = self._get(request, pk, launch=True)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = FollowUpForm(request.POST)
        if form.is_valid():
            services.send_follow_up(mobilization=mobilization, by=request.user, **form.cleaned_data)
            self.message_user(request, _("Message sent to those who accepted."), messages.SUCCESS)
        else:
            self.message_user(request, _("Write a subject and a message."), messages.ERROR)
        return redirect("admin:missions_mobilization_progress", pk=pk)

    def responsiveness_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/missions/mobilization/responsiveness.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("How volunteers answer call-ups"),
                "rows": selectors.volunteer_responsiveness()[:500],
            },
        )


@admin.register(Alert)
class AlertAdmin(ModelAdmin):
    list_display = [
        "mobilization",
        "volunteer",
        "wave",
        "channel",
        "status",
        "attempts",
        "response",
        "sent_at",
        "last_error_short",
    ]
    list_filter = ["status", "response", "channel", "wave"]
    list_select_related = ["mobilization", "volunteer"]
    search_fields = ["volunteer__email", "mobilization__title", "last_error"]
    raw_id_fields = ["mobilization", "volunteer"]
    readonly_fields = [
        *(f.name for f in Alert._meta.fields if f.name not in ("id", "token", "claim_token")),
        "deliveries_display",
    ]
    exclude = ["token", "claim_token"]

    @admin.display(description=gettext_lazy("deliveries"))
    def deliveries_display(self, obj):
        """What each provider said of the messages of this alert (receipts)."""
        rows = [
            (d.get_channel_display(), d.get_status_display(), d.reason or "—", d.provider_id)
            for d in obj.deliveries.order_by("pk")
        ]
        if not rows:
            return "—"
        return format_html_join("", "<div>{}: {} — {} <span class='quiet'>{}</span></div>", rows)

    @admin.display(description=gettext_lazy("last error"))
    def last_error_short(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_add_permission(self, request):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ModelAdmin):
    list_display = ["subject", "mobilization", "audience", "status", "recipients", "created_at"]
    list_filter = ["audience", "status"]
    list_select_related = ["mobilization"]
    search_fields = ["subject", "mobilization__title"]
    readonly_fields = ["mobilization", "audience", "status", "recipients", "created_by", "sent_at"]

    def has_add_permission(self, request):
        return False
