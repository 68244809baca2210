from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.models import User
from organizations.rules import has_mfa, is_privileged
from organizations.selectors import memberships_of
from organizations.services import user_update_preferences


class MembershipOutput(serializers.Serializer):
    organization = serializers.UUIDField(source="organization.public_id")
    organization_name = serializers.CharField(source="organization.name")
    sector = serializers.CharField(source="organization.sector")
    role = serializers.CharField()


class MeOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    privileged = serializers.SerializerMethodField()
    mfa_enabled = serializers.SerializerMethodField()
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "language",
            "timezone",
            "privileged",
            "mfa_enabled",
            "memberships",
        ]

    def get_privileged(self, user) -> bool:
        return is_privileged(user)

    def get_mfa_enabled(self, user) -> bool:
        return has_mfa(user)

    @extend_schema(responses=MembershipOutput(many=True))
    def get_memberships(self, user) -> list:
        return MembershipOutput(memberships_of(user), many=True).data


class MeInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=User._meta.get_field("language").choices, required=False
    )
    timezone = serializers.CharField(max_length=64, required=False)


class MeView(APIView):
    """The signed-in user: who they are, their preferences and their organizations."""

    @extend_schema(responses=MeOutput)
    def get(self, request):
        return Response(MeOutput(request.user).data)

    @extend_schema(request=MeInput, responses=MeOutput)
    def patch(self, request):
        data = MeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        values = {"name": user.name, "language": user.language, "timezone": user.timezone}
        values.update(data.validated_data)
        user_update_preferences(user=user, **values)
        return Response(MeOutput(user).data)
