"""The secretariat's form for a review cycle: its name, the annual convening it feeds, its
update window and its reminders. The service checks again (one door); the form gives each
field its own message and keeps what was typed."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from dialogues.models import MeetingKind
from dialogues.selectors import meetings_visible_to
from recommendations.models import DEFAULT_REMINDER_OFFSETS, ReviewCycle
from recommendations.services.cycles import MAX_REMINDER_OFFSET

MAX_REMINDERS = 12


class OffsetsField(forms.CharField):
    """Days before the window closes, separated by commas: "60, 30, 14, 7, 1"."""

    default_error_messages = {
        "invalid": _(
            "Write whole numbers of days from 1 to %(max)s, separated by commas: %(wrong)s."
        ),
        "duplicate": _("Each day once: %(days)s is written twice."),
        "too_many": _("At most %(max)s reminders."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value):
        # The text's own checks first (its length, no NUL byte), then the days in it.
        text = super().clean(value)
        parts = [p.strip() for p in re.split(r"[,،;]", text)] if text else []
        parts = [p for p in parts if p]
        wrong = [
            p
            for p in parts
            if not (p.isascii() and p.isdigit() and 1 <= int(p) <= MAX_REMINDER_OFFSET)
        ]
        if wrong:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"max": MAX_REMINDER_OFFSET, "wrong": ", ".join(wrong)},
            )
        days = [int(p) for p in parts]
        twice = sorted({d for d in days if days.count(d) > 1}, reverse=True)
        if twice:
            raise ValidationError(
                self.error_messages["duplicate"],
                code="duplicate",
                params={"days": ", ".join(map(str, twice))},
            )
        if len(days) > MAX_REMINDERS:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": MAX_REMINDERS}
            )
        return days

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(d) for d in value)
        return value


class ConveningField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        # Two convenings may share a title: their first day tells them apart.
        day = meeting.starts_at.astimezone(meeting.zone).date()
        return f"{meeting.title} ({date_format(day, 'DATE_FORMAT')})"


class ReviewCycleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("For example: GSX 2027 review.")
    )
    convening = ConveningField(
        label=_("Annual convening"),
        queryset=None,
        to_field_name="public_id",
        empty_label=_("Choose the convening it feeds"),
        error_messages={"invalid_choice": _("Choose an annual convening from the list.")},
    )
    opens_on = forms.DateField(
        label=_("The update window opens on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, for example 2027-05-01.")},
    )
    closes_on = forms.DateField(
        label=_("The update window closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty: four weeks before the convening starts."),
        error_messages={"invalid": _("Enter a date, for example 2027-08-24.")},
    )
    reminder_offsets = OffsetsField(
        label=_("Reminders, in days before the window closes"),
        required=False,
        help_text=_("Separated by commas, e.g. 60, 30, 14, 7, 1. Empty: no reminders."),
    )

    def __init__(self, *args, user, instance: ReviewCycle | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "convening": instance.convening,
                    "opens_on": instance.opens_on,
                    "closes_on": instance.closes_on,
                    "reminder_offsets": instance.reminder_offsets,
                },
            )
        else:
            kwargs.setdefault("initial", {"reminder_offsets": list(DEFAULT_REMINDER_OFFSETS)})
        super().__init__(*args, **kwargs)
        self.fields["convening"].queryset = (
            meetings_visible_to(user)
            .filter(kind=MeetingKind.ANNUAL_CONVENING)
            .order_by("-starts_at", "id")
        )

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on <= opens_on:
            self.add_error("closes_on", _("The window closes after the day it opens."))
        return cleaned
