from django.contrib import admin

from .models import Application, Membership, Need, Partner, Project, Qualification


class QualificationInline(admin.StackedInline):
    model = Qualification
    can_delete = False


class NeedInline(admin.TabularInline):
    model = Need
    autocomplete_fields = ["skill"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "theme", "origin", "lead", "created_at"]
    list_filter = ["status", "theme", "origin", "remote"]
    search_fields = ["title", "pitch", "problem"]
    autocomplete_fields = ["lead", "partners", "handed_over_to"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    inlines = [QualificationInline, NeedInline]
    list_select_related = ["lead"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "need", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["need", "volunteer"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "project", "role", "joined_at", "left_at"]
    list_filter = ["role"]
    raw_id_fields = ["project", "volunteer", "need"]
