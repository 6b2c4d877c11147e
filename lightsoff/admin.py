from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reserve.admin import ModelAdmin, TabularInline
from volunteers.admin import AuditHistoryMixin

from . import dashboard, services  # noqa: F401 - dashboard registers its block
from .models import (
    Commune,
    ContactAction,
    ReporterSubscription,
    Round,
    Shop,
    Sighting,
    TownHall,
    VolunteerContactTask,
)


class SightingInline(TabularInline):
    model = Sighting
    fields = ["seen_at", "lit", "photo", "is_hidden"]
    readonly_fields = ["seen_at", "lit", "photo"]
    extra = 0
    can_delete = False
    show_change_link = True


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Keep this shop"),
        queryset=Shop.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("The other shops are hidden and their sightings and contacts move to it."),
    )


@admin.register(Shop)
class ShopAdmin(AuditHistoryMixin, ModelAdmin):
    list_display = [
        "name",
        "city",
        "postcode",
        "status",
        "sightings_count",
        "contacts_count",
        "is_hidden",
        "created_at",
    ]
    list_filter = ["status", "is_hidden", "category", "city"]
    search_fields = ["name", "address", "city", "postcode", "osm_id"]
    readonly_fields = [
        "sightings_count",
        "contacts_count",
        "merged_into",
        "contacted_at",
        "resolved_at",
        "last_seen_lit_at",
        "created_at",
        "updated_at",
    ]
    list_select_related = True
    date_hierarchy = "created_at"
    autocomplete_fields = ["commune"]  # 35,000 communes: never a plain <select>
    inlines = [SightingInline]
    actions = ["merge_duplicates", "hide", "unhide"]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Sighting and formset.has_changed():
            services.recount_shops([form.instance.pk])  # a sighting hidden in the inline

    @admin.action(description=_("Merge the selected duplicate shops"), permissions=["change"])
    def merge_duplicates(self, request, queryset):
        """A confirmation page: pick the shop to keep; on "confirm", merge the others."""
        shops = list(queryset.order_by("-sightings_count", "pk"))
        if len(shops) < 2:
            self.message_user(request, _("Select at least two shops to merge."), messages.WARNING)
            return None
        form = MergeForm(request.POST if "confirm" in request.POST else None)
        form.fields["target"].queryset = queryset
        if "confirm" in request.POST and form.is_valid():
            target = form.cleaned_data["target"]
            merged = services.merge_shops(target=target, duplicates=shops, by=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(count)d shop merged into %(target)s.",
                    "%(count)d shops merged into %(target)s.",
                    merged,
                )
                % {"count": merged, "target": target},
                messages.SUCCESS,
            )
            return None
        if not form.is_bound:
            form.initial["target"] = shops[0].pk
        return TemplateResponse(
            request,
            "lightsoff/admin/merge_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge duplicate shops"),
                "shops": shops,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Hide the selected shops from the public"), permissions=["change"])
    def hide(self, request, queryset):
        count = services.set_shops_hidden(shops=list(queryset), hidden=True, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d shop hidden.", "%(count)d shops hidden.", count) % {"count": count},
        )

    @admin.action(description=_("Show the selected shops again"), permissions=["change"])
    def unhide(self, request, queryset):
        count = services.set_shops_hidden(shops=list(queryset), hidden=False, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d shop shown again.", "%(count)d shops shown again.", count)
            % {"count": count},
        )


@admin.register(Sighting)
class SightingAdmin(AuditHistoryMixin, ModelAdmin):
    list_display = [
        "shop",
        "seen_at",
        "lit",
        "lit_kind",
        "size",
        "is_hidden",
        "has_photo",
        "created_at",
    ]
    list_filter = ["lit", "lit_kind", "size", "is_hidden", "seen_at"]
    search_fields = ["shop__name", "shop__city"]
    autocomplete_fields = ["shop"]
    raw_id_fields = ["reporter"]
    readonly_fields = ["reporter", "created_at"]
    exclude = ["ip_hash"]
    list_select_related = ["shop"]
    date_hierarchy = "seen_at"
    actions = ["hide", "unhide"]

    @admin.display(boolean=True, description=_("photo"))
    def has_photo(self, obj):
        return bool(obj.photo)

    def save_model(self, request, obj, form, change):
        # Moved, hidden or redated by hand: the counts and status of both shops follow.
        previous = form.initial.get("shop") if change else None
        super().save_model(request, obj, form, change)
        services.recount_shops({obj.shop_id, previous} - {None})

    @admin.action(description=_("Hide the selected sightings (abuse)"), permissions=["change"])
    def hide(self, request, queryset):
        count = services.set_sightings_hidden(
            sightings=list(queryset), hidden=True, by=request.user
        )
        self.message_user(
            request,
            ngettext("%(count)d sighting hidden.", "%(count)d sightings hidden.", count)
            % {"count": count},
        )

    @admin.action(description=_("Show the selected sightings again"), permissions=["change"])
    def unhide(self, request, queryset):
        count = services.set_sightings_hidden(
            sightings=list(queryset), hidden=False, by=request.user
        )
        self.message_user(
            request,
            ngettext("%(count)d sighting shown again.", "%(count)d sightings shown again.", count)
            % {"count": count},
        )


@admin.register(ContactAction)
class ContactActionAdmin(AuditHistoryMixin, ModelAdmin):
    """ "I did it" entries: moderators hide the abusive ones (they stop counting)."""

    list_display = ["shop", "channel", "done_at", "by_volunteer", "is_hidden"]
    list_filter = ["is_hidden", "channel", "by_volunteer", "done_at"]
    search_fields = ["shop__name", "shop__city"]
    autocomplete_fields = ["shop"]
    raw_id_fields = ["actor"]
    # Changed only through the actions, which recount the shop.
    readonly_fields = [
        "shop",
        "channel",
        "done_at",
        "by_volunteer",
        "actor",
        "is_hidden",
        "created_at",
    ]
    exclude = ["ip_hash"]
    list_select_related = ["shop"]
    actions = ["hide", "unhide"]

    def has_add_permission(self, request):
        # Every field is read-only: an entry comes from the kit ("I did it"), not here.
        return False

    @admin.action(description=_("Hide the selected contacts (abuse)"), permissions=["change"])
    def hide(self, request, queryset):
        count = services.set_contacts_hidden(contacts=list(queryset), hidden=True, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d contact hidden.", "%(count)d contacts hidden.", count)
            % {"count": count},
        )

    @admin.action(description=_("Show the selected contacts again"), permissions=["change"])
    def unhide(self, request, queryset):
        count = services.set_contacts_hidden(contacts=list(queryset), hidden=False, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d contact shown again.", "%(count)d contacts shown again.", count)
            % {"count": count},
        )


@admin.register(VolunteerContactTask)
class VolunteerContactTaskAdmin(ModelAdmin):
    list_display = ["shop", "status", "volunteer", "requested_at", "taken_at", "done_at"]
    list_filter = ["status"]
    search_fields = ["shop__name", "shop__city"]
    autocomplete_fields = ["shop"]
    raw_id_fields = ["volunteer"]
    readonly_fields = ["requested_at", "taken_at", "done_at"]
    list_select_related = ["shop", "volunteer"]


@admin.register(ReporterSubscription)
class ReporterSubscriptionAdmin(ModelAdmin):
    """Subscriptions come from the shop's page (double opt-in): none is added here."""

    list_display = ["shop", "email", "confirmed_at", "unsubscribed_at", "created_at"]
    list_filter = ["confirmed_at", "unsubscribed_at"]
    search_fields = ["shop__name", "email"]
    readonly_fields = [
        "shop",
        "email",
        "confirmed_at",
        "unsubscribed_at",
        "notified_status",
        "created_at",
    ]
    list_select_related = ["shop"]

    def has_add_permission(self, request):
        return False


@admin.register(Round)
class RoundAdmin(ModelAdmin):
    list_display = ["planned_for", "volunteer", "latitude", "longitude", "radius_m"]
    list_filter = ["planned_for"]
    raw_id_fields = ["volunteer"]
    list_select_related = ["volunteer"]


@admin.register(Commune)
class CommuneAdmin(ModelAdmin):
    """The communes come from `load_communes` (INSEE's geographic code): read only."""

    list_display = ["insee_code", "name", "departement", "postcode_list", "town_hall_email"]
    list_filter = ["region", "departement"]
    search_fields = ["insee_code", "name", "postcodes__postcode"]
    fields = ["insee_code", "name", "departement", "region", "latitude", "longitude"]
    readonly_fields = fields
    list_select_related = ["town_hall"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("postcodes")

    @admin.display(description=_("postcodes"))
    def postcode_list(self, commune):
        return ", ".join(sorted(p.postcode for p in commune.postcodes.all()))

    @admin.display(description=_("town hall e-mail"))
    def town_hall_email(self, commune):
        hall = getattr(commune, "town_hall", None)
        return hall.email if hall else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TownHall)
class TownHallAdmin(ModelAdmin):
    """Mairies from `import_annuaire`; a coordinator corrects an e-mail here, and the next
    import then leaves that town hall alone (`edited_by_hand`)."""

    list_display = ["name", "commune", "email", "phone", "edited_by_hand", "updated_at"]
    list_filter = ["edited_by_hand", ("email", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "commune__name", "commune__insee_code"]
    autocomplete_fields = ["commune"]
    readonly_fields = ["source_id", "updated_at"]
    list_select_related = ["commune"]

    def save_model(self, request, obj, form, change):
        # Unless the coordinator set the box themselves, a correction is protected.
        if change and form.changed_data and "edited_by_hand" not in form.changed_data:
            obj.edited_by_hand = True
        super().save_model(request, obj, form, change)


from . import admin_outreach  # noqa: E402, F401 - the outreach models (#12)
