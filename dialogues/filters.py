"""The filters of dialogues' lists: one FilterSet per list, shared by the API and the pages
(the meeting list page and ``/api/v1/meetings/`` use the same ``MeetingFilter``).

Every value is checked: a bad one is a form error (400 naming the parameter in the API, a
message on the page), never a 500 and never silently ignored."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import DateField, F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogues.models import (
    ActionPoint,
    ActionPointStatus,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
    WorkingGroup,
)
from dialogues.selectors import working_groups_visible_to
from organizations.filters import FilterForm, PlainSelect, country_choices
from organizations.regions import REGION_OF_COUNTRY, Region

SEARCH_MAX_LENGTH = 200


class VenueDay(Func):
    """The day a meeting starts on in its venue's time zone (PostgreSQL's ``timezone(zone,
    moment)`` gives the wall-clock time there)."""

    template = "(timezone(%(expressions)s))::date"
    output_field = DateField()

    def __init__(self, **extra):
        super().__init__(F("timezone"), F("starts_at"), **extra)


def _utc_midnight(day: date, days: int) -> datetime | None:
    """Midnight UTC ``days`` after ``day``; None past the calendar's ends."""
    try:
        return datetime.combine(day + timedelta(days=days), time.min, tzinfo=UTC)
    except OverflowError:
        return None


class WorkingGroupField(forms.ModelChoiceField):
    """A working group named by its public id or its slug (the page's select sends slugs)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        try:
            key = {"public_id": uuid.UUID(value)}
        except ValueError:
            key = {"slug": value}
        try:
            return self.queryset.get(**key)
        except (ValueError, TypeError, WorkingGroup.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class WorkingGroupFilter(django_filters.ModelChoiceFilter):
    """One of the working groups the reader may see (an inactive group of others is unknown)."""

    field_class = WorkingGroupField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Working group"))
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("empty_label", _("Any"))
        kwargs.setdefault("widget", PlainSelect)
        kwargs.setdefault("help_text", _("Its id or its slug."))
        super().__init__(*args, queryset=_groups_of_reader, **kwargs)


def _groups_of_reader(request):
    user = getattr(request, "user", None) or AnonymousUser()
    return working_groups_visible_to(user).order_by("name", "id")


class MeetingFilterForm(FilterForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("This day is before the “from” day."))
        return cleaned


WHEN_CHOICES = [("coming", _("Coming")), ("past", _("Past"))]


class MeetingFilter(django_filters.FilterSet):
    """The meetings' filters; ``from`` and ``to`` (days the meeting starts on or after, on or
    before, in the venue's time zone) are added below the class: ``from`` is a keyword."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words of the title, the city or the working group's name."),
    )
    working_group = WorkingGroupFilter(field_name="working_group")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), widget=PlainSelect, choices=MeetingKind.choices, empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), widget=PlainSelect, choices=MeetingStatus.choices, empty_label=_("Any")
    )
    # Not "format": DRF reads ?format= as the answer's media type (?format=json).
    meeting_format = django_filters.ChoiceFilter(
        label=_("Format"),
        field_name="format",
        widget=PlainSelect,
        choices=MeetingFormat.choices,
        empty_label=_("Any"),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), widget=PlainSelect, choices=country_choices, empty_label=_("Any")
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"),
        widget=PlainSelect,
        choices=Region.choices,
        empty_label=_("Any"),
        method="filter_region",
        help_text=_("Of the country the meeting takes place in."),
    )
    when = django_filters.ChoiceFilter(
        label=_("When"),
        widget=PlainSelect,
        choices=WHEN_CHOICES,
        empty_label=_("Any time"),
        method="filter_when",
        help_text=_("Coming: not ended yet, soonest first. Past: ended, latest first."),
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("Updated since"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Meeting
        fields: list[str] = []
        form = MeetingFilterForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # The id last: meetings may start at the same moment, and a page must not depend on
        # how the database orders ties.
        if self.form.cleaned_data.get("when") == "past":
            return queryset.order_by("-starts_at", "-id")
        return queryset.order_by("starts_at", "id")

    def filter_search(self, queryset, name, value: str):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(city__icontains=word)
                | Q(working_group__name__icontains=word)
            )
        return queryset

    def filter_region(self, queryset, name, value: str):
        return queryset.filter(
            country__in=[code for code, region in REGION_OF_COUNTRY.items() if region == value]
        )

    def filter_when(self, queryset, name, value: str):
        now = timezone.now()
        if value == "past":
            return queryset.filter(ends_at__lt=now)
        return queryset.filter(ends_at__gte=now)

    def filter_from(self, queryset, name, value: date):
        # The UTC bound lets the index on starts_at narrow the rows first: a day starts
        # somewhere between 14 hours before and 12 hours after its midnight in UTC.
        bound = _utc_midnight(value, -1)
        if bound is not None:
            queryset = queryset.filter(starts_at__gte=bound)
        return queryset.alias(venue_day=VenueDay()).filter(venue_day__gte=value)

    def filter_to(self, queryset, name, value: date):
        bound = _utc_midnight(value, 2)
        if bound is not None:
            queryset = queryset.filter(starts_at__lt=bound)
        return queryset.alias(venue_day=VenueDay()).filter(venue_day__lte=value)


def _day_filter(label, method: str, help_text) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label,
        method=method,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=help_text,
    )


MeetingFilter.base_filters["from"] = _day_filter(
    _("From"), "filter_from", _("Starts on or after this day (YYYY-MM-DD), in the venue's time.")
)
MeetingFilter.base_filters["to"] = _day_filter(
    _("To"), "filter_to", _("Starts on or before this day (YYYY-MM-DD), in the venue's time.")
)
MeetingFilter.base_filters["from"].field_name = "from"
MeetingFilter.base_filters["to"].field_name = "to"
# The form's order: the dates beside "when", the technical updated_since last.
MeetingFilter.base_filters = {
    name: MeetingFilter.base_filters[name]
    for name in (
        *("q", "working_group", "kind", "status", "meeting_format", "country", "region"),
        *("when", "from", "to", "updated_since"),
    )
}


class WorkingGroupListFilter(django_filters.FilterSet):
    # true or false; anything else is refused (a BooleanFilter would ignore it silently).
    active = django_filters.TypedChoiceFilter(
        label=_("Active"),
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("Updated since"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = WorkingGroup
        fields: list[str] = []


class ParticipationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ParticipationStatus.choices, empty_label=_("Any")
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("Updated since"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Participation
        fields: list[str] = []


class ActionPointFilter(django_filters.FilterSet):
    responsible_organization = django_filters.UUIDFilter(
        label=_("Responsible organization"),
        method="filter_responsible_organization",
        help_text=_("Its id; only the action points where you may see its name."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ActionPointStatus.choices, empty_label=_("Any")
    )
    due_before = django_filters.DateFilter(
        label=_("Due before"),
        field_name="due_on",
        lookup_expr="lt",
        help_text=_("Due before this day (not on it)."),
    )
    due_after = django_filters.DateFilter(
        label=_("Due after"),
        field_name="due_on",
        lookup_expr="gt",
        help_text=_("Due after this day (not on it)."),
    )
    meeting = django_filters.UUIDFilter(
        label=_("Meeting"), field_name="meeting__public_id", help_text=_("The meeting's id.")
    )
    working_group = WorkingGroupFilter(field_name="meeting__working_group")
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("Updated since"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = ActionPoint
        fields: list[str] = []

    def filter_responsible_organization(self, queryset, name, value):
        # Only where the name is shown: the id of an organization the reader may not see
        # must not pick out its action points.
        return queryset.filter(responsible_organization__public_id=value, organization_shown=True)
