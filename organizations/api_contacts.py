"""API for contacts and introductions; the same selectors and services as the pages."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from organizations.models import (
    Contact,
    IntroductionRequest,
    MembershipRole,
    Organization,
)
from organizations.selectors import (
    contacts_of_own_organization,
    introduction_of_requester,
    organizations_visible_to,
    requester_organizations,
)
from organizations.services import (
    contacts_reveal,
    introduction_decide,
    introduction_request,
    introduction_withdraw_consent,
)


class ContactOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Contact
        fields = ["id", "name", "role", "email", "phone", "secure_channel", "shareable"]


def organization_contacts(request, organization: Organization) -> Response:
    """Contacts of ``organization`` for the caller, or 403 (the organization itself is visible)."""
    own = contacts_of_own_organization(request.user, organization)
    if own is not None:
        return Response(ContactOutput(own, many=True).data)
    introduction = introduction_of_requester(request.user, organization)
    if introduction is None or introduction.status != "accepted":
        raise PermissionDenied
    shared = contacts_reveal(introduction=introduction, user=request.user, channel="api")
    return Response(ContactOutput(shared, many=True).data)


class IntroductionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    organization = serializers.UUIDField(source="organization.public_id")
    requester_organization = serializers.UUIDField(source="requester_organization.public_id")

    class Meta:
        model = IntroductionRequest
        fields = [
            "id",
            "organization",
            "requester_organization",
            "purpose",
            "status",
            "response_message",
            "created_at",
            "expires_at",
            "decided_at",
        ]


class IntroductionInput(serializers.Serializer):
    organization = serializers.UUIDField()
    requester_organization = serializers.UUIDField()
    purpose = serializers.CharField(min_length=30, max_length=4000)


class DecisionInput(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class IntroductionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Introduction requests the caller sent, or received as an admin of the organization."""

    serializer_class = IntroductionOutput
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return IntroductionRequest.objects.none()
        return IntroductionRequest.objects.filter(
            Q(requester=user)
            | Q(
                organization__memberships__user=user,
                organization__memberships__role=MembershipRole.ADMIN,
            )
        ).select_related("organization", "requester_organization")

    @extend_schema(request=IntroductionInput, responses={201: IntroductionOutput})
    def create(self, request):
        data = IntroductionInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = get_object_or_404(
            organizations_visible_to(request.user), public_id=data.validated_data["organization"]
        )
        on_behalf_of = get_object_or_404(
            requester_organizations(request.user),
            public_id=data.validated_data["requester_organization"],
        )
        introduction = introduction_request(
            requester=request.user,
            organization=organization,
            requester_organization=on_behalf_of,
            purpose=data.validated_data["purpose"],
        )
        return Response(IntroductionOutput(introduction).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, accept: bool):
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        introduction = introduction_decide(
            introduction=self.get_object(), by=request.user, accept=accept, **data.validated_data
        )
        return Response(IntroductionOutput(introduction).data)

    @extend_schema(request=DecisionInput, responses=IntroductionOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, public_id=None):
        return self._decide(request, accept=True)

    @extend_schema(request=DecisionInput, responses=IntroductionOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, public_id=None):
        return self._decide(request, accept=False)

    @extend_schema(request=None, responses=IntroductionOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, public_id=None):
        introduction = introduction_withdraw_consent(
            introduction=self.get_object(), by=request.user
        )
        return Response(IntroductionOutput(introduction).data)
