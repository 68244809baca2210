"""What the recommendations API's viewsets share: how one object names another (an
organization the reader may not see is named ``HIDDEN_ORGANIZATION``, without its id), the
reader's context worked out once per page, and bodies rendered once for their ETag and the
answer alike."""

import functools
import re
import uuid

from django.utils.text import slugify
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dialogues.selectors import meetings_visible_to, working_groups_visible_to
from gsx_portal.cached_pages import PAGE_NUMBER
from organizations.selectors import NETWORK_READER
from recommendations.models import REFERENCE_PATTERN, Recommendation, ReviewCycle
from recommendations.selectors import (
    HIDDEN_ORGANIZATION,
    organization_ids_shown_to,
    recommendations_audience,
)

PUBLIC_ID_REGEX = "[0-9a-fA-F-]{36}"
_REFERENCE = re.compile(REFERENCE_PATTERN)


def as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def recommendation_key(value: str) -> dict | None:
    """The lookup of a recommendation named by its public id or its reference; None when the
    value can be neither. A reference shaped like a UUID is looked up as both."""
    value = (value or "").strip()
    public_id = as_uuid(value) if len(value) == 36 else None
    if _REFERENCE.match(value) is None:
        return None if public_id is None else {"public_id": public_id}
    if public_id is not None:
        return {"public_id_or_reference": (public_id, value)}
    return {"reference": value}


def recommendation_named(queryset, value: str) -> Recommendation | None:
    """The recommendation of ``queryset`` named by ``value`` (its id, else its reference)."""
    key = recommendation_key(value)
    if key is None:
        return None
    if "public_id_or_reference" in key:
        public_id, reference = key["public_id_or_reference"]
        return (
            queryset.filter(public_id=public_id).first()
            or queryset.filter(reference=reference).first()
        )
    return queryset.filter(**key).first()


def cycle_slug(cycle: ReviewCycle) -> str:
    """A cycle's name as it is written in addresses and filters ("GSX 2027" → gsx-2027)."""
    return slugify(cycle.name)


def cycle_ids_named(value: str) -> list[int]:
    """The ids of the cycles named by ``value``: a public id, or the slug of a name. There is
    one cycle a year, so comparing the slugs of all their names costs one small query."""
    value = (value or "").strip()
    public_id = as_uuid(value)
    if public_id is not None:
        return list(ReviewCycle.objects.filter(public_id=public_id).values_list("pk", flat=True))
    wanted = slugify(value)
    names = ReviewCycle.objects.values_list("pk", "name")
    return [pk for pk, name in names if slugify(name) == wanted]


class OrganizationNamed(serializers.Serializer):
    id = serializers.UUIDField(
        allow_null=True, help_text="Null when the organization is not listed for you."
    )
    name = serializers.CharField()


@extend_schema_field(OrganizationNamed(allow_null=True))
class NamedOrganizationField(serializers.Field):
    """An organization as ``{id, name}``, or ``{id: null, name: "An organization not listed for
    you"}`` when the reader may not see it (``selectors.organization_ids_shown_to``, asked once
    per page by ``ReaderContextMixin``)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, organization):
        if organization.pk in self.context["shown_organizations"]:
            return {"id": str(organization.public_id), "name": organization.name}
        return {"id": None, "name": str(HIDDEN_ORGANIZATION)}


class WorkingGroupNamed(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.SlugField()
    name = serializers.CharField()


class MeetingNamed(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()


@extend_schema_field(WorkingGroupNamed(allow_null=True))
class VisibleWorkingGroupField(serializers.Field):
    """A working group, or null when there is none or the reader may not see it (an inactive
    group of others)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, group):
        if group.pk not in self.context["visible_groups"]:
            return None
        return {"id": str(group.public_id), "slug": group.slug, "name": group.name}


@extend_schema_field(MeetingNamed(allow_null=True))
class VisibleMeetingField(serializers.Field):
    """A meeting, or null when there is none or the reader may not see it."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, meeting):
        if meeting.pk not in self.context["visible_meetings"]:
            return None
        starts_at = serializers.DateTimeField().to_representation(meeting.starts_at)
        return {"id": str(meeting.public_id), "title": meeting.title, "starts_at": starts_at}


class ReaderContextMixin:
    """Works out, once for the objects of a page (or the one object of a detail), which of the
    organizations, working groups and meetings they name the reader may see: one query for
    each kind named, whatever the number of rows. Viewsets say what their objects name with
    ``organizations_of``, ``groups_of`` and ``meetings_of``.

    Bodies are rendered once: ``object_validator`` (the ETag's data) renders the body and keeps
    it on the object, and the answer reuses it (``RenderedOnce``), so the ETag describes
    exactly the bytes sent."""

    def organizations_of(self, obj):
        return ()

    def groups_of(self, obj):
        return ()

    def meetings_of(self, obj):
        return ()

    def prepare(self, objects) -> None:
        """Hook for what else a page needs (after the visibility sets)."""

    def _reader_context(self, objects) -> None:
        objects = list(objects)
        user = self.request.user
        # A shared answer names what its audience sees, not read again for the caller: a
        # membership that changes during this request must not slip into what others get.
        reader = NETWORK_READER if getattr(self, "audience", None) == "network" else None
        self.shown_organizations = organization_ids_shown_to(
            user, {pk for obj in objects for pk in self.organizations_of(obj)}, reader=reader
        )
        groups = {pk for obj in objects for pk in self.groups_of(obj) if pk is not None}
        self.visible_groups = (
            set(working_groups_visible_to(user).filter(pk__in=groups).values_list("pk", flat=True))
            if groups
            else set()
        )
        meetings = {pk for obj in objects for pk in self.meetings_of(obj) if pk is not None}
        self.visible_meetings = (
            set(meetings_visible_to(user).filter(pk__in=meetings).values_list("pk", flat=True))
            if meetings
            else set()
        )
        self.prepare(objects)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._reader_context(page if page is not None else queryset)
        return page

    def get_object(self):
        obj = super().get_object()
        self._reader_context([obj])
        return obj

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["shown_organizations"] = getattr(self, "shown_organizations", set())
        context["visible_groups"] = getattr(self, "visible_groups", set())
        context["visible_meetings"] = getattr(self, "visible_meetings", set())
        return context

    def object_validator(self, obj) -> str:
        serializer = self.get_serializer(obj)
        body = serializer.data
        obj._api_body = (type(serializer), body)
        return repr(body)


class RenderedOnce:
    """A serializer mixin: the body ``ReaderContextMixin.object_validator`` rendered for this
    object, when it rendered it with this serializer."""

    def to_representation(self, instance):
        rendered = getattr(instance, "_api_body", None)
        if rendered is not None and rendered[0] is type(self):
            return rendered[1]
        return super().to_representation(instance)


def anonymous_query(query) -> str | None:
    """The query string of an answer anonymous clients may share: none, or one of the first
    pages (``page=2``); anything else (filters, searches) is answered for each request, so the
    keys of shared answers stay bounded."""
    items = list(query.lists())
    if not items:
        return ""
    if len(items) != 1 or items[0][0] != "page" or len(items[0][1]) != 1:
        return None
    page = items[0][1][0]
    return f"page={page}" if PAGE_NUMBER.fullmatch(page) else None


class SharedWithAnonymousMixin:
    """Readers of one audience (``recommendations_audience``: anonymous clients, or signed-in
    callers who see exactly what any member sees) get the same rows and names, so an answer to
    one (a list's first pages without filters, or a detail) is kept and given to the others
    while nothing it shows has changed (``gsx_portal.api_conditional``, shared answers): every
    table these answers read is one of ``page_cache.TRACKED_TABLES``, whose committed changes
    end them. The secretariat, members of restricted organizations and those who manage
    meetings are answered for each."""

    @functools.cached_property
    def audience(self) -> str | None:
        return recommendations_audience(self.request.user)

    def reader_key(self, request) -> str | None:
        audience = recommendations_audience(request.user)
        return f"recommendations:{audience}" if audience else None

    def shareable_query(self, request) -> str | None:
        if self.action not in ("list", "retrieve"):
            return None
        return anonymous_query(request.GET)
