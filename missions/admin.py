"""The coordinators' side of call-ups: prepare, preview, launch, follow, close, extend."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reserve.admin import ModelAdmin, TabularInline
from volunteers.admin import AuditHistoryMixin

from . import dashboard, selectors, services
from .admin_forms import NamedSplitDateTimeMixin, PlacesByNameMixin
from .display import held_alerts_sentence, human_duration, person
from .forms import ExtendForm, FollowUpForm
from .models import Alert, Crisis, FollowUp, Mobilization

LAUNCH_PERMISSION = "missions.launch_mobilization"
ANSWERS_TEMPLATE = "admin/missions/mobilization/_answers.html"
MAX_ANSWERS_SHOWN = 500


def answer_rows(mobilization):
    """The answers of a call-up, newest first, each with the volunteer named once."""
    return [
        {"alert": alert, "person": person(alert.volunteer)}
        for alert in selectors.answered_alerts(mobilization)[:MAX_ANSWERS_SHOWN]
    ]


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


@admin.register(Crisis)
class CrisisAdmin(NamedSplitDateTimeMixin, PlacesByNameMixin, ModelAdmin):
    list_display = ["title", "kind", "severity", "opened_at", "closed_at"]
    list_filter = ["kind", "severity"]
    search_fields = ["title"]
    date_hierarchy = "opened_at"
    inlines = [MobilizationInline]


@admin.register(Mobilization)
class MobilizationAdmin(AuditHistoryMixin, NamedSplitDateTimeMixin, PlacesByNameMixin, ModelAdmin):
    # Five short columns: the list fits a 1280 px screen with its filters, no sideways
    # scrolling (headcount, wave and answers are one compact "progress" column).
    list_display = ["title", "crisis", "status", "response_deadline", "progress_link"]
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
        "departements",
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
            fields += [*self.LOCKED_WHEN_LAUNCHED, "place_display"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status == Mobilization.Status.DRAFT:
            return fieldsets
        # Locked places read as names ("Sur place : Bretagne"), not as a list of codes.
        places = {"regions", "departements"}
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "place_display" if field == "regions" else field
                        for field in options["fields"]
                        if field not in places or field == "regions"
                    ],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description=gettext_lazy("where"))
    def place_display(self, obj):
        return obj.place

    fieldsets = [
        (None, {"fields": ["crisis", "title", "ask", "skills", "headcount"]}),
        (
            gettext_lazy("Where and when"),
            {"fields": ["regions", "departements", "remote", "starts_at", "ends_at"]},
        ),
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

    def get_queryset(self, request):
        accepted = (
            Alert.objects.filter(mobilization=OuterRef("pk"), response=Alert.Response.ACCEPTED)
            .values("mobilization")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # A subquery per row of the page, not a GROUP BY over every alert of every call-up.
        return (
            super().get_queryset(request).annotate(accepted_count=Coalesce(Subquery(accepted), 0))
        )

    @admin.display(description=gettext_lazy("progress"))
    def progress_link(self, obj):
        """ "2/5 accepted · wave 1", linked to the live progress; drafts say what is next."""
        if obj.status == Mobilization.Status.DRAFT:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:missions_mobilization_change", args=[obj.pk]),
                _("To launch"),
            )
        accepted = getattr(obj, "accepted_count", 0)
        return format_html(
            '<a href="{}" class="callup-fill">{}</a>',
            reverse("admin:missions_mobilization_progress", args=[obj.pk]),
            ngettext(
                "%(accepted)s/%(headcount)s accepted · wave %(wave)s",
                "%(accepted)s/%(headcount)s accepted · wave %(wave)s",
                accepted,
            )
            % {"accepted": accepted, "headcount": obj.headcount, "wave": obj.current_wave},
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

    def response_add(self, request, obj, post_url_continue=None):
        # A new draft is saved to be launched: its change page holds the launch button
        # and the preview of whom it reaches, so "Save" lands there (not on the list).
        if "_addanother" not in request.POST and "_popup" not in request.POST:
            return self._to_launch_step(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_prepare_launch" in request.POST and obj.status == Mobilization.Status.DRAFT:
            return self._to_launch_step(request, obj)
        return super().response_change(request, obj)

    def _to_launch_step(self, request, obj):
        if self.has_launch_permission(request):
            text = _(
                "The draft “%(title)s” is saved. Check whom it reaches under “Waves”, then "
                "press “Launch the call-up…” at the top of the page."
            )
        else:
            text = _(
                "The draft “%(title)s” is saved. A coordinator who may launch call-ups "
                "can now launch it."
            )
        self.message_user(request, text % {"title": obj.title}, messages.SUCCESS)
        return redirect("admin:missions_mobilization_change", obj.pk)

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
        self.message_user(
            request,
            ngettext("%(count)s call-up closed.", "%(count)s call-ups closed.", closed)
            % {"count": closed},
        )
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
                self._tell_launch(request, mobilization, result)
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

    def _tell_launch(self, request, mobilization, result):
        """Say what the launch did: how many alerts, and how many wait for quiet hours
        to end (an alert held until 07:00 is not "being alerted" at 04:52)."""
        if result.queued is False:
            self.message_user(
                request,
                ngettext(
                    "Call-up launched: %(count)s alert is saved, but the sending queue is "
                    "unreachable. Sending will start by itself when the queue is back; "
                    "nothing is lost.",
                    "Call-up launched: %(count)s alerts are saved, but the sending queue is "
                    "unreachable. Sending will start by itself when the queue is back; "
                    "nothing is lost.",
                    result.alerts,
                )
                % {"count": result.alerts},
                messages.WARNING,
            )
            return
        progress = selectors.mobilization_progress(mobilization)
        now_count = max(0, result.alerts - progress.held)
        text = ngettext(
            "Call-up launched: %(count)s volunteer is being alerted now.",
            "Call-up launched: %(count)s volunteers are being alerted now.",
            now_count,
        ) % {"count": now_count}
        held = held_alerts_sentence(progress.held, progress.held_until)
        self.message_user(request, f"{text} {held}".strip(), messages.SUCCESS)

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
                answers=answer_rows(mobilization),
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
        """The live counts and the list of answers (as the HTML the page shows), polled
        by static/missions/progress.js."""
        mobilization = self._get(request, pk)
        data = selectors.mobilization_progress(mobilization).as_json(mobilization)
        data["answers_html"] = render_to_string(
            ANSWERS_TEMPLATE, {"answers": answer_rows(mobilization)}, request=request
        )
        return JsonResponse(data)

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
                "rows": [
                    {**row, "mean_delay_text": human_duration(row["mean_delay"])}
                    for row in selectors.volunteer_responsiveness()[:500]
                ],
            },
        )


class UndeliveredFilter(admin.SimpleListFilter):
    """The dashboard's "did not reach their volunteer": failed, undelivered or bounced."""

    title = gettext_lazy("reached the volunteer")
    parameter_name = "undelivered"

    def lookups(self, request, model_admin):
        return [("running", gettext_lazy("Not reached, running call-ups"))]

    def queryset(self, request, queryset):
        if self.value() == "running":
            return queryset.filter(pk__in=dashboard.undelivered_alerts().values("pk"))
        return queryset


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
    list_filter = [UndeliveredFilter, "status", "response", "channel", "wave"]
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
