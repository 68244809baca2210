"""Read-only admin views of dialogues: every change goes through the services (pages and API),
where permissions and the meeting workflow are enforced. Passport facts are never shown here."""

from django.contrib import admin

from dialogues.models import ActionPoint, AgendaItem, Meeting, Participation, WorkingGroup


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "slug"]


class AgendaItemInline(ReadOnly, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "kind", "title", "starts_at", "ends_at"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "working_group", "starts_at", "format", "status"]
    list_filter = ["status", "kind", "format", "working_group"]
    search_fields = ["title", "city"]
    date_hierarchy = "starts_at"
    # The join link is for accepted participants and the conveners only.
    exclude = ["join_url"]
    inlines = [AgendaItemInline]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "user", "email", "organization", "status", "needs_visa"]
    list_filter = ["status", "needs_visa"]
    search_fields = ["email", "user__email", "meeting__title"]
    exclude = ["rsvp_token_hash"]


@admin.register(ActionPoint)
class ActionPointAdmin(ReadOnlyAdmin):
    list_display = ["text", "meeting", "responsible_organization", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["text"]
