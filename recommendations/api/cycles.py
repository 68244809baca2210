"""Review cycles through the API: everyone may read them (as the road to the convening shows
them); the secretariat opens and closes them (``services.review_cycle_transition``); a closed
cycle's snapshot is paginated like any list."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gsx_portal.api_conditional import ConditionalReadMixin
from organizations.rules import is_secretariat
from recommendations.api.common import (
    ReaderContextMixin,
    RenderedOnce,
    SharedWithAnonymousMixin,
    VisibleMeetingField,
    as_uuid,
    cycle_ids_named,
    cycle_slug,
)
from recommendations.api.filtersets import SnapshotFilter
from recommendations.models import CycleSnapshot, CycleState, Perspective, ReviewCycle
from recommendations.rules import may_manage_recommendations
from recommendations.selectors import recommendations_visible_to
from recommendations.services import review_cycle_transition


class ReviewCycleOutput(RenderedOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    slug = serializers.SerializerMethodField()
    convening = VisibleMeetingField(help_text="The annual convening it feeds, if you may see it.")

    class Meta:
        model = ReviewCycle
        fields = [
            "id",
            "slug",
            "name",
            "convening",
            "opens_on",
            "closes_on",
            "reminder_offsets",
            "state",
            "opened_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]

    def get_slug(self, cycle) -> str:
        """Its name as in addresses and filters (``gsx-2027``)."""
        return cycle_slug(cycle)


class SnapshotRowOutput(serializers.ModelSerializer):
    reference = serializers.CharField(source="recommendation.reference")
    recommendation = serializers.UUIDField(source="recommendation.public_id")
    status = serializers.CharField(help_text='"" when that side had reported nothing by the close.')
    update = serializers.SerializerMethodField()

    class Meta:
        model = CycleSnapshot
        fields = ["reference", "recommendation", "perspective", "status", "update"]

    def get_update(self, row) -> str | None:
        """The id of the update the status comes from; null when there was none, or it has
        been hidden since (the status stays as frozen)."""
        update = row.update
        if update is None:
            return None
        if update.hidden_at is not None and not self.context["secretariat"]:
            return None
        return str(update.public_id)


class SnapshotPage(serializers.Serializer):
    """A page of a snapshot, as every list's (gsx_portal.pagination)."""

    count = serializers.IntegerField()
    count_capped = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SnapshotRowOutput(many=True)


SNAPSHOT_FILTERS = [
    OpenApiParameter("perspective", str, enum=Perspective.values, description="One side only."),
    OpenApiParameter("recommendation", str, description="A recommendation's id or its reference."),
]
KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="The cycle's id, or the slug of its name (gsx-2027).",
)


@extend_schema_view(
    list=extend_schema(summary="Review cycles"),
    retrieve=extend_schema(summary="A review cycle", parameters=[KEY]),
)
class ReviewCycleViewSet(
    ReaderContextMixin,
    SharedWithAnonymousMixin,
    ConditionalReadMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The yearly review cycles, latest first. Addressed by their public id or by the slug of
    their name (``gsx-2027``)."""

    serializer_class = ReviewCycleOutput
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    lookup_field = "key"
    lookup_value_regex = "[A-Za-z0-9-]{1,100}"
    representation = "review-cycle-1"
    conditional_actions = ("list", "retrieve")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ReviewCycle.objects.none()
        return ReviewCycle.objects.select_related("convening").order_by("-closes_on", "id")

    def filter_queryset(self, queryset):
        return queryset

    def get_object(self):
        key = self.kwargs["key"]
        queryset = self.get_queryset()
        if as_uuid(key) is not None:
            cycle = get_object_or_404(queryset, public_id=key)
        else:
            ids = cycle_ids_named(key)
            if len(ids) != 1:  # none, or two names with the same slug: use the id
                raise Http404
            cycle = queryset.get(pk=ids[0])
        self.check_object_permissions(self.request, cycle)
        self._reader_context([cycle])
        return cycle

    def meetings_of(self, cycle):
        return [cycle.convening_id]

    def _transition(self, request, to: str):
        cycle = self.get_object()
        if not may_manage_recommendations(request.user):
            raise PermissionDenied(_("Only the secretariat opens and closes review cycles."))
        review_cycle_transition(cycle=cycle, to=to, by=request.user)
        cycle = self.get_object()  # as it is now, with what the output reads
        return self.get_serializer(cycle).data

    @extend_schema(request=None, responses=ReviewCycleOutput, parameters=[KEY])
    @action(detail=True, methods=["post"])
    def open(self, request, key=None):
        """Open the update window (upcoming → open; one cycle open at a time)."""
        return Response(self._transition(request, CycleState.OPEN))

    @extend_schema(request=None, responses=ReviewCycleOutput, parameters=[KEY])
    @action(detail=True, methods=["post"])
    def close(self, request, key=None):
        """Close it (open → closed), freezing the snapshot of every published
        recommendation's status per perspective."""
        return Response(self._transition(request, CycleState.CLOSED))

    @extend_schema(responses=SnapshotPage, parameters=[KEY, *SNAPSHOT_FILTERS])
    @action(detail=True, methods=["get"])
    def snapshot(self, request, key=None):
        """Each recommendation's status per perspective when the cycle closed (empty until it
        closes), by reference."""
        cycle = self.get_object()
        rows = (
            CycleSnapshot.objects.filter(
                cycle=cycle, recommendation__in=recommendations_visible_to(request.user)
            )
            .select_related("recommendation", "update")
            .only(
                *("perspective", "status", "recommendation__reference"),
                *("recommendation__public_id", "update__public_id", "update__hidden_at"),
            )
            .order_by("recommendation__reference", "perspective")
        )
        # Filtered here rather than by the view's filter backend, whose queryset (and the
        # browsable API's filter form) is that of the cycles.
        filters = SnapshotFilter(request.query_params, queryset=rows, request=request)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        rows = filters.qs
        # The paginator itself: the page's rows are snapshot rows, not cycles.
        page = self.paginator.paginate_queryset(rows, request, view=self)
        context = {**self.get_serializer_context(), "secretariat": is_secretariat(request.user)}
        return self.get_paginated_response(SnapshotRowOutput(page, many=True, context=context).data)
