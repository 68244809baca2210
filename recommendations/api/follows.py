"""The caller's own follows through the API (``services.follow`` and ``unfollow``).

A follow has no public id of its own; it is named by what it follows, which is unique for one
person: ``recommendation:<id>``, ``theme:<slug>`` or ``working_group:<id>``. Only the caller's
own follows are ever looked up, so another person's answers 404."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dialogues.selectors import working_groups_visible_to
from gsx_portal.api_conditional import ConditionalReadMixin
from organizations.models import Theme
from recommendations.api.common import as_uuid, recommendation_named
from recommendations.models import Follow
from recommendations.selectors import recommendations_visible_to
from recommendations.services import follow, unfollow

KINDS = ("recommendation", "theme", "working_group")


def follow_key(row: Follow) -> str:
    if row.recommendation_id is not None:
        return f"recommendation:{row.recommendation.public_id}"
    if row.theme_id is not None:
        return f"theme:{row.theme.slug}"
    return f"working_group:{row.working_group.public_id}"


class FollowOutput(serializers.ModelSerializer):
    id = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()
    recommendation = serializers.SerializerMethodField()
    theme = serializers.SerializerMethodField()
    working_group = serializers.SerializerMethodField()

    class Meta:
        model = Follow
        fields = ["id", "kind", "recommendation", "theme", "working_group", "created_at"]

    def get_id(self, row) -> str:
        """What it follows, as its address: ``recommendation:<id>``, ``theme:<slug>`` or
        ``working_group:<id>``."""
        return follow_key(row)

    def get_kind(self, row) -> str:
        return follow_key(row).partition(":")[0]

    def get_recommendation(self, row) -> dict | None:
        """``{id, reference, title}``, or null."""
        r = row.recommendation
        if r is None:
            return None
        return {"id": str(r.public_id), "reference": r.reference, "title": r.title}

    def get_theme(self, row) -> dict | None:
        """``{slug, name}``, or null."""
        return None if row.theme is None else {"slug": row.theme.slug, "name": row.theme.name}

    def get_working_group(self, row) -> dict | None:
        """``{id, slug, name}``, or null."""
        g = row.working_group
        return None if g is None else {"id": str(g.public_id), "slug": g.slug, "name": g.name}


class FollowInput(serializers.Serializer):
    recommendation = serializers.CharField(
        required=False, max_length=100, help_text="A published recommendation's id or reference."
    )
    theme = serializers.SlugField(required=False, max_length=100, help_text="A theme's slug.")
    working_group = serializers.CharField(
        required=False, max_length=100, help_text="A working group's id or slug."
    )

    def validate(self, data):
        if len([kind for kind in KINDS if data.get(kind)]) != 1:
            raise serializers.ValidationError(
                _("Follow one recommendation, theme or working group.")
            )
        return data


KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="recommendation:<id>, theme:<slug> or working_group:<id>.",
)


@extend_schema_view(
    list=extend_schema(summary="What you follow"),
    retrieve=extend_schema(summary="One of your follows", parameters=[KEY]),
    create=extend_schema(
        summary="Follow a recommendation, a theme or a working group",
        request=FollowInput,
        responses={200: FollowOutput, 201: FollowOutput},
    ),
    destroy=extend_schema(summary="Stop following", parameters=[KEY]),
)
class FollowViewSet(
    ConditionalReadMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """What you follow; its changes come in your daily digest. Signed-in callers only."""

    serializer_class = FollowOutput
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "key"
    # Any key reaches the view (which needs a signed-in caller); one naming nothing is a 404.
    lookup_value_regex = "[^/]{1,120}"
    representation = "follow-1"

    def object_validator(self, row) -> str:
        return repr(FollowOutput(row).data)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Follow.objects.none()
        return (
            Follow.objects.filter(user=self.request.user)
            .select_related("recommendation", "theme", "working_group")
            .order_by("-created_at", "-id")
        )

    def get_object(self):
        kind, _sep, value = self.kwargs["key"].partition(":")
        if kind not in KINDS:
            raise Http404
        if kind == "theme":
            lookup = {"theme__slug": value}
        else:
            public_id = as_uuid(value)
            if public_id is None:
                raise Http404
            lookup = {f"{kind}__public_id": public_id}
        row = self.get_queryset().filter(**lookup).first()
        if row is None:
            raise Http404
        return row

    def create(self, request, *args, **kwargs):
        """Follow one thing (exactly one of ``recommendation``, ``theme``, ``working_group``):
        201 with the follow, or 200 with it if you followed it already."""
        data = FollowInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = self._target(request.user, data.validated_data)
        already = self.get_queryset().filter(**target).exists()
        row = follow(by=request.user, **target)
        row = self.get_queryset().get(pk=row.pk)
        code = status.HTTP_200_OK if already else status.HTTP_201_CREATED
        return Response(self.get_serializer(row).data, status=code)

    def perform_destroy(self, instance):
        unfollow(by=self.request.user, follow_id=instance.pk)

    def _target(self, user, values) -> dict:
        if values.get("recommendation"):
            found = recommendation_named(recommendations_visible_to(user), values["recommendation"])
            if found is None:
                unknown = _("No recommendation you may see has this id or reference.")
                raise ValidationError({"recommendation": [unknown]})
            return {"recommendation": found}
        if values.get("theme"):
            found = Theme.objects.filter(slug=values["theme"]).first()
            if found is None:
                raise ValidationError({"theme": [_("No theme has this slug.")]})
            return {"theme": found}
        value = values["working_group"].strip()
        public_id = as_uuid(value)
        groups = working_groups_visible_to(user)
        found = (
            groups.filter(public_id=public_id) if public_id else groups.filter(slug=value)
        ).first()
        if found is None:
            unknown = _("No working group you may see has this id or slug.")
            raise ValidationError({"working_group": [unknown]})
        return {"working_group": found}
