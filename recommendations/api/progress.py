"""Addressees' responses and implementation updates through the API: read through the
selectors (``responses_visible_to``, ``updates_visible_to``), changed through the services
(``response_record``, ``implementation_update_add``, ``implementation_update_hide``).

What the caller may not see answers 404; what they see but may not change answers 403 with a
message, and nothing is written; a service's refusal of the values answers 400 on the field."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from gsx_portal.api_conditional import ConditionalReadMixin
from organizations.selectors import organizations_visible_to
from recommendations.api.common import (
    PUBLIC_ID_REGEX,
    NamedOrganizationField,
    ReaderContextMixin,
    RenderedOnce,
    SharedWithAnonymousMixin,
    recommendation_named,
)
from recommendations.api.filtersets import ImplementationUpdateFilter, ResponseFilter
from recommendations.models import (
    COMMENT_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    AddresseeResponse,
    ImplementationStatus,
    ImplementationUpdate,
    Perspective,
    ResponseStatus,
)
from recommendations.rules import may_manage_recommendations, may_respond_for
from recommendations.selectors import (
    recommendations_visible_to,
    responses_visible_to,
    updates_visible_to,
)
from recommendations.services import (
    implementation_update_add,
    implementation_update_hide,
    response_record,
)
from recommendations.services.progress import MAX_EVIDENCE_LINKS


class RecommendationNamed(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    title = serializers.CharField()


class ResponseOutput(RenderedOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    recommendation = RecommendationNamed()
    organization = NamedOrganizationField(help_text="The addressed organization.")

    class Meta:
        model = AddresseeResponse
        fields = [
            "id",
            "recommendation",
            "organization",
            "status",
            "comment",
            "responded_on",
            "updated_at",
        ]


NOT_YOURS = gettext_lazy(
    "Only the addressed organization's members or the secretariat record its response."
)


# What a response may be recorded as (pending is where every response starts).
RECORDED_RESPONSES = [c for c in ResponseStatus.choices if c[0] != ResponseStatus.PENDING]


class ResponseInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=RECORDED_RESPONSES)
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=COMMENT_MAX_LENGTH, trim_whitespace=True
    )
    responded_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day of the response; today if absent."
    )


@extend_schema_view(
    list=extend_schema(summary="Addressees' responses you may see"),
    retrieve=extend_schema(summary="An addressee's response"),
)
class ResponseViewSet(
    ReaderContextMixin,
    SharedWithAnonymousMixin,
    ConditionalReadMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """One response per addressed organization of each recommendation you may see (pending
    until it gives one), by recommendation then organization. An organization you may not see
    is named without its id. Record one with ``POST …/{id}/record/``."""

    serializer_class = ResponseOutput
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_class = ResponseFilter
    lookup_field = "public_id"
    lookup_value_regex = PUBLIC_ID_REGEX
    representation = "response-1"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return AddresseeResponse.objects.none()
        return responses_visible_to(self.request.user).order_by(
            "recommendation__reference", "organization__name", "id"
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def organizations_of(self, response):
        return [response.organization_id]

    @extend_schema(request=ResponseInput, responses=ResponseOutput)
    @action(detail=True, methods=["post"])
    def record(self, request, public_id=None):
        """Record the organization's response (its members; the secretariat for a response
        sent by letter): ``supported``, ``noted`` or ``not_supported``, with a comment and the
        day. Every change is kept in the history."""
        response = self.get_object()
        if not may_respond_for(request.user, response.organization):
            raise PermissionDenied(NOT_YOURS)
        data = ResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            recorded = response_record(
                response=response,
                by=request.user,
                status=values["status"],
                comment=values.get("comment", ""),
                responded_on=values.get("responded_on"),
            )
        except DjangoPermissionDenied:  # the roles changed meanwhile
            raise PermissionDenied(NOT_YOURS) from None
        recorded = self.get_queryset().get(pk=recorded.pk)
        self._reader_context([recorded])
        return Response(self.get_serializer(recorded).data)


class UpdateOutput(RenderedOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    recommendation = RecommendationNamed()
    reporting_organization = NamedOrganizationField()
    addressee = NamedOrganizationField(
        allow_null=True,
        help_text="The addressed organization it is about (a self-report: the reporting one); "
        "null for an assessment of the recommendation as a whole.",
    )
    cycle = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()

    class Meta:
        model = ImplementationUpdate
        fields = [
            "id",
            "recommendation",
            "perspective",
            "status",
            "summary",
            "evidence_links",
            "reported_on",
            "reporting_organization",
            "addressee",
            "cycle",
            "hidden",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_cycle(self, update):
        """The review cycle it was reported in: ``{id, name}``, or null."""
        cycle = update.cycle
        return None if cycle is None else {"id": str(cycle.public_id), "name": cycle.name}

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_hidden(self, update):
        """Null unless it was hidden by the secretariat (who alone see hidden updates):
        ``{at, reason}``."""
        if update.hidden_at is None:
            return None
        at = serializers.DateTimeField().to_representation(update.hidden_at)
        return {"at": at, "reason": update.hidden_reason}


class UpdateInput(serializers.Serializer):
    recommendation = serializers.CharField(
        max_length=100, help_text="The recommendation's id or its reference."
    )
    perspective = serializers.ChoiceField(choices=Perspective.choices)
    reporting_organization = serializers.UUIDField(
        help_text="Your organization's id: an addressee for a self-report, a civil society "
        "organization vetted now for an independent assessment."
    )
    addressee = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="An independent assessment about one addressee: its id.",
    )
    status = serializers.ChoiceField(choices=ImplementationStatus.choices)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH)
    evidence_links = serializers.ListField(
        child=serializers.URLField(max_length=500),
        required=False,
        max_length=MAX_EVIDENCE_LINKS,
    )
    reported_on = serializers.DateField(required=False, allow_null=True)


class HideInput(serializers.Serializer):
    reason = serializers.CharField(max_length=COMMENT_MAX_LENGTH, help_text="Recorded.")


def _organization(user, public_id, field: str):
    found = organizations_visible_to(user).filter(public_id=public_id).first()
    if found is None:
        raise ValidationError({field: [_("No organization you may see has this id.")]})
    return found


REFUSALS = {
    Perspective.SELF_REPORT: gettext_lazy(
        "A self-report is posted by a member of an organization this recommendation addresses, "
        "for that organization."
    ),
    Perspective.INDEPENDENT: gettext_lazy(
        "An independent assessment is posted by a member of a civil society organization "
        "vetted now, for that organization."
    ),
}


@extend_schema_view(
    list=extend_schema(summary="Implementation updates you may see"),
    retrieve=extend_schema(summary="An implementation update"),
    create=extend_schema(
        summary="Post an implementation update", request=UpdateInput, responses={201: UpdateOutput}
    ),
)
class ImplementationUpdateViewSet(
    ReaderContextMixin,
    SharedWithAnonymousMixin,
    ConditionalReadMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """How far each recommendation you may see has been implemented, from both sides: the
    addressee's self-reports and civil society's independent assessments, latest first.
    Hidden (moderated) updates only for the secretariat, with the reason."""

    serializer_class = UpdateOutput
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_class = ImplementationUpdateFilter
    lookup_field = "public_id"
    lookup_value_regex = PUBLIC_ID_REGEX
    representation = "implementation-update-1"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ImplementationUpdate.objects.none()
        return (
            updates_visible_to(self.request.user)
            .select_related("recommendation")
            .order_by("-reported_on", "-id")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def organizations_of(self, update):
        return [update.reporting_organization_id, update.addressee_id]

    def create(self, request, *args, **kwargs):
        """Post an update (see the perspectives' rules in docs/recommendations.md): refused
        with 403 and a message to anyone else; nothing is written."""
        data = UpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        recommendation = recommendation_named(
            recommendations_visible_to(user), values["recommendation"]
        )
        if recommendation is None:
            unknown = _("No recommendation you may see has this id or reference.")
            raise ValidationError({"recommendation": [unknown]})
        reporting = _organization(user, values["reporting_organization"], "reporting_organization")
        addressee = values.get("addressee")
        if addressee is not None:
            addressee = _organization(user, addressee, "addressee")
        try:
            update = implementation_update_add(
                by=user,
                recommendation=recommendation,
                perspective=values["perspective"],
                reporting_organization=reporting,
                status=values["status"],
                summary=values["summary"],
                evidence_links=values.get("evidence_links", ()),
                reported_on=values.get("reported_on"),
                addressee=addressee,
            )
        except DjangoPermissionDenied:
            raise PermissionDenied(REFUSALS[values["perspective"]]) from None
        created = self.get_queryset().get(pk=update.pk)
        self._reader_context([created])
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HideInput, responses=UpdateOutput)
    @action(detail=True, methods=["post"])
    def hide(self, request, public_id=None):
        """Hide an update from everyone but the secretariat (the secretariat, with a reason,
        recorded)."""
        update = self.get_object()
        if not may_manage_recommendations(request.user):
            raise PermissionDenied(_("Only the secretariat hides updates."))
        data = HideInput(data=request.data)
        data.is_valid(raise_exception=True)
        hidden = implementation_update_hide(
            update=update, by=request.user, reason=data.validated_data["reason"]
        )
        hidden = self.get_queryset().get(pk=hidden.pk)
        self._reader_context([hidden])
        return Response(self.get_serializer(hidden).data)
