"""The short forms in which one object of dialogues names another in the API's answers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class OrganizationReference(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class WorkingGroupReference(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    slug = serializers.SlugField()
    name = serializers.CharField()


class MeetingReference(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField(help_text="The venue's IANA time zone.")
    working_group = WorkingGroupReference(allow_null=True)


@extend_schema_field(serializers.CharField(help_text='ISO 3166-1 alpha-2, or "".'))
class CountryCode(serializers.Field):
    """A CountryField's code ("" when none), without django-countries' Country object."""

    def to_representation(self, value) -> str:
        return getattr(value, "code", value) or ""
