"""Source documents through the API: those carrying a recommendation the caller may see
(``selectors.sources_visible_to``; the secretariat: all), as on the pages."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from gsx_portal.api_conditional import ConditionalReadMixin
from recommendations.api.common import (
    PUBLIC_ID_REGEX,
    NamedOrganizationField,
    ReaderContextMixin,
    RenderedOnce,
    SharedWithAnonymousMixin,
    VisibleMeetingField,
    VisibleWorkingGroupField,
)
from recommendations.api.filtersets import SourceDocumentFilter
from recommendations.models import SourceDocument
from recommendations.selectors import sources_visible_to


class SourceDocumentOutput(RenderedOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    publishers = serializers.ListField(
        child=NamedOrganizationField(),
        source="publishers.all",
        read_only=True,
        help_text="Its publishers that are organizations of the portal (one you may not see is "
        "named without its id).",
    )
    meeting = VisibleMeetingField(help_text="The meeting it reports on, if you may see it.")
    working_group = VisibleWorkingGroupField()
    recommendations = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = SourceDocument
        fields = [
            "id",
            "title",
            "kind",
            "publishers",
            "other_publishers",
            "published_on",
            "language",
            "url",
            "meeting",
            "working_group",
            "recommendations",
            "page",
            "created_at",
            "updated_at",
        ]

    def get_recommendations(self, source) -> str:
        """The API address of its recommendations (those you may see)."""
        return reverse("recommendation-list") + f"?source={source.public_id}"

    def get_page(self, source) -> str:
        """Its page on the portal."""
        return reverse("recommendations:source", args=[source.public_id])


@extend_schema_view(
    list=extend_schema(summary="Source documents you may see"),
    retrieve=extend_schema(summary="A source document"),
)
class SourceDocumentViewSet(
    ReaderContextMixin,
    SharedWithAnonymousMixin,
    ConditionalReadMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Briefs, meeting reports, outcome documents, concept notes and working papers that carry
    a published recommendation (the secretariat: every one), latest first. Addressed by their
    public id."""

    serializer_class = SourceDocumentOutput
    permission_classes = [permissions.AllowAny]
    filterset_class = SourceDocumentFilter
    lookup_field = "public_id"
    lookup_value_regex = PUBLIC_ID_REGEX
    # Bump when the body changes for the same data.
    representation = "source-document-2"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return SourceDocument.objects.none()
        return (
            sources_visible_to(self.request.user)
            .select_related("meeting", "working_group")
            .prefetch_related("publishers")
            .order_by("-published_on", "title", "id")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def organizations_of(self, source):
        return [publisher.pk for publisher in source.publishers.all()]

    def groups_of(self, source):
        return [source.working_group_id]

    def meetings_of(self, source):
        return [source.meeting_id]
