from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reserve.admin import ModelAdmin, ReadOnlyModelAdmin, SafeFieldsMixin, TabularInline

from .audit import action_label, entries_for
from .exports import directory_csv_response
from .models import AuditEntry, Availability, Profile, ProfileSkill, Skill, User
from .selectors import with_participation


@admin.register(User)
class UserAdmin(SafeFieldsMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "language"]
    search_fields = ["email", "profile__display_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(Skill)
class SkillAdmin(ModelAdmin):
    list_display = ["name", "name_en", "family", "slug"]
    list_filter = ["family"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ProfileSkillInline(TabularInline):
    model = ProfileSkill
    autocomplete_fields = ["skill"]
    extra = 0


class AvailabilityInline(TabularInline):
    model = Availability
    extra = 0
    readonly_fields = ["source"]


class AvailableNowFilter(admin.SimpleListFilter):
    title = _("available now")
    parameter_name = "available_now"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.available_now()
        if self.value() == "no":
            return queryset.exclude(pk__in=Profile.objects.available_now().values("pk"))
        return queryset


class LentByEmployerFilter(admin.SimpleListFilter):
    title = _("lent by an employer")
    parameter_name = "lent"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(employer="")
        if self.value() == "no":
            return queryset.filter(employer="")
        return queryset


@admin.register(Profile)
class ProfileAdmin(ModelAdmin):
    """The volunteer directory of the coordinators (the page /volunteers/directory/ too)."""

    list_display = [
        "__str__",
        "email",
        "departement",
        "region",
        "status",
        "crisis_opt_in",
        "employer",
        "projects",
        "callups",
    ]
    list_filter = [
        "status",
        "crisis_opt_in",
        ("email_undeliverable_at", admin.EmptyFieldListFilter),
        AvailableNowFilter,
        "remote_only",
        "can_travel",
        LentByEmployerFilter,
        "region",
        "skills__family",
        "skills",
    ]
    search_fields = ["display_name", "user__email", "employer", "bio", "phone"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = [
        "region",
        "onboarding_completed_at",
        "consent_version",
        "consented_at",
        "inactivity_warned_at",
        "anonymised_at",
        "created_at",
        "updated_at",
        "email_complained_at",
        "sms_stopped_at",
    ]
    fieldsets = [
        (None, {"fields": ["user", "display_name", "bio", "tags", "languages", "status"]}),
        (_("Place"), {"fields": ["departement", "region", "remote_only", "can_travel"]}),
        (
            _("Call-ups"),
            {
                "fields": [
                    "crisis_opt_in",
                    "alert_by_email",
                    "alert_by_sms",
                    "phone",
                    "quiet_hours_start",
                    "quiet_hours_end",
                    "paused_until",
                    # A coordinator who fixed the address by hand empties these.
                    "email_undeliverable_at",
                    "email_undeliverable_reason",
                ]
            },
        ),
        (_("Links"), {"fields": ["employer", "github_url", "linkedin_url", "portfolio_url"]}),
        (_("Record"), {"fields": readonly_fields[2:]}),
    ]
    inlines = [ProfileSkillInline, AvailabilityInline]
    actions = ["export_csv", "pause_profiles"]
    list_per_page = 50

    def get_queryset(self, request):
        return with_participation(super().get_queryset(request))

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("projects"), ordering="projects_count")
    def projects(self, obj):
        return obj.projects_count

    @admin.display(description=_("call-ups"), ordering="callups_count")
    def callups(self, obj):
        return obj.callups_count

    @admin.action(description=_("Export the selected volunteers (CSV)"))
    def export_csv(self, request, queryset):
        return directory_csv_response(queryset)

    @admin.action(description=_("Pause the selected volunteers"), permissions=["change"])
    def pause_profiles(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "volunteers/admin/confirm_pause.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Pause these volunteers?"),
                    "profiles": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        count = queryset.exclude(status=Profile.Status.ARCHIVED).update(
            status=Profile.Status.PAUSED
        )
        self.message_user(
            request,
            ngettext("%d volunteer paused.", "%d volunteers paused.", count) % count,
            messages.SUCCESS,
        )
        return None


class AuditDisplayMixin:
    """How an audit row reads in the admin: the action's label and before → after."""

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, obj):
        return action_label(obj.action)

    @admin.display(description=_("changes"))
    def changes_display(self, obj):
        return _changes_text(obj) or "—"


class AuditHistoryMixin:
    """Shows, on an object's change page, the history of coordinators' and moderators'
    actions on it (read-only: a field, not an inline, so saving the page posts nothing
    more). Used by the admins of call-ups, projects, shops, sightings and contacts."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "audit_history"] if obj is not None else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "audit_history"]})
            for name, options in fieldsets
        ]
        return [*fieldsets, (_("History of actions"), {"fields": ["audit_history"]})]

    @admin.display(description=_("history of actions"))
    def audit_history(self, obj):
        rows = [
            (
                date_format(timezone.localtime(entry.created_at), "SHORT_DATETIME_FORMAT"),
                entry.acting_user or _("the platform"),
                action_label(entry.action),
                _changes_text(entry),
            )
            for entry in entries_for(obj)[:200]
        ]
        if not rows:
            return _("No action recorded yet.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("when"),
            _("by"),
            _("action"),
            _("changes"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


def _changes_text(entry):
    return "; ".join(
        f"{field}: {'—' if before in (None, '') else before} → {after}"
        for field, (before, after) in sorted(entry.changes.items())
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditDisplayMixin, ReadOnlyModelAdmin):
    """Every action of coordinators and moderators, newest first (read-only)."""

    list_display = ["created_at", "acting_user", "action_display", "object_repr", "content_type"]
    list_filter = ["action", "content_type", "created_at"]
    search_fields = ["object_repr", "acting_user__email", "action"]
    readonly_fields = [
        "created_at",
        "acting_user",
        "action_display",
        "content_type",
        "object_id",
        "object_repr",
        "changes_display",
    ]
    fields = readonly_fields
    list_select_related = ["acting_user", "content_type"]
    date_hierarchy = "created_at"


def name_allauth_authenticators():
    """allauth's Authenticator model names itself in English only ("Authenticators" in a
    French admin). Its names are given here, in our catalogue. Set on the model's options
    and fields, not on what migrations read (`original_attrs`, the fields' arguments), so
    no migration of allauth's app follows."""
    from allauth.mfa.models import Authenticator

    options = Authenticator._meta
    options.verbose_name = _("authenticator")
    options.verbose_name_plural = _("authenticators")
    names = {
        "user": _("account"),
        "type": _("type"),
        "data": _("data"),
        "created_at": _("created on"),
        "last_used_at": _("last used on"),
    }
    for field in options.fields:
        if field.name in names:
            field.verbose_name = names[field.name]


name_allauth_authenticators()
