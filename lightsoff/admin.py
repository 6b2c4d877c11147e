from django.contrib import admin

from .models import ContactAction, Shop, Sighting, VolunteerContactTask


class SightingInline(admin.TabularInline):
    model = Sighting
    fields = ["seen_at", "lit", "photo", "is_hidden"]
    extra = 0


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "postcode", "status", "sightings_count", "contacts_count"]
    list_filter = ["status", "is_hidden", "category"]
    search_fields = ["name", "address", "city", "postcode", "osm_id"]
    readonly_fields = ["sightings_count", "contacts_count", "created_at", "updated_at"]
    inlines = [SightingInline]


@admin.register(Sighting)
class SightingAdmin(admin.ModelAdmin):
    list_display = ["shop", "seen_at", "lit", "is_hidden"]
    list_filter = ["lit", "is_hidden"]
    raw_id_fields = ["shop", "reporter"]
    exclude = ["ip_hash"]


@admin.register(ContactAction)
class ContactActionAdmin(admin.ModelAdmin):
    list_display = ["shop", "channel", "done_at", "by_volunteer"]
    list_filter = ["channel", "by_volunteer"]
    raw_id_fields = ["shop", "actor"]


@admin.register(VolunteerContactTask)
class VolunteerContactTaskAdmin(admin.ModelAdmin):
    list_display = ["shop", "status", "volunteer", "requested_at"]
    list_filter = ["status"]
    raw_id_fields = ["shop", "volunteer"]
