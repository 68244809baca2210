"""API for contacts and introductions; the same selectors, rules and services as the pages."""

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from organizations.models import (
    PURPOSE_MAX_LENGTH,
    Contact,
    IntroductionRequest,
    IntroductionStatus,
    Organization,
)
from organizations.rules import is_verified_requester, may_see_shared_contacts
from organizations.selectors import (
    contacts_of_own_organization,
    introduction_of_requester,
    introductions_visible_to,
    organizations_of,
    organizations_visible_to,
)
from organizations.services import (
    contacts_reveal,
    introduction_block,
    introduction_renew_consent,
    introduction_request,
    introduction_set_state,
)


class ContactOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Contact
        fields = ["id", "name", "role", "email", "phone", "secure_channel", "shareable"]


def organization_contacts(request, organization: Organization) -> Response:
    """Contacts of ``organization`` for the caller, or 403 (the organization itself is visible)."""
    if request.user.has_perm("organizations.view_contacts", organization):
        own = contacts_of_own_organization(request.user, organization)
        return Response(ContactOutput(own, many=True).data)
    introduction = introduction_of_requester(request.user, organization)
    if introduction is None or not may_see_shared_contacts(request.user, introduction):
        raise PermissionDenied
    if request.auth is None and not did_recently_reauthenticate(request):
        # A browser session must confirm who is looking, as the page does; a personal token is
        # itself the confirmation.
        raise PermissionDenied(_("Confirm your password on the portal first."))
    shared = contacts_reveal(introduction=introduction, user=request.user, channel="api")
    return Response(ContactOutput(shared, many=True).data)


class IntroductionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    organization = serializers.UUIDField(source="organization.public_id")
    requester_organization = serializers.UUIDField(source="requester_organization.public_id")
    requester_name = serializers.CharField(source="requester.name")
    requester_email = serializers.EmailField(source="requester.email")
    requester_verified = serializers.SerializerMethodField()

    class Meta:
        model = IntroductionRequest
        fields = [
            "id",
            "organization",
            "requester_organization",
            "requester_name",
            "requester_email",
            "requester_verified",
            "purpose",
            "status",
            "response_message",
            "created_at",
            "expires_at",
            "decided_at",
            "consent_until",
        ]

    def get_requester_verified(self, introduction) -> bool:
        """Whether the secretariat has verified the requesting organization, now."""
        if hasattr(introduction, "requester_verified_at"):  # annotated by the selector
            return introduction.requester_verified_at is not None
        return is_verified_requester(introduction.requester_organization)


class IntroductionInput(serializers.Serializer):
    organization = serializers.UUIDField()
    requester_organization = serializers.UUIDField()
    purpose = serializers.CharField(min_length=30, max_length=PURPOSE_MAX_LENGTH)


class DecisionInput(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class BlockInput(serializers.Serializer):
    target = serializers.ChoiceField(choices=["person", "organization"])


class IntroductionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Introduction requests the caller sent, or received as an admin of the organization."""

    serializer_class = IntroductionOutput
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return IntroductionRequest.objects.none()
        return introductions_visible_to(self.request.user)

    @extend_schema(request=IntroductionInput, responses={201: IntroductionOutput})
    def create(self, request):
        data = IntroductionInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = get_object_or_404(
            organizations_visible_to(request.user), public_id=data.validated_data["organization"]
        )
        # Any of the caller's organizations: the service says why it may not ask for it.
        on_behalf_of = get_object_or_404(
            organizations_of(request.user),
            public_id=data.validated_data["requester_organization"],
        )
        introduction = introduction_request(
            requester=request.user,
            organization=organization,
            requester_organization=on_behalf_of,
            purpose=data.validated_data["purpose"],
        )
        return Response(IntroductionOutput(introduction).data, status=status.HTTP_201_CREATED)

    def _move(self, request, to: str):
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        introduction = introduction_set_state(
            introduction=self.get_object(), to=to, by=request.user, **data.validated_data
        )
        return Response(IntroductionOutput(introduction).data)

    @extend_schema(request=DecisionInput, responses=IntroductionOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request, public_id=None):
        return self._move(request, IntroductionStatus.ACCEPTED)

    @extend_schema(request=DecisionInput, responses=IntroductionOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request, public_id=None):
        return self._move(request, IntroductionStatus.DECLINED)

    @extend_schema(request=None, responses=IntroductionOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, public_id=None):
        return self._move(request, IntroductionStatus.WITHDRAWN)

    @extend_schema(request=None, responses=IntroductionOutput)
    @action(detail=True, methods=["post"])
    def renew(self, request, public_id=None):
        introduction = introduction_renew_consent(introduction=self.get_object(), by=request.user)
        return Response(IntroductionOutput(introduction).data)

    @extend_schema(request=BlockInput, responses={204: None})
    @action(detail=True, methods=["post"])
    def block(self, request, public_id=None):
        """Block the person or the organization that sent this request (the CSO's admins)."""
        data = BlockInput(data=request.data)
        data.is_valid(raise_exception=True)
        introduction = self.get_object()
        person = data.validated_data["target"] == "person"
        introduction_block(
            organization=introduction.organization,
            by=request.user,
            user=introduction.requester if person else None,
            requester_organization=None if person else introduction.requester_organization,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
