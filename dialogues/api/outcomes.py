"""Action points through the API: those of the meetings the caller may see (signed-in callers,
as on the pages), a restricted responsible organization named only where the caller may."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from dialogues.api.references import MeetingReference, OrganizationReference
from dialogues.filters import ActionPointFilter
from dialogues.models import ActionPoint
from dialogues.selectors import action_points_visible_to


class ActionPointOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    meeting = MeetingReference()
    agenda_item = serializers.UUIDField(
        source="agenda_item.public_id", allow_null=True, default=None
    )
    responsible_organization = serializers.SerializerMethodField()

    class Meta:
        model = ActionPoint
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "text",
            "responsible_organization",
            "due_on",
            "status",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OrganizationReference(allow_null=True))
    def get_responsible_organization(self, point):
        """Who is responsible: null when no organization is, or when it is one you may not
        see (a restricted organization is named to its members, the secretariat and the
        meeting's conveners only)."""
        organization = point.responsible_organization
        if organization is None or not point.organization_shown:
            return None
        return OrganizationReference(organization).data


@extend_schema_view(
    list=extend_schema(summary="Action points of the meetings you may see"),
    retrieve=extend_schema(summary="An action point"),
)
class ActionPointViewSet(viewsets.ReadOnlyModelViewSet):
    """Action points of the meetings the caller may see, soonest due first (those without a
    due date last)."""

    serializer_class = ActionPointOutput
    filterset_class = ActionPointFilter
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ActionPoint.objects.none()
        return action_points_visible_to(self.request.user).select_related("agenda_item")

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
