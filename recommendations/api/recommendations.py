"""Recommendations through the API: those the caller may see (``recommendations_visible_to``:
published ones; drafts too for the secretariat), filtered by the list page's own FilterSet
(``recommendations.filters.RecommendationFilter``), each with its current status from both
sides, a summary of its addressees' responses, its themes and links.

Addressed by public id or by reference: ``/recommendations/<id>/`` and
``/recommendations/PVE-CP-2017/POL-2a/`` answer the same recommendation."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, viewsets

from gsx_portal.api_conditional import ConditionalReadMixin
from organizations.rules import is_secretariat
from recommendations.api.common import (
    NamedOrganizationField,
    ReaderContextMixin,
    RenderedOnce,
    SharedWithAnonymousMixin,
    recommendation_named,
)
from recommendations.filters import RecommendationFilter
from recommendations.models import (
    REFERENCE_PATTERN,
    AddresseeResponse,
    Perspective,
    Recommendation,
    ResponseStatus,
)
from recommendations.selectors import recommendations_visible_to

API = "/api/v1"


class SourceNamed(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    kind = serializers.CharField()
    published_on = serializers.DateField()


class StatusBySide(serializers.Serializer):
    self_report = serializers.CharField(
        allow_null=True, help_text="The addressee's latest visible self-report; null if none."
    )
    independent_assessment = serializers.CharField(
        allow_null=True, help_text="Civil society's latest visible assessment; null if none."
    )


class ResponsesSummary(serializers.Serializer):
    pending = serializers.IntegerField()
    supported = serializers.IntegerField()
    noted = serializers.IntegerField()
    not_supported = serializers.IntegerField()


class Links(serializers.Serializer):
    page = serializers.CharField(help_text="Its page on the portal.")
    self = serializers.CharField()
    responses = serializers.CharField()
    updates = serializers.CharField()
    source = serializers.CharField()


class RecommendationOutput(RenderedOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    source = SourceNamed()
    parent = serializers.SerializerMethodField()
    themes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    countries = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "reference",
            "title",
            "text",
            "section",
            "position",
            "parent",
            "source",
            "themes",
            "addressee_types",
            "countries",
            "regions",
            "published",
            "status",
            "responses",
            "links",
            "created_at",
            "updated_at",
        ]

    def get_parent(self, recommendation) -> str | None:
        """The reference of the recommendation it is a sub-point of, if you may see it."""
        parent = recommendation.parent
        if parent is None or not (parent.published or self.context["secretariat"]):
            return None
        return parent.reference

    def get_countries(self, recommendation) -> list[str]:
        """ISO 3166-1 alpha-2 codes of the countries in scope."""
        return [str(getattr(country, "code", country)) for country in recommendation.countries]

    @extend_schema_field(StatusBySide)
    def get_status(self, recommendation):
        """Its current status as each side sees it (they may disagree)."""
        return {
            Perspective.SELF_REPORT.value: recommendation.self_status or None,
            Perspective.INDEPENDENT.value: recommendation.independent_status or None,
        }

    @extend_schema_field(ResponsesSummary)
    def get_responses(self, recommendation):
        """How many addressed organizations gave each response."""
        counts = getattr(recommendation, "response_counts", {})
        return {status: counts.get(status, 0) for status in ResponseStatus.values}

    @extend_schema_field(Links)
    def get_links(self, recommendation):
        """Its page, and the API addresses of it, its responses, its implementation updates and
        its source."""
        key = recommendation.public_id
        return {
            "page": reverse("recommendations:detail", args=[key]),
            "self": f"{API}/recommendations/{key}/",
            "responses": f"{API}/responses/?recommendation={key}",
            "updates": f"{API}/implementation-updates/?recommendation={key}",
            "source": f"{API}/source-documents/{recommendation.source.public_id}/",
        }


class AddresseeOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", help_text="The response's id.")
    organization = NamedOrganizationField()

    class Meta:
        model = AddresseeResponse
        fields = ["id", "organization", "status", "comment", "responded_on"]


class RecommendationDetailOutput(RecommendationOutput):
    addressees = AddresseeOutput(
        many=True,
        source="responses.all",
        read_only=True,
        help_text="Each addressed organization and its response.",
    )
    repeats = serializers.SerializerMethodField()
    sub_points = serializers.SerializerMethodField()

    class Meta(RecommendationOutput.Meta):
        fields = [*RecommendationOutput.Meta.fields, "addressees", "repeats", "sub_points"]

    def get_repeats(self, recommendation) -> list[str]:
        """References of the earlier recommendations it repeats (those you may see)."""
        return [r.reference for r in recommendation.visible_repeats]

    def get_sub_points(self, recommendation) -> list[str]:
        """References of its sub-points (those you may see), in order."""
        return [r.reference for r in recommendation.visible_sub_points]


KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="The recommendation's id, or its reference (PVE-CP-2017/POL-2a).",
)


@extend_schema_view(
    list=extend_schema(summary="Recommendations you may see"),
    retrieve=extend_schema(summary="A recommendation", parameters=[KEY]),
)
class RecommendationViewSet(
    ReaderContextMixin,
    SharedWithAnonymousMixin,
    ConditionalReadMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Published recommendations for everyone, drafts too for the secretariat; by reference
    unless ``ordering`` says otherwise. Filters, search and sort are the list page's."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_class = RecommendationFilter
    lookup_field = "key"
    # A public id, or a reference: references may hold "/" and ".".
    lookup_value_regex = REFERENCE_PATTERN.removeprefix("^").removesuffix("$")
    representation = "recommendation-2"

    def get_serializer_class(self):
        return RecommendationOutput if self.action == "list" else RecommendationDetailOutput

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["secretariat"] = is_secretariat(self.request.user)
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Recommendation.objects.none()
        user = self.request.user
        queryset = (
            recommendations_visible_to(user)
            .select_related("source", "parent")
            .prefetch_related("themes")
            .defer("search_en", "search_fr", "search_ar")
            .order_by("reference", "id")
        )
        if self.action != "list":
            visible = recommendations_visible_to(user).only("pk", "reference", "position")
            queryset = queryset.prefetch_related(
                Prefetch(
                    "responses",
                    AddresseeResponse.objects.select_related("organization").order_by(
                        "organization__name", "id"
                    ),
                ),
                Prefetch("repeats", visible.order_by("reference"), to_attr="visible_repeats"),
                Prefetch(
                    "sub_points",
                    visible.order_by("position", "reference"),
                    to_attr="visible_sub_points",
                ),
            )
        return queryset

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        found = recommendation_named(self.get_queryset(), self.kwargs["key"])
        if found is None:
            raise Http404
        self.check_object_permissions(self.request, found)
        self._reader_context([found])
        return found

    def organizations_of(self, recommendation):
        if self.action == "list":
            return ()
        return [response.organization_id for response in recommendation.responses.all()]

    def prepare(self, recommendations) -> None:
        """The responses' summary of the page's recommendations, in one query."""
        counts: dict[int, dict[str, int]] = {r.pk: {} for r in recommendations}
        if not counts:
            return
        rows = (
            AddresseeResponse.objects.filter(recommendation_id__in=counts)
            .values_list("recommendation_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        for recommendation_id, status, n in rows:
            counts[recommendation_id][status] = n
        for recommendation in recommendations:
            recommendation.response_counts = counts[recommendation.pk]
