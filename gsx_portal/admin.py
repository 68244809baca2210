from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gsx_portal.models import OutboundEmail


class DeliveryStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", _("Waiting")), ("failed", _("Given up")), ("sent", _("Sent"))]

    def queryset(self, request, queryset):
        match self.value():
            case "pending":
                return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
            case "failed":
                return queryset.filter(failed_at__isnull=False)
            case "sent":
                return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by the services and emptied by the worker. The body is
    never shown (it may hold a one-time link); the address, subject and errors are enough to
    tell a person their mail failed and why."""

    list_display = ["created_at", "template", "to", "subject", "attempts", "state", "sent_at"]
    list_filter = [DeliveryStateFilter, "template"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "template",
        "to",
        "subject",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "failed_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("state"))
    def state(self, obj):
        return {"pending": _("Waiting"), "failed": _("Given up"), "sent": _("Sent")}[obj.state]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
