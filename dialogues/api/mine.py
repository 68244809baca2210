"""The caller's own invitations through the API: the same selector as "My meetings"."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from dialogues.api.references import MeetingReference, OrganizationReference
from dialogues.filters import ParticipationFilter
from dialogues.models import Participation
from dialogues.selectors import my_participations


class ParticipationOutput(serializers.ModelSerializer):
    """One's own invitation: never its answer token, never passport facts."""

    id = serializers.UUIDField(source="public_id")
    meeting = MeetingReference()
    organization = serializers.SerializerMethodField(
        help_text="On behalf of whom you are invited; null when you may no longer see it (you "
        "left a restricted organization, or it became restricted)."
    )

    @extend_schema_field(OrganizationReference(allow_null=True))
    def get_organization(self, participation):
        if not participation.organization_shown:
            return None
        return OrganizationReference(participation.organization).data

    class Meta:
        model = Participation
        fields = [
            "id",
            "meeting",
            "organization",
            "status",
            "needs_visa",
            "invited_at",
            "responded_at",
            "updated_at",
        ]


@extend_schema_view(
    list=extend_schema(summary="Your invitations"),
    retrieve=extend_schema(summary="One of your invitations"),
)
class ParticipationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your own invitations to meetings past their draft, soonest meeting first; another
    person's answers 404. Answer one with ``POST /api/v1/meetings/{id}/rsvp/``."""

    serializer_class = ParticipationOutput
    filterset_class = ParticipationFilter
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Participation.objects.none()
        return my_participations(self.request.user)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
