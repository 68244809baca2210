"""The directory's filters, shared by the HTML list, the API and the CSV export."""

import functools
import html

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, format_html
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


class PlainBoundField(BoundField):
    """``as_field_group`` written in Python: Django renders each field of a form through three
    templates (the group, its label, its error list), ~0.13 ms a field, 1.6 ms for the filter
    form on every directory page. The HTML is that of ``django/forms/field.html`` for a field
    without a fieldset (label with its suffix and ``for``, help text, errors, widget with its
    ``aria-describedby``); fields with a fieldset keep Django's template."""

    def as_field_group(self):
        if self.use_fieldset:
            return super().as_field_group()
        parts = [self._label_html()] if self.label else []
        if self.help_text:
            helptext_id = f' id="{html.escape(self.auto_id)}_helptext"' if self.auto_id else ""
            parts.append(f'<div class="helptext"{helptext_id}>{self.help_text}</div>')
        if self.errors:
            parts.append(str(self.errors))
        parts.append(str(self))
        return mark_safe("\n".join(parts))  # noqa: S308 (each part escaped, as Django's)

    def _label_html(self) -> str:
        # BoundField.label_tag() and django/forms/label.html, without the template.
        label = self.label
        suffix = self.field.label_suffix
        if suffix is None:
            suffix = self.form.label_suffix
        if suffix and label[-1] not in _(":?.!"):
            contents = format_html("{}{}", label, suffix)
        else:
            contents = conditional_escape(label)
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        if not id_:
            return contents
        attrs = {}
        if id_for_label := widget.id_for_label(id_):
            attrs["for"] = id_for_label
        if self.field.required and hasattr(self.form, "required_css_class"):
            attrs["class"] = self.form.required_css_class
        return f"<label{_attributes(attrs)}>{contents}</label>"


class FilterForm(forms.Form):
    bound_field_class = PlainBoundField


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
        form = FilterForm

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

    def filter_queryset(self, queryset):
        """Every filter in turn, the search last: it ranks a bounded number of candidates taken
        among the queryset it is given, so the other filters must narrow that queryset first
        (applied after it, they would narrow the candidates instead of the matches)."""
        values = self.form.cleaned_data
        for name in sorted(values, key=lambda name: name == "q"):
            queryset = self.filters[name].filter(queryset, values[name])
        return queryset

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


# One grouped count per filter, over the results read once (a materialized CTE). It replaces a
# conditional aggregation of ~150 FILTER clauses (one per sector, region, language...), which
# Django took ~25 ms to compile and PostgreSQL evaluated on every row. A plain SELECT outside,
# so that pghistory does not take it for a write (it adds its context to any other statement).
_OPTION_COUNTS_SQL = """
SELECT kind, value, found FROM (
  WITH r (id, sector, women_led, youth_led, regions, languages, vetted)
    AS MATERIALIZED ({results})
  SELECT 'sector', sector, count(*) FROM r GROUP BY sector
  UNION ALL SELECT 'region', v, count(*) FROM r, unnest(r.regions) AS v GROUP BY v
  UNION ALL SELECT 'language', v, count(*) FROM r, unnest(r.languages) AS v GROUP BY v
  UNION ALL SELECT 'women_led', women_led::text, count(*) FROM r GROUP BY women_led
  UNION ALL SELECT 'youth_led', youth_led::text, count(*) FROM r GROUP BY youth_led
  UNION ALL SELECT 'vetted', vetted::text, count(*) FROM r GROUP BY vetted
  UNION ALL SELECT 'theme', theme.slug, count(*) FROM r
    JOIN {link} AS link ON link.{link_organization} = r.id
    JOIN {theme} AS theme ON theme.id = link.{link_theme}
    GROUP BY theme.slug
) AS counts (kind, value, found)
"""


def _option_counts_sql(connection) -> str:
    link = Organization.themes.through._meta
    quote = connection.ops.quote_name
    return _OPTION_COUNTS_SQL.format(
        results="{results}",
        link=quote(link.db_table),
        link_organization=quote(link.get_field("organization").column),
        link_theme=quote(link.get_field("theme").column),
        theme=quote(Theme._meta.db_table),
    )


def filter_option_counts(queryset: QuerySet) -> dict[str, dict[str, int]]:
    """How many of ``queryset`` each filter option would keep (sector, region, language,
    women-led, youth-led, vetted, theme), in one query whatever the number of rows.

    ``queryset`` is the list the reader sees (already narrowed to what they may see, and by the
    filters in force), so a count never reveals an organization the list would not show.
    """
    vetted = Coalesce(ExpressionWrapper(vetted_q(), output_field=BooleanField()), Value(False))
    # The columns in the order of the CTE's names (values() puts annotations last).
    results = (
        queryset.order_by()
        .annotate(vetted_now=vetted)
        .values(
            "pk", "sector", "women_led", "youth_led", "regions", "working_languages", "vetted_now"
        )
    )
    sql, params = results.query.sql_with_params()
    connection = connections[queryset.db]
    counts = {
        "sector": dict.fromkeys(Sector.values, 0),
        "region": dict.fromkeys(Region.values, 0),
        "language": dict.fromkeys(LANGUAGE_CODES, 0),
        "women_led": {"true": 0, "false": 0},
        "youth_led": {"true": 0, "false": 0},
        "vetted": {"true": 0, "false": 0},
        "theme": {},
    }
    with connection.cursor() as cursor:
        cursor.execute(_option_counts_sql(connection).replace("{results}", sql), params)
        for name, value, found in cursor.fetchall():
            counts[name][value] = found
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
