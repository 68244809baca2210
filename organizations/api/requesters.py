"""The secretariat's verification of requester organizations, through the API."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.models import RequesterVerification, VerificationMethod
from organizations.selectors import requester_organizations_for_secretariat
from organizations.services import requester_verification_revoke, requester_verify


class VerificationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    organization = serializers.UUIDField(source="organization.public_id")
    verified_by = serializers.EmailField(source="verified_by.email")

    class Meta:
        model = RequesterVerification
        fields = [
            "id",
            "organization",
            "name",
            "sector",
            "method",
            "evidence",
            "verified_by",
            "verified_at",
            "revoked_at",
            "revoke_reason",
        ]


class VerificationInput(serializers.Serializer):
    organization = serializers.UUIDField()
    method = serializers.ChoiceField(choices=VerificationMethod.choices)
    evidence = serializers.CharField(max_length=2000)


class RevokeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RequesterVerificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Verifications of government, security-sector and multilateral organizations: the
    secretariat only (404 for anyone else, who need not know the list exists)."""

    serializer_class = VerificationOutput
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RequesterVerification.objects.none()
        if not self.request.user.has_perm("organizations.verify_requesters"):
            raise Http404
        return RequesterVerification.objects.select_related("organization", "verified_by")

    @extend_schema(request=VerificationInput, responses={201: VerificationOutput})
    def create(self, request):
        self.get_queryset()
        data = VerificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = get_object_or_404(
            requester_organizations_for_secretariat(),
            public_id=data.validated_data.pop("organization"),
        )
        verification = requester_verify(
            organization=organization, by=request.user, **data.validated_data
        )
        return Response(VerificationOutput(verification).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevokeInput, responses=VerificationOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request, public_id=None):
        data = RevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        verification = requester_verification_revoke(
            verification=self.get_object(), by=request.user, reason=data.validated_data["reason"]
        )
        return Response(VerificationOutput(verification).data)
