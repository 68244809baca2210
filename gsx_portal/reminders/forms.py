"""The forms of the reminder pages: a person's preferences, the secretariat's log filters and the
digest preview's choice of a person. Every value is checked: a bad one is a message on the page,
never a 500 and never silently ignored."""

from datetime import UTC, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gsx_portal import reminders
from gsx_portal.models import DeliveryState, DigestState, ReminderDelivery
from gsx_portal.reminders.preferences import kinds_refused, reminder_kinds_offered
from organizations.filters import FilterForm, PlainSelect

NUL_REFUSED = _(
    "The form was sent with a character that is not allowed (NUL). Nothing was changed."
)


class KindNamesField(forms.MultipleChoiceField):
    """Names of kinds of reminder, as sent; the form checks them all at once (``clean``), so
    that a refusal is one message at the top of the page rather than on a field of checkboxes
    spread over several groups."""

    widget = forms.MultipleHiddenInput

    def valid_value(self, value):
        return True


class ReminderPreferencesForm(forms.Form):
    """The kinds ticked ("email me about …") among those the page showed (``shown``). What was
    not shown (a kind registered since the page was opened) keeps its setting; a form sent
    without ``shown`` is taken as showing every kind offered now."""

    email_me = KindNamesField(required=False)
    shown = KindNamesField(required=False)

    def clean(self):
        cleaned = super().clean()
        sent = [*cleaned.get("email_me", ()), *cleaned.get("shown", ())]
        if any("\x00" in kind for kind in sent):
            raise ValidationError(NUL_REFUSED, code="nul")
        unknown = set(sent) - reminder_kinds_offered()
        if unknown:
            raise kinds_refused(unknown)
        return cleaned

    def muted(self, currently_muted: set[str]) -> set[str]:
        """The kinds to mute: those shown and not ticked, and those muted and not shown."""
        offered = reminder_kinds_offered()
        shown = set(self.cleaned_data["shown"]) or offered
        ticked = set(self.cleaned_data["email_me"])
        return ((currently_muted & offered) - shown) | (shown - ticked)

    def ticked(self, muted: set[str]) -> set[str]:
        """The kinds to show ticked: as sent (the ticks kept on an error), else those not muted."""
        if self.is_bound:
            return {kind for kind in self.data.getlist("email_me") if "\x00" not in kind}
        return reminder_kinds_offered() - muted


# --- The secretariat's log ------------------------------------------------------------------


class LogFilterForm(FilterForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("claimed_from"), cleaned.get("claimed_to")
        if start and end and start > end:
            self.add_error("claimed_to", _("This day is before the “from” day."))
        return cleaned


def kind_choices() -> list[tuple[str, str]]:
    return [(name, str(kind.label)) for name, kind in reminders.kinds().items()]


NO_DIGEST = "none"


def digest_state_choices() -> list[tuple[str, str]]:
    return [(NO_DIGEST, _("not in a digest yet")), *DigestState.choices]


def _local_midnight(day, days: int) -> datetime | None:
    """Midnight at the start of ``day`` + ``days`` in the viewer's time zone, in UTC; None past
    the calendar's ends (year 1 or 9999, which no reminder was claimed in)."""
    try:
        moment = datetime.combine(
            day + timedelta(days=days), time.min, tzinfo=timezone.get_current_timezone()
        )
        return moment.astimezone(UTC)
    except OverflowError:
        return None


class ReminderLogFilter(django_filters.FilterSet):
    """The log's filters. Days are the viewer's (the time zone the page is shown in). A refused
    value is an error on the form; the other filters still apply (django-filter leaves a field
    with an error out of ``cleaned_data``)."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), widget=PlainSelect, choices=kind_choices, empty_label=_("Any")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), widget=PlainSelect, choices=DeliveryState.choices, empty_label=_("Any")
    )
    digest_state = django_filters.ChoiceFilter(
        label=_("Digest"),
        widget=PlainSelect,
        choices=digest_state_choices,
        empty_label=_("Any"),
        method="filter_digest_state",
    )
    recipient = django_filters.CharFilter(
        label=_("Recipient"),
        method="filter_recipient",
        max_length=254,
        help_text=_("Part of the name or the email address."),
    )
    claimed_from = django_filters.DateFilter(
        label=_("Claimed from"),
        method="filter_claimed_from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("On or after this day (YYYY-MM-DD), in your time zone."),
    )
    claimed_to = django_filters.DateFilter(
        label=_("Claimed until"),
        method="filter_claimed_to",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("On or before this day (YYYY-MM-DD), in your time zone."),
    )

    class Meta:
        model = ReminderDelivery
        fields: list[str] = []
        form = LogFilterForm

    def filter_digest_state(self, queryset, name, value: str):
        if value == NO_DIGEST:
            return queryset.filter(digest__isnull=True)
        return queryset.filter(digest__state=value)

    def filter_recipient(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(user__email__icontains=value) | Q(user__name__icontains=value))

    # Past the calendar's ends a bound is all or nothing: nothing was claimed in year 1 or 9999.
    def filter_claimed_from(self, queryset, name, value):
        bound = _local_midnight(value, 0)
        if bound is None:
            return queryset.none() if value.year == 9999 else queryset
        return queryset.filter(claimed_at__gte=bound)

    def filter_claimed_to(self, queryset, name, value):
        bound = _local_midnight(value, 1)
        if bound is None:
            return queryset.none() if value.year == 1 else queryset
        return queryset.filter(claimed_at__lt=bound)


# --- The digest preview ---------------------------------------------------------------------


class PreviewForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person"),
        max_length=254,
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError(_("No account has this email address."), code="unknown")
        self.user = user
        return email
