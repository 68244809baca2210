"""The directory's filters, shared by the HTML list, the API and the CSV export."""

import functools
import html

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from organizations.languages import LANGUAGE_CODES, language_choices
from organizations.models import Organization, Sector, Theme, VettingStatus
from organizations.regions import Region
from organizations.rules import is_secretariat
from organizations.search import organizations_search
from organizations.selectors import vetted_q

# Strict, unlike a plain BooleanFilter, which reads any unknown value as "no filter".
YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _is_yes(value: str) -> bool:
    return value == "true"


class _Absent(forms.HiddenInput):
    """Renders nothing: the raw vetting filter is not offered to those who may not use it."""

    def render(self, name, value, attrs=None, renderer=None):
        return ""


def _escape(text) -> str:
    # The standard library's escape, as Django's ``escape`` and ``conditional_escape`` do it,
    # without their lazy-string wrapper (which costs more than the escaping, per option).
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def _attributes(attrs: dict) -> str:
    """HTML attributes as Django's ``django/forms/widgets/attrs.html`` writes them."""
    return "".join(
        f" {name}" if value is True else f' {name}="{html.escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@functools.lru_cache(maxsize=32)
def _options_in(language: str) -> dict[str, list[tuple[str, str]]]:
    # Sorting 250 country and ~100 language names by their translated names, and translating
    # each, is the same work for every page in one language: done once per process and language.
    return {
        "country": [(code, str(name)) for code, name in countries],
        "language": language_choices(),
    }


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country, in the reader's language and alphabetical order."""
    return _options_in(get_language() or "")["country"]


def working_language_choices() -> list[tuple[str, str]]:
    """(code, name) of every working language, in the reader's language and order."""
    return _options_in(get_language() or "")["language"]


class PlainSelect(forms.Select):
    """``forms.Select`` with its options written in Python rather than through a template per
    option: the directory's filter form has some 400 options (250 countries, ~100 languages),
    which Django's templates render in about 20 ms on every list and search page.

    The HTML is the one Django writes (same attributes, ``selected``, escaping, optgroups);
    the label, ids and ``aria-*`` come from the bound field as for any widget.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        parts = [f'<select name="{_escape(name)}"{_attributes(attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            grouped = isinstance(option_label, (list, tuple))
            if grouped:
                parts.append(f'\n  <optgroup label="{_escape(option_value)}">')
            else:
                option_label = [(option_value, option_label)]
            for subvalue, sublabel in option_label:
                subvalue = "" if subvalue is None else str(subvalue)
                selected = (not has_selected or self.allow_multiple_selected) and (
                    subvalue in chosen
                )
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{html.escape(subvalue)}"'
                    f"{' selected' if selected else ''}>{_escape(sublabel)}</option>"
                )
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value and label escaped above)


def _refuse_vetting_status(value):
    raise ValidationError(
        _("Only the secretariat can filter by vetting status; use vetted=true or vetted=false."),
        code="not_allowed",
    )


# The id last: names repeat, and a page must not depend on how the database orders ties.
ORDERINGS = {"name": ("name", "pk"), "-updated": ("-updated_at", "name", "pk")}


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), widget=PlainSelect, choices=Sector.choices, empty_label=_("Any")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        widget=PlainSelect,
        choices=country_choices,
        method="filter_country",
        empty_label=_("Any"),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"),
        widget=PlainSelect,
        choices=Region.choices,
        empty_label=_("Any"),
        method="filter_region",
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        widget=PlainSelect,
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label=_("Any"),
    )
    women_led = django_filters.TypedChoiceFilter(
        label=_("Women-led"), widget=PlainSelect, choices=YES_NO, coerce=_is_yes
    )
    youth_led = django_filters.TypedChoiceFilter(
        label=_("Youth-led"), widget=PlainSelect, choices=YES_NO, coerce=_is_yes
    )
    language = django_filters.ChoiceFilter(
        label=_("Working language"),
        widget=PlainSelect,
        choices=working_language_choices,
        method="filter_language",
        empty_label=_("Any"),
    )
    vetted = django_filters.TypedChoiceFilter(
        label=_("Vetted"),
        widget=PlainSelect,
        choices=YES_NO,
        coerce=_is_yes,
        method="filter_vetted",
    )
    # The raw state of the latest application: for the secretariat only (see __init__).
    vetting_status = django_filters.ChoiceFilter(
        label=_("Vetting status"),
        widget=PlainSelect,
        choices=VettingStatus.choices,
        empty_label=_("Any"),
        field_name="vetting_status",
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("Updated since"), field_name="updated_at", lookup_expr="gte"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        widget=PlainSelect,
        choices=[("name", _("Name")), ("-updated", _("Recently updated"))],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated and is_secretariat(user)):
            # Refused, not ignored: ignoring ?vetting_status=approved would answer with every
            # organization, which a client could read as "all of these are approved".
            self.filters["vetting_status"] = django_filters.CharFilter(
                method="filter_nothing", widget=_Absent, validators=[_refuse_vetting_status]
            )

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_vetted(self, queryset, name, value: bool):
        return queryset.filter(vetted_q()) if value else queryset.exclude(vetted_q())

    def filter_search(self, queryset, name, value: str):
        return organizations_search(queryset, value)

    def filter_country(self, queryset, name, value: str):
        # Each side has its index: a BitmapOr, not a scan of every row's countries.
        return queryset.filter(
            Q(headquarters_country=value) | Q(countries__codes__contains=[value])
        )

    def filter_region(self, queryset, name, value: str):
        return queryset.filter(regions__contains=[value])

    def filter_language(self, queryset, name, value: str):
        return queryset.filter(working_languages__contains=[value])

    def filter_sort(self, queryset, name, value: str):
        if self.form.cleaned_data.get("q"):
            return queryset  # search results come best match first
        return queryset.order_by(*ORDERINGS.get(value, ORDERINGS["name"]))


# The filters whose options carry counts, and what "this option" means in SQL.
def _counted_options() -> dict[str, dict[str, Q]]:
    return {
        "sector": {value: Q(sector=value) for value, _label in Sector.choices},
        "region": {value: Q(regions__contains=[value]) for value, _label in Region.choices},
        "language": {code: Q(working_languages__contains=[code]) for code in LANGUAGE_CODES},
        "women_led": {"true": Q(women_led=True), "false": Q(women_led=False)},
        "youth_led": {"true": Q(youth_led=True), "false": Q(youth_led=False)},
        "vetted": {"true": vetted_q(), "false": ~vetted_q()},
    }


def filter_option_counts(queryset: QuerySet) -> dict[str, dict[str, int]]:
    """How many of ``queryset`` each filter option would keep, in two queries whatever the
    number of rows: one conditional aggregation, one grouped count of themes.

    ``queryset`` is the list the reader sees (already narrowed to what they may see, and by the
    filters in force), so a count never reveals an organization the list would not show.
    """
    options = _counted_options()
    rows = queryset.order_by()
    totals = rows.aggregate(
        **{
            f"{name}__{value}": Count("pk", filter=condition)
            for name, conditions in options.items()
            for value, condition in conditions.items()
        }
    )
    counts = {
        name: {value: totals[f"{name}__{value}"] for value in conditions}
        for name, conditions in options.items()
    }
    # From the results to their themes (the through table's organization index), not from
    # every theme over the whole through table: the cost follows the results, not the table.
    counts["theme"] = dict(
        Organization.themes.through.objects.filter(organization__in=rows.values("pk"))
        .values_list("theme__slug")
        .annotate(found=Count("*"))
        .order_by()
    )
    return counts


def label_options_with_counts(filterset: "OrganizationFilter", counts) -> None:
    """ "Women-led: Yes (12)": each option of the filter form with how many results it keeps.
    Languages no result speaks are left out (there are over a hundred), unless chosen."""
    form = filterset.form
    for name, per_option in counts.items():
        field = form.fields.get(name)
        if field is None:
            continue
        chosen = form.data.get(name)
        if name == "theme":
            field.label_from_instance = lambda theme, n=per_option: _count_label(
                theme.name, n.get(theme.slug, 0)
            )
            continue
        field.choices = [
            (value, label if value == "" else _count_label(label, per_option.get(value, 0)))
            for value, label in field.choices
            if name != "language" or value in ("", chosen) or per_option.get(value, 0)
        ]


def _count_label(label, count: int) -> str:
    return _("%(option)s (%(count)s)") % {"option": label, "count": count}
