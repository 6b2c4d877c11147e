from django.contrib import admin

from .models import Alert, Crisis, Mobilization


class MobilizationInline(admin.TabularInline):
    model = Mobilization
    fields = ["title", "status", "headcount", "starts_at", "response_deadline"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


@admin.register(Crisis)
class CrisisAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "severity", "opened_at", "closed_at"]
    list_filter = ["kind", "severity"]
    search_fields = ["title"]
    inlines = [MobilizationInline]


@admin.register(Mobilization)
class MobilizationAdmin(admin.ModelAdmin):
    list_display = ["title", "crisis", "status", "headcount", "starts_at", "response_deadline"]
    list_filter = ["status", "crisis"]
    search_fields = ["title", "ask"]
    autocomplete_fields = ["skills"]
    readonly_fields = ["status", "current_wave", "launched_at", "launched_by", "filled_at"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["mobilization", "volunteer", "wave", "channel", "status", "response"]
    list_filter = ["status", "response", "channel"]
    raw_id_fields = ["mobilization", "volunteer"]
    readonly_fields = [f.name for f in Alert._meta.fields if f.name != "id"]
