from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Availability, Profile, ProfileSkill, Skill, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "family", "slug"]
    list_filter = ["family"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ProfileSkillInline(admin.TabularInline):
    model = ProfileSkill
    autocomplete_fields = ["skill"]
    extra = 0


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region", "departement", "status", "crisis_opt_in", "employer"]
    list_filter = ["status", "crisis_opt_in", "remote_only", "region", "skills__family"]
    search_fields = ["display_name", "user__email", "employer", "bio"]
    list_select_related = ["user"]
    readonly_fields = ["region", "onboarding_completed_at", "consent_version", "consented_at"]
    inlines = [ProfileSkillInline, AvailabilityInline]
    raw_id_fields = ["user"]
