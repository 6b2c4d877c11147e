"""Admin of the platform's messages to shops and of the shops' answers (#12): an answer
shows on the shop page only once a moderator publishes it here (audit row each)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reserve.admin import ModelAdmin
from volunteers.admin import AuditHistoryMixin

from .models import ShopAnswer, ShopMessage, ShopOptOut
from .services import outreach


@admin.register(ShopAnswer)
class ShopAnswerAdmin(AuditHistoryMixin, ModelAdmin):
    list_display = ["shop", "kind", "effective_on", "exception_reference", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["shop__name", "shop__city", "exception_reference"]
    readonly_fields = [
        "shop",
        "kind",
        "effective_on",
        "exception_reference",
        "text",
        "status",
        "created_at",
        "moderated_at",
        "moderated_by",
    ]
    exclude = ["ip_hash"]
    list_select_related = ["shop"]
    actions = ["publish", "reject"]

    def has_add_permission(self, request):
        return False  # answers come from the shop's answer page

    @admin.action(description=_("Publish the selected answers"), permissions=["change"])
    def publish(self, request, queryset):
        count = sum(outreach.publish_answer(answer=a, by=request.user) for a in queryset)
        self.message_user(
            request,
            ngettext("%(count)d answer published.", "%(count)d answers published.", count)
            % {"count": count},
        )

    @admin.action(description=_("Reject the selected answers"), permissions=["change"])
    def reject(self, request, queryset):
        count = sum(outreach.reject_answer(answer=a, by=request.user) for a in queryset)
        self.message_user(
            request,
            ngettext("%(count)d answer rejected.", "%(count)d answers rejected.", count)
            % {"count": count},
        )


@admin.register(ShopMessage)
class ShopMessageAdmin(ModelAdmin):
    list_display = ["shop", "channel", "status", "send_after", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["shop__name", "shop__city"]
    exclude = ["ip_hash", "recipient"]
    readonly_fields = [
        "shop",
        "channel",
        "requested_by",
        "status",
        "requested_at",
        "send_after",
        "sent_at",
        "provider_id",
        "error",
    ]
    list_select_related = ["shop"]

    def has_add_permission(self, request):
        return False  # requested from the kit or a volunteer's task


@admin.register(ShopOptOut)
class ShopOptOutAdmin(ModelAdmin):
    list_display = ["shop", "created_at"]
    search_fields = ["shop__name", "shop__city"]
    autocomplete_fields = ["shop"]
