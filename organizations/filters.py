"""The directory's filters, shared by the HTML list, the API and the CSV export."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from organizations.languages import LANGUAGE_CHOICES
from organizations.models import Organization, Sector, Theme, VettingStatus
from organizations.regions import Region
from organizations.search import organizations_search

# Strict, unlike a plain BooleanFilter, which reads any unknown value as "no filter".
YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _is_yes(value: str) -> bool:
    return value == "true"


ORDERINGS = {"name": ("name",), "-updated": ("-updated_at", "name")}


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Sector.choices, empty_label=_("Any")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=lambda: list(countries),
        method="filter_country",
        empty_label=_("Any"),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=Region.choices, empty_label=_("Any"), method="filter_region"
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label=_("Any"),
    )
    women_led = django_filters.TypedChoiceFilter(
        label=_("Women-led"), choices=YES_NO, coerce=_is_yes
    )
    youth_led = django_filters.TypedChoiceFilter(
        label=_("Youth-led"), choices=YES_NO, coerce=_is_yes
    )
    language = django_filters.ChoiceFilter(
        label=_("Working language"),
        choices=LANGUAGE_CHOICES,
        method="filter_language",
        empty_label=_("Any"),
    )
    vetting_status = django_filters.ChoiceFilter(
        label=_("Vetting"),
        choices=VettingStatus.choices,
        empty_label=_("Any"),
        field_name="vetting_status",
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("Updated since"), field_name="updated_at", lookup_expr="gte"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("name", _("Name")), ("-updated", _("Recently updated"))],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_search(self, queryset, name, value: str):
        return organizations_search(queryset, value)

    def filter_country(self, queryset, name, value: str):
        # Country codes are two letters joined by commas, so a substring match is exact.
        return queryset.filter(headquarters_country=value) | queryset.filter(
            countries__contains=value
        )

    def filter_region(self, queryset, name, value: str):
        return queryset.filter(regions__contains=[value])

    def filter_language(self, queryset, name, value: str):
        return queryset.filter(working_languages__contains=[value])

    def filter_sort(self, queryset, name, value: str):
        if self.form.cleaned_data.get("q"):
            return queryset  # search results come best match first
        return queryset.order_by(*ORDERINGS.get(value, ORDERINGS["name"]))
