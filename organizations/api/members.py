"""Memberships and invitations through the API; the same services as the members page."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.response import Response

from organizations.models import Invitation, Membership, MembershipRole
from organizations.selectors import members_of, organizations_visible_to
from organizations.services import (
    InvitationLimitReached,
    invitation_accept,
    invitation_for_token,
    invitation_revoke,
    membership_change_role,
    membership_invite,
    membership_remove,
)


class MembershipOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    organization = serializers.UUIDField(source="organization.public_id")
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.name")

    class Meta:
        model = Membership
        fields = ["id", "organization", "email", "name", "role", "created_at"]


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=MembershipRole.choices, default=MembershipRole.MEMBER)


class InvitationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "expires_at"]


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=MembershipRole.choices)


class TokenInput(serializers.Serializer):
    token = serializers.CharField(max_length=200)


def organization_members(request, organization) -> Response:
    if not request.user.has_perm("organizations.view_members", organization):
        raise PermissionDenied
    return Response(MembershipOutput(members_of(organization), many=True).data)


def organization_invite(request, organization) -> Response:
    data = InvitationInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        invitation, _secret = membership_invite(
            organization=organization, by=request.user, **data.validated_data
        )
    except InvitationLimitReached as limit:
        raise Throttled(detail=" ".join(limit.messages)) from None
    return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


def organization_invitation_revoke(request, organization, invitation_id) -> Response:
    if not request.user.has_perm("organizations.view_members", organization):
        raise Http404  # an organization's invitations are for its own people to know
    invitation = get_object_or_404(Invitation, organization=organization, public_id=invitation_id)
    invitation_revoke(invitation=invitation, by=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipViewSet(viewsets.GenericViewSet):
    """Change a member's role or remove a member (admins), or leave an organization (anyone)."""

    serializer_class = MembershipOutput
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        visible = organizations_visible_to(self.request.user)
        return Membership.objects.filter(organization__in=visible).select_related(
            "user", "organization"
        )

    def get_object(self):
        membership = get_object_or_404(self.get_queryset(), public_id=self.kwargs["public_id"])
        if not (
            membership.user_id == self.request.user.pk
            or self.request.user.has_perm("organizations.view_members", membership.organization)
        ):
            raise Http404  # who belongs to an organization is for its members to know
        return membership

    @extend_schema(request=RoleInput, responses=MembershipOutput)
    def partial_update(self, request, public_id=None):
        data = RoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_change_role(
            membership=self.get_object(), by=request.user, role=data.validated_data["role"]
        )
        return Response(MembershipOutput(membership).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, public_id=None):
        membership_remove(membership=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=TokenInput, responses={201: MembershipOutput})
    @action(detail=False, methods=["post"], url_path="accept-invitation")
    def accept_invitation(self, request):
        """Join an organization with the token of an invitation sent to one of your addresses."""
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_for_token(data.validated_data["token"])
        if invitation is None:
            raise Http404
        membership = invitation_accept(invitation=invitation, user=request.user)
        return Response(MembershipOutput(membership).data, status=status.HTTP_201_CREATED)
