"""The coordinators' tool: qualify ideas, change status, hand projects over."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reserve.admin import ModelAdmin, StackedInline, TabularInline
from volunteers.admin import AuditHistoryMixin

from . import dashboard, services  # noqa: F401 - dashboard registers its block
from .models import (
    Application,
    Membership,
    Need,
    Partner,
    Project,
    Qualification,
    SavedSearch,
    Update,
)


class QualificationInline(StackedInline):
    model = Qualification
    can_delete = False
    extra = 1
    max_num = 1
    fields = [
        "blind_spot",
        "urgent_need",
        "one_month_deliverable",
        "data_security_notes",
        "public_servant_contact",
        ("decision", "decided_on"),
    ]


class NeedInline(TabularInline):
    model = Need
    autocomplete_fields = ["skill"]
    extra = 0


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    fields = ["volunteer", "role", "need", "expected_end", "joined_at", "left_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["volunteer"]
    verbose_name_plural = _("team")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["need"].queryset = Need.objects.filter(project=obj)
        return formset


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Project.Status.choices)


class HandOverForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Handed over to"), queryset=Partner.objects.order_by("name")
    )


class PendingApplicationsFilter(admin.SimpleListFilter):
    title = _("applications")
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", _("With pending applications"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                needs__applications__status=Application.Status.PENDING
            ).distinct()
        return queryset


@admin.register(Project)
class ProjectAdmin(AuditHistoryMixin, ModelAdmin):
    list_display = [
        "title",
        "status",
        "theme",
        "origin",
        "lead",
        "decision",
        "open_needs",
        "created_at",
    ]
    list_filter = [
        "status",
        "qualification__decision",
        "theme",
        "origin",
        "remote",
        PendingApplicationsFilter,
        "partners",
    ]
    search_fields = ["title", "pitch", "problem", "slug", "lead__email", "place"]
    autocomplete_fields = ["lead", "proposed_by", "partners", "handed_over_to"]
    readonly_fields = [
        "slug",
        "opened_at",
        "handed_over_at",
        "coordinators_notified_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "pitch", "status", "theme", "origin"]}),
        (
            _("The idea"),
            {"fields": ["problem", "beneficiaries", "one_month_deliverable", "help_needed"]},
        ),
        (
            _("Organisation"),
            {"fields": ["lead", "proposed_by", "expected_weeks", "remote", "place", "partners"]},
        ),
        (_("Links"), {"fields": ["repository_url", "prototype_url", "docs_url"]}),
        (
            _("History"),
            {
                "fields": [
                    "handed_over_to",
                    "opened_at",
                    "handed_over_at",
                    "coordinators_notified_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [QualificationInline, NeedInline, MembershipInline]
    list_select_related = ["lead", "qualification"]
    actions = ["change_status_action", "hand_over_action"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_needs_count=Count("needs", filter=Q(needs__is_open=True)))
        )

    @admin.display(description=_("qualification"), ordering="qualification__decision")
    def decision(self, obj):
        qualification = getattr(obj, "qualification", None)
        return qualification.get_decision_display() if qualification else "—"

    @admin.display(description=_("open roles"), ordering="open_needs_count")
    def open_needs(self, obj):
        return obj.open_needs_count

    def save_model(self, request, obj, form, change):
        # A status set in the form goes through the service once the inlines are saved
        # (save_related), since opening needs the qualification filled in the same form.
        request._projects_new_status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        elif not change:
            obj.status = Project.Status.IDEA
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        project, status = form.instance, request._projects_new_status
        if status == project.status:
            return
        try:
            services.change_status(project=project, status=status, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        project.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not Qualification:
            return super().save_formset(request, form, formset, change)
        for qualification in formset.save(commit=False):
            services.qualify(qualification=qualification, by=request.user)
        return None

    def _confirm(self, request, queryset, *, form, title, action, apply):
        """Show a confirmation page with `form`; on "confirm", apply it to each project."""
        if request.POST.get("confirm") and form.is_valid():
            done = 0
            for project in queryset:
                try:
                    apply(project, form.cleaned_data)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                else:
                    done += 1
            self.message_user(
                request,
                ngettext("%(n)d project updated.", "%(n)d projects updated.", done) % {"n": done},
                messages.SUCCESS if done else messages.WARNING,
            )
            return None
        return TemplateResponse(
            request,
            "admin/projects/project/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "projects": queryset,
                "form": form,
                "action": action,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Change the status of the selected projects…"))
    def change_status_action(self, request, queryset):
        form = StatusForm(request.POST if request.POST.get("confirm") else None)
        return self._confirm(
            request,
            queryset,
            form=form,
            title=_("Change the status"),
            action="change_status_action",
            apply=lambda project, data: services.change_status(
                project=project, status=data["status"], by=request.user
            ),
        )

    @admin.action(description=_("Hand the selected projects over to a partner…"))
    def hand_over_action(self, request, queryset):
        form = HandOverForm(request.POST if request.POST.get("confirm") else None)
        return self._confirm(
            request,
            queryset,
            form=form,
            title=_("Hand over"),
            action="hand_over_action",
            apply=lambda project, data: services.hand_over(
                project=project, partner=data["partner"], by=request.user
            ),
        )


@admin.register(Partner)
class PartnerAdmin(ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Application)
class ApplicationAdmin(ModelAdmin):
    list_display = ["volunteer", "need", "project", "status", "decline_reason", "created_at"]
    list_filter = ["status", "decline_reason", "need__project__status"]
    search_fields = ["volunteer__email", "need__project__title", "need__title"]
    list_select_related = ["volunteer", "need__project", "need__skill"]
    autocomplete_fields = ["need", "volunteer"]
    readonly_fields = [
        "created_at",
        "decided_at",
        "decided_by",
        "managers_notified_at",
        "applicant_notified_at",
        "lead_reminders_sent",
    ]

    @admin.display(description=_("project"), ordering="need__project__title")
    def project(self, obj):
        return obj.need.project


@admin.register(Need)
class NeedAdmin(ModelAdmin):
    list_display = ["__str__", "project", "skill", "headcount", "hours_per_week", "is_open"]
    list_filter = ["is_open", "skill__family"]
    search_fields = ["title", "project__title", "skill__name"]
    list_select_related = ["project", "skill"]
    autocomplete_fields = ["project", "skill"]


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = ["volunteer", "project", "role", "expected_end", "joined_at", "left_at"]
    list_filter = ["role", ("left_at", admin.EmptyFieldListFilter)]
    search_fields = ["volunteer__email", "project__title"]
    list_select_related = ["volunteer", "project"]
    autocomplete_fields = ["project", "volunteer", "need"]
    readonly_fields = ["joined_at", "continuation_asked_at"]


@admin.register(Update)
class UpdateAdmin(ModelAdmin):
    list_display = ["project", "author", "created_at"]
    search_fields = ["project__title", "body"]
    list_select_related = ["project", "author"]
    autocomplete_fields = ["project", "author"]


@admin.register(SavedSearch)
class SavedSearchAdmin(ModelAdmin):
    list_display = ["name", "user", "frequency", "last_sent_at"]
    list_filter = ["frequency"]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["last_sent_at"]
