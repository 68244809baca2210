"""Working groups through the API: the groups the caller may see, as on the groups' pages."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets

from dialogues.api.references import OrganizationReference
from dialogues.filters import WorkingGroupListFilter
from dialogues.models import WorkingGroup
from dialogues.selectors import working_groups_visible_to
from organizations.selectors import organizations_visible_to


class WorkingGroupOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    themes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    convening_organizations = OrganizationReference(
        many=True,
        source="visible_conveners",
        help_text="The convening organizations you may see (a restricted one only by its own "
        "members and the secretariat).",
    )

    class Meta:
        model = WorkingGroup
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "themes",
            "convening_organizations",
            "active",
            "created_at",
            "updated_at",
        ]


@extend_schema_view(
    list=extend_schema(summary="Working groups you may see"),
    retrieve=extend_schema(summary="A working group"),
)
class WorkingGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """Active working groups for everyone; inactive ones too for their conveners and the
    secretariat. Addressed by their public id (the ``id`` field); ``slug`` names them in
    page addresses and in the meetings' ``working_group`` filter."""

    serializer_class = WorkingGroupOutput
    permission_classes = [permissions.AllowAny]
    filterset_class = WorkingGroupListFilter
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return WorkingGroup.objects.none()
        user = self.request.user
        conveners = organizations_visible_to(user).only("public_id", "name").order_by("name")
        return (
            working_groups_visible_to(user)
            .prefetch_related(
                "themes",
                Prefetch("convening_organizations", conveners, to_attr="visible_conveners"),
            )
            .order_by("name", "id")
        )

    def filter_queryset(self, queryset):
        # A group is addressed by its id alone: the list's filters do not apply to it.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
