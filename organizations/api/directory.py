import functools

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils.timezone import get_current_timezone
from django_countries import countries
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gsx_portal.api_conditional import ConditionalReadMixin
from gsx_portal.cached_pages import directory_query
from organizations.api import members as api_members
from organizations.api import vetting as api_vetting
from organizations.api.contacts import ContactOutput, organization_contacts
from organizations.filters import OrganizationFilter
from organizations.languages import LANGUAGE_CHOICES
from organizations.models import (
    CONSTITUENCY_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NETWORK_NAME_MAX_LENGTH,
    NETWORKS_MAX_COUNT,
    SUMMARY_LANGUAGES,
    SUMMARY_MAX_LENGTH,
    Criterion,
    Organization,
    Sector,
    Theme,
    User,
    VettingStatus,
    VisibilityTier,
)
from organizations.rules import has_mfa, is_privileged
from organizations.selectors import (
    memberships_of,
    organization_list,
    reader_of,
    vetted_until_of,
    vetting_status_of,
)
from organizations.services import (
    PROFILE_FIELDS,
    organization_register,
    organization_update,
    user_update_preferences,
)


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


SUBMITTED, CHANGES = VettingStatus.SUBMITTED, VettingStatus.CHANGES_REQUESTED
APPROVED, DECLINED = VettingStatus.APPROVED, VettingStatus.DECLINED


class OrganizationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    headquarters_country = serializers.SerializerMethodField()
    countries = serializers.SerializerMethodField()
    themes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    vetted_until = serializers.SerializerMethodField()
    vetting_status = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            *PROFILE_FIELDS,
            "themes",
            "regions",
            "vetted_until",
            "vetting_status",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, organization):
        """The fields above, written out: DRF's field-by-field rendering (and building those
        fields for every request) was most of the cost of a page of 50. Same output, checked
        against ``super().to_representation`` in tests/organizations/test_api_output.py."""
        row = organization.__dict__
        zone = get_current_timezone()
        themes = row.get("theme_slugs")  # organizations_for_output()
        if themes is None:
            themes = [theme.slug for theme in organization.themes.all()]
        return {
            "id": str(organization.public_id),
            "slug": organization.slug,
            "name": organization.name,
            "acronym": organization.acronym,
            "sector": organization.sector,
            "women_led": bool(organization.women_led),
            "youth_led": bool(organization.youth_led),
            "headquarters_country": self.get_headquarters_country(organization),
            "countries": self.get_countries(organization),
            "website": organization.website,
            "summary": organization.summary,
            "summary_translations": organization.summary_translations,
            "description": organization.description,
            "working_languages": list(organization.working_languages),
            "year_founded": organization.year_founded,
            "constituency": organization.constituency,
            "networks": list(organization.networks),
            "visibility_tier": organization.visibility_tier,
            "accepts_introductions": bool(organization.accepts_introductions),
            "themes": list(themes),
            "regions": list(organization.regions),
            "vetted_until": _iso(_vetted_until(organization), zone),
            "vetting_status": self.get_vetting_status(organization),
            "created_at": _iso(organization.created_at, zone),
            "updated_at": _iso(organization.updated_at, zone),
        }

    def get_headquarters_country(self, organization) -> str:
        # The stored code, read past the field's descriptor, which builds a Country object.
        code = organization.__dict__.get("headquarters_country")
        if code is None:
            return organization.headquarters_country.code or ""
        return _country_code(code) or ""

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_vetted_until(self, organization):
        """Until when the organization is vetted; null when it is not (for everyone)."""
        until = _vetted_until(organization)
        return serializers.DateTimeField().to_representation(until) if until else None

    @extend_schema_field(serializers.ChoiceField(choices=VettingStatus.choices, allow_null=True))
    def get_vetting_status(self, organization):
        """The latest application's state, "" if none; null unless the caller is a member of
        the organization or of the secretariat."""
        if hasattr(organization, "vetting_status"):
            return organization.vetting_status  # annotated per caller by organization_list()
        request = self.context.get("request")
        return vetting_status_of(request.user, organization) if request else None

    def get_countries(self, organization) -> list[str]:
        codes = organization.__dict__.get("countries")
        if codes is None:
            return [country.code for country in organization.countries]
        return [_country_code(code) for code in codes]


def _vetted_until(organization):
    if hasattr(organization, "vetted"):  # annotated by organization_list(), with the same clock
        return organization.vetted_until if organization.vetted else None
    return vetted_until_of(organization)


def _iso(value, zone) -> str | None:
    """DRF's DateTimeField rendering of an aware date and time (ISO 8601 in ``zone``, the
    request's time zone, and "Z" for UTC), without looking the zone up for every value."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@functools.cache
def _country_code(code: str) -> str:
    """What ``Country(code).code`` gives, without building a Country for every row."""
    return countries.alpha2(code) or code


# What the body of OrganizationOutput reads from a row's own columns (the rest: themes, and
# vetted_until and vetting_status, which depend on the clock and the caller, are annotations).
# The ETag covers them all (OrganizationViewSet.object_validator).
OUTPUT_COLUMNS = ("public_id", "slug", *PROFILE_FIELDS, "regions", "created_at", "updated_at")


def organizations_for_output(organizations):
    """``organizations`` (from organization_list) shaped for OrganizationOutput in one query:
    theme slugs as an array instead of a prefetch, without the search document nobody reads."""
    themes = Theme.objects.filter(organizations=OuterRef("pk")).order_by("order", "slug")
    return (
        organizations.prefetch_related(None)
        .defer("search_document")
        .annotate(theme_slugs=ArraySubquery(themes.values("slug")))
    )


COUNTRY_CHOICES = [code for code, _name in countries]


class OrganizationInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    acronym = serializers.CharField(max_length=30, required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=Sector.choices)
    women_led = serializers.BooleanField(required=False)
    youth_led = serializers.BooleanField(required=False)
    headquarters_country = serializers.ChoiceField(
        choices=COUNTRY_CHOICES, required=False, allow_blank=True
    )
    countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CHOICES), required=False
    )
    website = serializers.URLField(required=False, allow_blank=True)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    summary_translations = serializers.DictField(
        child=serializers.CharField(max_length=SUMMARY_MAX_LENGTH, allow_blank=True),
        required=False,
        help_text=(
            "The summary in other portal languages, by language code (en, fr, ar, es); "
            "a blank text removes that language. Replaces the whole set."
        ),
    )
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
    )
    themes = serializers.SlugRelatedField(
        many=True, slug_field="slug", queryset=Theme.objects.all(), required=False
    )
    working_languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), required=False
    )
    year_founded = serializers.IntegerField(required=False, allow_null=True)
    constituency = serializers.CharField(
        max_length=CONSTITUENCY_MAX_LENGTH, required=False, allow_blank=True
    )
    networks = serializers.ListField(
        child=serializers.CharField(max_length=NETWORK_NAME_MAX_LENGTH),
        max_length=NETWORKS_MAX_COUNT,
        required=False,
    )
    visibility_tier = serializers.ChoiceField(choices=VisibilityTier.choices, required=False)
    accepts_introductions = serializers.BooleanField(required=False)

    def validate_summary_translations(self, value):
        unknown = sorted(set(value) - set(SUMMARY_LANGUAGES))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown languages: {', '.join(unknown)}; use {', '.join(SUMMARY_LANGUAGES)}."
            )
        return value


class OrganizationChangeInput(OrganizationInput):
    confirm_visibility_change = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Must be true to change visibility_tier (admins only); without it the answer is 400 "
            "saying what the change would make visible."
        ),
    )


@extend_schema_view(
    list=extend_schema(responses=OrganizationOutput(many=True)),
    retrieve=extend_schema(responses=OrganizationOutput),
    create=extend_schema(request=OrganizationInput, responses={201: OrganizationOutput}),
    partial_update=extend_schema(request=OrganizationChangeInput, responses=OrganizationOutput),
)
class OrganizationViewSet(
    ConditionalReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Organizations the caller may see; anonymous clients see public profiles only.

    Lists and details carry an ETag and Last-Modified and answer 304 to a client that has the
    current body (gsx_portal/api_conditional.py).
    """

    serializer_class = OrganizationOutput
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_class = OrganizationFilter
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    # Bump when OrganizationOutput's body changes for the same data, so that no client keeps
    # an old body on a 304.
    representation = "organization-1"

    @functools.cached_property
    def reader(self):
        # Read once: the rows of this answer and the key it is shared under come from the same
        # read of the caller's memberships.
        return reader_of(self.request.user)

    def get_queryset(self):
        organizations = organization_list(self.request.user, reader=self.reader)
        if self.action in ("list", "retrieve"):
            return organizations_for_output(organizations)
        return organizations

    def filter_queryset(self, queryset):
        # The directory's filters narrow the list. A profile is addressed by its id alone: a
        # filter in its query string could only turn it into a 404, at the cost of building the
        # filter form (a sixth of a profile's time, measured).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def reader_key(self, request) -> str | None:
        # The rows depend on the caller through their reader alone: the body shows no one's
        # contacts, members or own data.
        return self.reader.key

    def shareable_query(self, request) -> str | None:
        # A profile by its id alone; the list for the directory's canonical queries (known
        # filters with valid values, the first pages): bounded keys, as the page cache's.
        if self.action == "retrieve":
            return "" if not request.GET else None
        if self.action == "list":
            return directory_query(request.GET)
        return None

    def object_validator(self, organization) -> str:
        # The stored values the body shows, as fetched (a write that skips updated_at still
        # changes them), and what the annotations made of the clock and the caller. Hashed in
        # Python: as an SQL expression PostgreSQL would compute it for every row it sorts.
        row = organization.__dict__
        until = organization.vetted_until if organization.vetted else None
        return repr(
            (
                [row[column] for column in OUTPUT_COLUMNS],
                organization.theme_slugs,
                until,
                organization.vetting_status,
            )
        )

    def create(self, request):
        data = OrganizationInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = organization_register(user=request.user, **data.validated_data)
        output = OrganizationOutput(organization, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ContactOutput(many=True))
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def contacts(self, request, public_id=None):
        """All contacts for members and the secretariat; the shareable ones, recorded, for the
        requester of an accepted introduction; 403 for anyone else."""
        return organization_contacts(request, self.get_object())

    @extend_schema(responses=api_members.MembershipOutput(many=True))
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def members(self, request, public_id=None):
        """Members of the organization (its members and the secretariat only)."""
        return api_members.organization_members(request, self.get_object())

    @extend_schema(
        request=api_members.InvitationInput, responses={201: api_members.InvitationOutput}
    )
    @action(detail=True, methods=["post"])
    def invitations(self, request, public_id=None):
        """Invite someone by email (the organization's admins); 429 past the daily limits."""
        return api_members.organization_invite(request, self.get_object())

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"invitations/(?P<invitation_id>[0-9a-fA-F-]{36})",
        url_name="invitation-revoke",
    )
    def invitation_revoke(self, request, public_id=None, invitation_id=None):
        """Revoke an open invitation (the organization's admins)."""
        return api_members.organization_invitation_revoke(request, self.get_object(), invitation_id)

    @extend_schema(responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def vetting(self, request, public_id=None):
        """The current vetting application (its members and the secretariat only)."""
        return api_vetting.vetting_show(request, self.get_object())

    @extend_schema(request=None, responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["post"], url_path="vetting/start")
    def vetting_start(self, request, public_id=None):
        return api_vetting.vetting_start_action(request, self.get_object())

    @extend_schema(request=api_vetting.EvidenceInput, responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["post"], url_path="vetting/evidence")
    def vetting_evidence(self, request, public_id=None):
        return api_vetting.vetting_evidence_action(request, self.get_object())

    @extend_schema(request=None, responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["post"], url_path="vetting/submit")
    def vetting_submit(self, request, public_id=None):
        return api_vetting.vetting_transition_action(request, self.get_object(), SUBMITTED)

    @extend_schema(request=api_vetting.AssessInput, responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["post"], url_path="vetting/assess")
    def vetting_assess(self, request, public_id=None):
        return api_vetting.vetting_assess_action(request, self.get_object())

    @extend_schema(request=api_vetting.MessageInput, responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["post"], url_path="vetting/request-changes")
    def vetting_request_changes(self, request, public_id=None):
        return api_vetting.vetting_transition_action(request, self.get_object(), CHANGES)

    @extend_schema(request=api_vetting.MessageInput, responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["post"], url_path="vetting/approve")
    def vetting_approve(self, request, public_id=None):
        return api_vetting.vetting_transition_action(request, self.get_object(), APPROVED)

    @extend_schema(request=api_vetting.MessageInput, responses=api_vetting.VettingOutput)
    @action(detail=True, methods=["post"], url_path="vetting/decline")
    def vetting_decline(self, request, public_id=None):
        return api_vetting.vetting_transition_action(request, self.get_object(), DECLINED)

    @extend_schema(request=api_vetting.DocumentInput, responses=api_vetting.VettingOutput)
    @action(
        detail=True,
        methods=["post"],
        url_path="vetting/documents",
        parser_classes=[MultiPartParser],
    )
    def vetting_documents(self, request, public_id=None):
        """Attach a supporting document (multipart: file, kind, description)."""
        return api_vetting.vetting_document_upload_action(request, self.get_object())

    @extend_schema(request=None, responses={(200, "application/octet-stream"): bytes, 204: None})
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"vetting/documents/(?P<document_id>[0-9a-fA-F-]{36})",
        url_name="vetting-document",
        permission_classes=[permissions.IsAuthenticated],
    )
    def vetting_document(self, request, public_id=None, document_id=None):
        """Download a supporting document (GET), or remove it while the application is editable
        (DELETE)."""
        organization = self.get_object()
        if request.method == "DELETE":
            return api_vetting.vetting_document_remove_action(request, organization, document_id)
        return api_vetting.vetting_document_download(request, organization, document_id)

    def partial_update(self, request, public_id=None):
        organization = self.get_object()
        data = OrganizationChangeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = dict(data.validated_data)
        confirmed = profile.pop("confirm_visibility_change", False)
        organization_update(
            organization=organization,
            user=request.user,
            confirm_visibility_change=confirmed,
            **profile,
        )
        return Response(
            OrganizationOutput(organization, context=self.get_serializer_context()).data
        )


class ThemeOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Theme
        fields = ["slug", "name", "names"]


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Theme.objects.all()
    serializer_class = ThemeOutput
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"


class CriterionOutput(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Criterion
        fields = ["code", "group", "title", "titles"]


class CriterionViewSet(viewsets.ReadOnlyModelViewSet):
    """The Better Peace Tool criteria against which civil society organizations are vetted."""

    queryset = Criterion.objects.all()
    serializer_class = CriterionOutput
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    filterset_fields = ["group"]
