"""Forms of the conveners' pages. Times are typed in the venue's time zone, as people think of
them ("9:30 in London"), and stored as aware datetimes."""

import re
import zoneinfo
from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dialogues.models import (
    ActionPoint,
    ActionPointStatus,
    AgendaItem,
    AgendaItemKind,
    Meeting,
    MeetingKind,
    Participation,
    ParticipationStatus,
    WorkingGroup,
)
from dialogues.selectors import organizations_to_invite_for, organizations_to_name_at
from organizations.languages import language_choices
from organizations.models import Organization, Theme, User
from organizations.selectors import organizations_visible_to
from organizations.text import normalise_name
from organizations.timezones import timezone_choices

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


class LocalDateTimeField(forms.Field):
    """A wall-clock date and time, without a zone: the form puts it in the venue's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "invalid": _("Enter a date and time, for example 2027-03-14 09:30."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for fmt in LOCAL_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
            except ValueError:
                continue
            if not 1900 <= moment.year <= 2200:
                break
            return moment
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def in_zone(wall: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """``wall`` in ``zone``; a time the clocks skip (when they go forward) does not exist and
    is refused rather than silently moved by an hour."""
    aware = wall.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise ValidationError(
            _("This time does not exist in that time zone: the clocks change then.")
        )
    return aware


def wall_clock(moment: datetime | None, zone_name: str) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name)).replace(tzinfo=None)


class SlugsField(forms.CharField):
    """Organizations by their address (the slug in /organizations/<slug>/), separated by commas
    or spaces: a select of every organization would not fit a page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "The organizations' web addresses on the portal, e.g. women-for-peace, "
                "separated by commas."
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        slugs = [s for s in re.split(r"[\s,;]+", value or "") if s]
        if len(slugs) > 50:
            raise ValidationError(_("Name at most 50 organizations."))
        found = {o.slug: o for o in self.organizations.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise ValidationError(
                _("No organization has this address: %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        return [found[s] for s in dict.fromkeys(slugs)]

    # The organizations that may be named: those the person filling the form may see (a
    # restricted one only by its members and the secretariat); set by the form. The same
    # answer for one that does not exist and one they may not see.
    organizations = Organization.objects.none()

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(o.slug for o in value)
        return value


class EmailsField(forms.CharField):
    """People by the email of their account, one per line (or separated by commas)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("The email addresses of their accounts, one per line."))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        emails = [e.lower() for e in re.split(r"[\s,;]+", value or "") if e]
        if len(emails) > 500:
            raise ValidationError(_("Name at most 500 people."))
        found = {u.email.lower(): u for u in User.objects.filter(is_active=True, email__in=emails)}
        unknown = [e for e in emails if e not in found]
        if unknown:
            raise ValidationError(
                _("No active account has this email: %(emails)s.") % {"emails": ", ".join(unknown)}
            )
        return [found[e] for e in dict.fromkeys(emails)]

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(u.email for u in value)
        return value


class WorkingGroupForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Themes"),
    )
    convening_organizations = SlugsField(label=_("Convening organizations"))
    conveners = EmailsField(label=_("Conveners"))
    members = EmailsField(label=_("Members"))

    class Meta:
        model = WorkingGroup
        fields = ["name", "slug", "description", "active"]

    def __init__(self, *args, creating: bool, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convening_organizations"].organizations = organizations_visible_to(user)
        if not creating:
            del self.fields["slug"]
            group = self.instance
            self.initial.update(
                themes=list(group.themes.all()),
                convening_organizations=list(group.convening_organizations.all()),
                conveners=list(group.conveners.all()),
                members=list(group.members.all()),
            )

    def clean_name(self):
        return normalise_name(self.cleaned_data["name"])


class MeetingForm(forms.ModelForm):
    working_group = forms.ModelChoiceField(
        WorkingGroup.objects.none(),
        required=False,
        label=_("Working group"),
        empty_label=_("None (the annual convening, an outreach event)"),
    )
    starts_at = LocalDateTimeField(label=_("Starts (venue's time)"))
    ends_at = LocalDateTimeField(label=_("Ends (venue's time)"))
    timezone = forms.ChoiceField(label=_("Venue's time zone"))
    languages = forms.MultipleChoiceField(
        required=False, label=_("Languages"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    host_organizations = SlugsField(label=_("Host organizations"))

    field_order = [
        "working_group",
        "kind",
        "title",
        "starts_at",
        "ends_at",
        "timezone",
        "format",
        "venue",
        "city",
        "country",
        "host_organizations",
        "languages",
    ]

    class Meta:
        model = Meeting
        widgets = {
            name: forms.TextInput(attrs={"dir": "auto"}) for name in ("title", "venue", "city")
        }
        fields = [
            "kind",
            "title",
            "format",
            "venue",
            "city",
            "country",
            "chatham_house",
            "capacity",
            "join_url",
            "visa_lead_weeks",
            "participants_published",
        ]

    def __init__(self, *args, user, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_organizations"].organizations = organizations_visible_to(user)
        meeting = self.instance
        self.fields["timezone"].choices = timezone_choices(keep=meeting.timezone or None)
        self.fields["languages"].choices = language_choices()
        if groups is None:  # editing: the group does not change
            del self.fields["working_group"]
        else:
            self.fields["working_group"].queryset = groups
        if meeting.pk:
            self.initial.update(
                starts_at=wall_clock(meeting.starts_at, meeting.timezone),
                ends_at=wall_clock(meeting.ends_at, meeting.timezone),
                timezone=meeting.timezone,
                languages=meeting.languages,
                host_organizations=list(meeting.host_organizations.all()),
            )

    def clean_title(self):
        return normalise_name(self.cleaned_data["title"])

    def clean(self):
        data = super().clean()
        zone_name = data.get("timezone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at"):
                if data.get(name):
                    try:
                        data[name] = in_zone(data[name], zone)
                    except ValidationError as error:
                        self.add_error(name, error)
        if "working_group" in self.fields:
            # The model's own checks (run after this) look at the group too.
            self.instance.working_group = data.get("working_group")
        if (
            data.get("kind") == MeetingKind.WORKING_GROUP_MEETING
            and "working_group" in self.fields
            and not data.get("working_group")
        ):
            self.add_error(
                "working_group", _("A working-group meeting belongs to a working group.")
            )
        return data

    def meeting_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("working_group", None)
        return data


class AgendaItemForm(forms.ModelForm):
    starts_at = LocalDateTimeField(label=_("Starts (venue's time)"), required=False)
    ends_at = LocalDateTimeField(label=_("Ends (venue's time)"), required=False)
    speakers = forms.ModelMultipleChoiceField(
        Participation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Speakers (participants)"),
    )
    kind = forms.ChoiceField(choices=AgendaItemKind.choices, label=_("Kind"))
    theme = forms.ModelChoiceField(Theme.objects.all(), required=False, label=_("Theme"))

    class Meta:
        model = AgendaItem
        fields = ["title", "kind", "theme", "description", "other_speakers"]

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["speakers"].queryset = (
            meeting.participations.exclude(user__isnull=True)
            .exclude(status=ParticipationStatus.DECLINED)
            .select_related("user", "organization")
        )
        self.fields["speakers"].label_from_instance = lambda p: p.user.name or p.user.email
        if self.instance.pk:
            self.initial.update(
                starts_at=wall_clock(self.instance.starts_at, meeting.timezone),
                ends_at=wall_clock(self.instance.ends_at, meeting.timezone),
                speakers=list(self.instance.speakers.all()),
            )

    def clean_title(self):
        return normalise_name(self.cleaned_data["title"])

    def clean(self):
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            if data.get(name):
                try:
                    data[name] = in_zone(data[name], self.meeting.zone)
                except ValidationError as error:
                    self.add_error(name, error)
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("An account's email, or the address of someone not registered yet."),
    )
    organization = forms.SlugField(
        label=_("On behalf of (organization's web address)"),
        help_text=_("e.g. women-for-peace, as in /organizations/women-for-peace/."),
    )
    needs_visa = forms.BooleanField(required=False, label=_("Needs a visa letter"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        """The organization among those the convener may see, or those of the invited account
        (a restricted organization's member is invited on its behalf without its name being
        told to anyone else): the same answer for one that does not exist."""
        data = super().clean()
        slug, email = data.get("organization"), data.get("email")
        if not slug:
            return data
        organization = (
            organizations_to_invite_for(self.user, email=email or "").filter(slug=slug).first()
        )
        if organization is None:
            self.add_error("organization", _("No organization has this address."))
        else:
            data["organization"] = organization
        return data


class ActionPointForm(forms.ModelForm):
    responsible_organization = forms.SlugField(
        required=False, label=_("Responsible organization (web address)")
    )
    responsible_person = forms.EmailField(
        required=False, label=_("Responsible person (their account's email)")
    )
    agenda_item = forms.ModelChoiceField(
        AgendaItem.objects.none(), required=False, label=_("From agenda item")
    )
    status = forms.ChoiceField(choices=ActionPointStatus.choices, label=_("Status"))

    class Meta:
        model = ActionPoint
        fields = ["text", "due_on", "status"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.meeting_for_names = meeting
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("position")
        point = self.instance
        if point.pk:
            if point.meeting_id != meeting.pk:  # carried over: its agenda item stays
                del self.fields["agenda_item"]
            else:
                self.initial["agenda_item"] = point.agenda_item
            self.initial["responsible_organization"] = (
                point.responsible_organization.slug if point.responsible_organization else ""
            )
            self.initial["responsible_person"] = (
                point.responsible_person.email if point.responsible_person else ""
            )

    def clean_responsible_organization(self):
        """Among the organizations the convener may see and those of the meeting's
        participants (whose names conveners see anyway)."""
        slug = self.cleaned_data["responsible_organization"]
        if not slug:
            return None
        organization = (
            organizations_to_name_at(self.user, self.meeting_for_names).filter(slug=slug).first()
        )
        if organization is None:
            raise ValidationError(_("No organization has this address."))
        return organization

    def clean_responsible_person(self):
        email = self.cleaned_data["responsible_person"]
        if not email:
            return None
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise ValidationError(_("No active account has this email."))
        return person


class ReportForm(forms.Form):
    report = forms.CharField(
        label=_("Report (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "dir": "auto"}),
        help_text=_(
            "Headings with #, lists with -, links as [text](https://…). Images and HTML are "
            "not shown."
        ),
    )


class CancellationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2_000,
        help_text=_("The accepted and waiting participants are told, by email."),
    )
