"""The filters of the API's lists of source documents, responses, implementation updates and
snapshots (the recommendations' own list uses ``recommendations.filters.RecommendationFilter``,
shared with the pages and exports).

Every value is checked: a bad one answers 400 naming the parameter, never a 500 and never
silently ignored. An organization's id picks out only the rows where the reader may see its
name, so the id of an at-risk organization tells nothing to whoever may not see it."""

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dialogues.filters import WorkingGroupFilter
from organizations.selectors import organizations_visible_to
from recommendations.api.common import cycle_ids_named, recommendation_key
from recommendations.models import (
    AddresseeResponse,
    CycleSnapshot,
    ImplementationStatus,
    ImplementationUpdate,
    Perspective,
    ResponseStatus,
    SourceDocument,
    SourceKind,
)

KEY_MAX_LENGTH = 100


class RecommendationKeyField(forms.CharField):
    """A recommendation's public id or its reference: the lookup, or a form error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", KEY_MAX_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        key = recommendation_key(value)
        if key is None:
            raise ValidationError(_("Enter a recommendation's id or its reference."))
        return key


class CycleField(forms.CharField):
    """A review cycle's public id or the slug of its name (gsx-2027): their ids, or a form
    error when no cycle has it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", KEY_MAX_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        ids = cycle_ids_named(value)
        if not ids:
            raise ValidationError(_("No review cycle has this id or name."))
        return ids


class RecommendationKeyFilter(django_filters.Filter):
    field_class = RecommendationKeyField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Recommendation"))
        kwargs.setdefault("help_text", _("Its id or its reference (PVE-CP-2017/POL-2a)."))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, key):
        if key is None:
            return queryset
        prefix = self.field_name
        if "public_id_or_reference" in key:
            public_id, reference = key["public_id_or_reference"]
            by_id = queryset.filter(**{f"{prefix}__public_id": public_id})
            if by_id.exists():
                return by_id
            return queryset.filter(**{f"{prefix}__reference": reference})
        ((name, value),) = key.items()
        return queryset.filter(**{f"{prefix}__{name}": value})


class CycleFilter(django_filters.Filter):
    field_class = CycleField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Review cycle"))
        kwargs.setdefault("help_text", _("Its id or its name as in addresses (gsx-2027)."))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, ids):
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": ids})


class ShownOrganizationFilter(django_filters.UUIDFilter):
    """An organization's public id; only the rows where the reader may see its name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("Its id."))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if value is None:
            return queryset
        request = getattr(self.parent, "request", None)
        user = getattr(request, "user", None) or AnonymousUser()
        shown = organizations_visible_to(user).filter(public_id=value)
        return queryset.filter(**{f"{self.field_name}__in": shown})


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


def _updated_since(field_name="updated_at"):
    return django_filters.IsoDateTimeFilter(
        label=_("Updated since"),
        field_name=field_name,
        lookup_expr="gte",
        help_text=_("Only those changed at or after this moment (ISO 8601)."),
    )


class SourceDocumentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=SourceKind.choices, empty_label=_("Any")
    )
    working_group = WorkingGroupFilter(field_name="working_group")
    year = YearFilter(
        label=_("Year"), field_name="published_on__year", help_text=_("Year of publication.")
    )
    updated_since = _updated_since()

    class Meta:
        model = SourceDocument
        fields: list[str] = []


class ResponseFilter(django_filters.FilterSet):
    recommendation = RecommendationKeyFilter(field_name="recommendation")
    organization = ShownOrganizationFilter(
        label=_("Addressed organization"), field_name="organization"
    )
    status = django_filters.ChoiceFilter(
        label=_("Response"), choices=ResponseStatus.choices, empty_label=_("Any")
    )
    updated_since = _updated_since()

    class Meta:
        model = AddresseeResponse
        fields: list[str] = []


class ImplementationUpdateFilter(django_filters.FilterSet):
    recommendation = RecommendationKeyFilter(field_name="recommendation")
    perspective = django_filters.ChoiceFilter(
        label=_("Perspective"), choices=Perspective.choices, empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ImplementationStatus.choices, empty_label=_("Any")
    )
    cycle = CycleFilter(field_name="cycle")
    reporting_organization = ShownOrganizationFilter(
        label=_("Reporting organization"), field_name="reporting_organization"
    )
    addressee = ShownOrganizationFilter(label=_("About the addressee"), field_name="addressee")
    updated_since = _updated_since()

    class Meta:
        model = ImplementationUpdate
        fields: list[str] = []


class SnapshotFilter(django_filters.FilterSet):
    perspective = django_filters.ChoiceFilter(
        label=_("Perspective"), choices=Perspective.choices, empty_label=_("Any")
    )
    recommendation = RecommendationKeyFilter(field_name="recommendation")

    class Meta:
        model = CycleSnapshot
        fields: list[str] = []
