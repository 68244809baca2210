"""The recommendations' filters: one FilterSet shared by the list page, its CSV and XLSX
exports and ``/api/v1/recommendations/``, so that a permalink, an export and an API query with
the same parameters select the same rows.

Every value is checked: a bad one is a form error (400 naming the parameter in the API, a
message on the page), never a 500 and never silently ignored. Values that name an object (a
source, an addressed organization, a working group, a cycle) are looked up among what the
reader may see, so an id of a draft's source or of a restricted organization is "not one of the
choices", exactly like an id that does not exist.
"""

import re
import uuid

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Upper
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dialogues.filters import WorkingGroupFilter
from organizations.filters import YES_NO, FilterForm, PlainSelect, _is_yes, country_choices
from organizations.models import Theme
from organizations.regions import Region
from organizations.selectors import organizations_visible_to
from recommendations.models import (
    AddresseeType,
    ImplementationStatus,
    ImplementationUpdate,
    Recommendation,
    ReviewCycle,
    Section,
)
from recommendations.selectors import sources_visible_to

SEARCH_MAX_LENGTH = 200
# A search of one token shaped like part of a reference (letters, digits and . _ / -, with a
# digit or a separator: "PRG-8", "pve-cp-2017") also looks for it inside references; the text
# search splits references into pieces and finds no part of one. Three characters at least, for
# the trigram index.
REFERENCE_FRAGMENT = re.compile(r"[A-Za-z0-9._/-]{3,80}")
# The stemming of each language the portal speaks and stores a search vector for (Spanish
# readers search the English, French and Arabic texts the recommendations are written in).
SEARCH_CONFIGS = (("search_en", "english"), ("search_fr", "french"), ("search_ar", "arabic"))
NO_UPDATE = "none"
STATUS_CHOICES = [*ImplementationStatus.choices, (NO_UPDATE, _("No update yet"))]
# From done to not done: "sort by status" puts what is implemented first.
STATUS_ORDER = [
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.PARTIALLY_IMPLEMENTED,
    ImplementationStatus.IN_PROGRESS,
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.STALLED,
    ImplementationStatus.NO_LONGER_RELEVANT,
    "",
]
ORDERING_CHOICES = [
    ("reference", _("Reference")),
    ("-date", _("Newest first")),
    ("date", _("Oldest first")),
    ("self_status", _("Status reported by the addressee")),
    ("independent_status", _("Status assessed by civil society")),
]
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _reader(request):
    return getattr(request, "user", None) or AnonymousUser()


def _status_rank(field: str) -> Case:
    return Case(
        *(When(**{field: status}, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )


# The id last: references are unique, dates and statuses repeat, and a page must not depend on
# how the database orders ties.
ORDERINGS = {
    "reference": ("reference", "id"),
    "-date": ("-source__published_on", "reference", "id"),
    "date": ("source__published_on", "reference", "id"),
    "self_status": (_status_rank("self_status"), "reference", "id"),
    "independent_status": (_status_rank("independent_status"), "reference", "id"),
}


class PublicIdOrSlugField(forms.ModelChoiceField):
    """An object named by its public id or, where it has one, its slug; only among the
    queryset (what the reader may see). Anything else is "not one of the choices"."""

    def __init__(self, *args, slug_field: str | None = None, **kwargs):
        self.slug_field = slug_field
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        try:
            key = {"public_id": uuid.UUID(value)}
        except ValueError:
            if self.slug_field is None:
                self._refuse(value)
            key = {self.slug_field: value}
        try:
            return self.queryset.get(**key)
        except (ValueError, TypeError, self.queryset.model.DoesNotExist):
            self._refuse(value)

    def _refuse(self, value):
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class PublicIdOrSlugFilter(django_filters.ModelChoiceFilter):
    field_class = PublicIdOrSlugField


class CycleField(forms.ModelChoiceField):
    """A review cycle by its public id or its name as a slug (``gsx-2027`` for "GSX 2027")."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        try:
            return self.queryset.get(public_id=uuid.UUID(value))
        except ValueError:
            pass
        except ReviewCycle.DoesNotExist:
            value = None
        if value:
            wanted = slugify(value)
            for cycle in self.queryset.only("pk", "name", "public_id"):
                if slugify(cycle.name) == wanted:
                    return self.queryset.get(pk=cycle.pk)
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


@extend_schema_field(OpenApiTypes.STR)  # an id or a slug, for the API's schema
class CycleFilter(django_filters.ModelChoiceFilter):
    field_class = CycleField


def _organizations_of_reader(request):
    return organizations_visible_to(_reader(request)).order_by("name", "id")


def _sources_of_reader(request):
    return sources_visible_to(_reader(request)).order_by("-published_on", "title", "id")


class RecommendationFilterForm(FilterForm):
    def clean_q(self):
        value = self.cleaned_data.get("q") or ""
        if "\x00" in value:
            raise ValidationError(_("Remove the null character from the search."))
        return " ".join(value.split())


class RecommendationFilter(django_filters.FilterSet):
    """Filters of the recommendations the reader may see; the caller passes
    ``recommendations_visible_to(user)`` as the queryset."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "Words of the reference, the title or the text, in English, French or Arabic; "
            "other forms of a word are found too. Use quotes for a phrase, - to leave a word out."
        ),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        widget=PlainSelect,
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label=_("Any"),
    )
    addressee_type = django_filters.ChoiceFilter(
        label=_("Addressed to"),
        widget=PlainSelect,
        choices=AddresseeType.choices,
        method="filter_addressee_type",
        empty_label=_("Any"),
        help_text=_("Recommendations addressed to all are listed under “All”."),
    )
    organization = PublicIdOrSlugFilter(
        label=_("Addressed organization"),
        widget=PlainSelect,
        queryset=_organizations_of_reader,
        field_name="addressed_organizations",
        slug_field="slug",
        empty_label=_("Any"),
        help_text=_("Its id or its slug."),
    )
    self_status = django_filters.ChoiceFilter(
        label=_("Status reported by the addressee"),
        widget=PlainSelect,
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Any"),
    )
    independent_status = django_filters.ChoiceFilter(
        label=_("Status assessed by civil society"),
        widget=PlainSelect,
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Any"),
    )
    source = PublicIdOrSlugFilter(
        label=_("Source document"),
        widget=PlainSelect,
        queryset=_sources_of_reader,
        field_name="source",
        empty_label=_("Any"),
        help_text=_("Its id."),
    )
    working_group = WorkingGroupFilter(field_name="source__working_group")
    cycle = CycleFilter(
        label=_("Review cycle"),
        widget=PlainSelect,
        queryset=ReviewCycle.objects.order_by("-closes_on", "id"),
        method="filter_cycle",
        empty_label=_("Any"),
        help_text=_("With an update in this cycle. Its id or its name, e.g. gsx-2027."),
    )
    section = django_filters.ChoiceFilter(
        label=_("Section"), widget=PlainSelect, choices=Section.choices, empty_label=_("Any")
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
        method="filter_region",
        empty_label=_("Any"),
    )
    year = django_filters.NumberFilter(
        label=_("Year"),
        field_name="source__published_on__year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("The year its source was published."),
    )
    # For the secretariat, who also sees drafts; anyone else's "published=false" is empty.
    published = django_filters.TypedChoiceFilter(
        label=_("Published"), widget=PlainSelect, choices=YES_NO, coerce=_is_yes
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("Updated since"),
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_("Changed (or responded to, or reported on) since this moment."),
    )
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        widget=PlainSelect,
        choices=ORDERING_CHOICES,
        method="filter_ordering",
        empty_label=None,
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []
        form = RecommendationFilterForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*ORDERINGS["reference"])
        return queryset

    def filter_search(self, queryset, name, value: str):
        """Each language's stemmed vector against the words stemmed the same way, and a
        reference cited in part through its trigram index: one BitmapOr over the indexes."""
        if not value:
            return queryset
        matches = Q()
        for field, config in SEARCH_CONFIGS:
            matches |= Q(**{field: SearchQuery(value, config=config, search_type="websearch")})
        fragment = reference_fragment(value)
        if fragment:
            queryset = queryset.alias(reference_upper=Upper("reference"))
            matches |= Q(reference_upper__contains=fragment)
        return queryset.filter(matches)

    def filter_addressee_type(self, queryset, name, value: str):
        return queryset.filter(addressee_types__contains=[value])

    def filter_status(self, queryset, name, value: str):
        return queryset.filter(**{name: "" if value == NO_UPDATE else value})

    def filter_cycle(self, queryset, name, cycle: ReviewCycle):
        return queryset.filter(
            Exists(
                ImplementationUpdate.objects.filter(
                    recommendation=OuterRef("pk"), cycle=cycle, hidden_at__isnull=True
                )
            )
        )

    def filter_country(self, queryset, name, value: str):
        return queryset.filter(countries__contains=[value])

    def filter_region(self, queryset, name, value: str):
        return queryset.filter(regions__contains=[value])

    def filter_ordering(self, queryset, name, value: str):
        return queryset.order_by(*ORDERINGS[value])


def reference_fragment(text: str) -> str | None:
    """``text`` in capitals if it may be part of a reference, else None."""
    token = text.strip()
    if REFERENCE_FRAGMENT.fullmatch(token) and any(c.isdigit() or c in "._/-" for c in token):
        return token.upper()
    return None


def by_relevance(queryset: QuerySet[Recommendation], text: str) -> QuerySet[Recommendation]:
    """The search results ``queryset`` best match first (the rank of the words in each
    language's vector, summed), then by reference. Ranking reads every match's vectors: the
    list asks for it only when the matches are few enough to have been counted exactly (at
    most a thousand), never over a large match set."""
    rank = sum(
        (
            SearchRank(F(field), SearchQuery(text, config=config, search_type="websearch"))
            for field, config in SEARCH_CONFIGS
        ),
        Value(0.0),
    )
    fragment = reference_fragment(text)
    if fragment:
        # A cited reference is what the reader is after: before any match of words.
        rank += Case(
            When(reference_upper__contains=fragment, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        queryset = queryset.alias(reference_upper=Upper("reference"))
    return queryset.alias(relevance=rank).order_by("-relevance", *ORDERINGS["reference"])
