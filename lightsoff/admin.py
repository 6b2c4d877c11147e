from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reserve.admin import ModelAdmin, ReadOnlyModelAdmin, TabularInline
from volunteers.admin import AuditHistoryMixin

from . import dashboard, services  # noqa: F401 - dashboard registers its block
from .dossier import dossier_response
from .models import (
    Commune,
    ContactAction,
    Referral,
    ReporterSubscription,
    Round,
    Shop,
    Sighting,
    TownHall,
    TownHallAction,
    TownHallAgent,
    VolunteerContactTask,
)


class SightingInline(TabularInline):
    model = Sighting
    fields = ["seen_at", "lit", "photo", "is_hidden"]
    readonly_fields = ["seen_at", "lit", "photo"]
    extra = 0
    can_delete = False
    show_change_link = True


class ReferralInline(TabularInline):
    model = Referral
    fields = ["created_at", "status", "recipient_email", "sent_at", "dossier"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("dossier (PDF)"))
    def dossier(self, referral):
        return _dossier_link(referral)


def _dossier_link(referral):
    if not referral.pk or not referral.pdf:
        return "—"
    url = reverse("admin:lightsoff_referral_pdf", args=[referral.pk])
    return format_html('<a href="{}">{}</a>', url, _("Download the dossier"))


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
    inlines = [SightingInline, ReferralInline]
    actions = ["merge_duplicates", "hide", "unhide", "refer_to_town_hall"]

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

    @admin.action(description=_("Refer to the town hall"), permissions=["change"])
    def refer_to_town_hall(self, request, queryset):
        """Builds each dossier and e-mails it to the mairie (or leaves it for a moderator
        when no e-mail is known); a shop not "to refer" is refused, with the reason."""
        for shop in queryset.select_related("commune"):
            try:
                referral = services.referrals.refer_shop(shop, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            if referral.status == Referral.Status.WAITING:
                self.message_user(
                    request,
                    _(
                        "%(shop)s: the mairie of %(commune)s has no known e-mail. The dossier "
                        "waits for a moderator: add the e-mail in the Town halls, then send "
                        "it from the Referrals."
                    )
                    % {"shop": shop, "commune": shop.commune or _("its commune")},
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    _("%(shop)s: the dossier is on its way to %(email)s.")
                    % {"shop": shop, "email": referral.recipient_email},
                    messages.SUCCESS,
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
class CommuneAdmin(ReadOnlyModelAdmin):
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


@admin.register(Referral)
class ReferralAdmin(AuditHistoryMixin, ModelAdmin):
    """Dossiers sent to the mairies (made by the shops' "Refer to the town hall" action).
    A waiting or failed one is sent from here once the mairie's e-mail is known."""

    list_display = [
        "shop",
        "commune",
        "status",
        "recipient_email",
        "created_at",
        "sent_at",
        "dossier",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["shop__name", "commune__name", "commune__insee_code", "recipient_email"]
    fields = [
        "shop",
        "commune",
        "town_hall",
        "status",
        "recipient_email",
        "error",
        "created_by",
        "created_at",
        "sent_at",
        "dossier",
    ]
    readonly_fields = fields
    list_select_related = ["shop", "commune"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False  # a referral comes from the shops' action, with its dossier

    def has_delete_permission(self, request, obj=None):
        return False  # what was sent to a mairie stays on record

    @admin.display(description=_("dossier (PDF)"))
    def dossier(self, referral):
        return _dossier_link(referral)

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="lightsoff_referral_pdf",
            )
        ] + super().get_urls()

    def pdf_view(self, request, pk):
        referral = get_object_or_404(Referral, pk=pk)
        if not self.has_view_permission(request, referral):
            raise PermissionDenied
        return dossier_response(referral)

    @admin.action(
        description=_("Send the selected dossiers to the mairie (e-mail now known)"),
        permissions=["change"],
    )
    def send_again(self, request, queryset):
        sent, missing = 0, []
        for referral in queryset.select_related("shop"):
            if services.referrals.send_referral_again(referral, by=request.user):
                sent += 1
            elif referral.status in (Referral.Status.WAITING, Referral.Status.FAILED):
                missing.append(str(referral.shop))
        if sent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d dossier is on its way to the mairie.",
                    "%(count)d dossiers are on their way to the mairies.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if missing:
            self.message_user(
                request,
                _(
                    "Still no e-mail known for the mairie of: %(shops)s. Add it in the Town "
                    "halls, then send again."
                )
                % {"shops": ", ".join(missing)},
                messages.WARNING,
            )
        if not sent and not missing:
            self.message_user(
                request, _("These dossiers were already sent or are being sent."), messages.INFO
            )


@admin.register(TownHallAgent)
class TownHallAgentAdmin(ModelAdmin):
    """Coordinators give a mairie's staff access to their space (/lightsoff/mairie/),
    scoped to the communes chosen here."""

    list_display = ["user", "commune_list", "created_at"]
    search_fields = ["user__email", "communes__name", "communes__insee_code"]
    autocomplete_fields = ["user", "communes"]
    readonly_fields = ["created_at"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("communes")

    @admin.display(description=_("communes"))
    def commune_list(self, agent):
        return ", ".join(str(commune) for commune in agent.communes.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.town_halls.sync_town_hall_group(form.instance)

    def delete_model(self, request, obj):
        services.town_halls.leave_town_hall_group(obj.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for agent in queryset.select_related("user"):
            services.town_halls.leave_town_hall_group(agent.user)
        super().delete_queryset(request, queryset)


@admin.register(TownHallAction)
class TownHallActionAdmin(ModelAdmin):
    """What the mairies recorded (from their space): read here, not edited."""

    list_display = ["shop", "kind", "done_on", "recorded_by", "created_at"]
    list_filter = ["kind", "done_on"]
    search_fields = ["shop__name", "shop__commune__name", "reason"]
    fields = ["shop", "kind", "reason", "done_on", "recorded_by", "created_at"]
    readonly_fields = fields
    list_select_related = ["shop", "recorded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
