"""The directory's filters, shared by the HTML list, the API and the CSV export."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from organizations.languages import LANGUAGE_CHOICES
from organizations.models import Organization, Sector, Theme
from organizations.regions import Region
from organizations.search import organizations_search

ORDERINGS = {"name": ("name",), "-updated": ("-updated_at", "name")}


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=lambda: list(countries), method="filter_country"
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=Region.choices, method="filter_region"
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
    )
    women_led = django_filters.BooleanFilter(label=_("Women-led"))
    youth_led = django_filters.BooleanFilter(label=_("Youth-led"))
    language = django_filters.ChoiceFilter(
        label=_("Working language"), choices=LANGUAGE_CHOICES, method="filter_language"
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
