import zoneinfo

from django import forms
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from organizations.languages import LANGUAGE_CHOICES
from organizations.models import (
    SUMMARY_LANGUAGES,
    SUMMARY_MAX_LENGTH,
    ApiToken,
    Contact,
    MembershipRole,
    Organization,
    Rating,
    Theme,
    User,
)
from organizations.text import normalise_name


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "timezone"]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "can_write"]
        help_texts = {
            "name": _("What the token is for, e.g. “research dashboard”."),
            "can_write": _("Leave unticked for a token that can only read."),
        }


class LinesField(forms.CharField):
    """A list of short texts entered one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class NormalisedNamesMixin:
    """Names are compared and stored NFC with whitespace collapsed (a tab or line break pasted
    into a name becomes a space) before the model refuses invisible characters."""

    def clean_name(self):
        return normalise_name(self.cleaned_data["name"])

    def clean_acronym(self):
        return normalise_name(self.cleaned_data["acronym"])


class OrganizationForm(NormalisedNamesMixin, forms.ModelForm):
    working_languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    networks = LinesField(
        label=_("Networks it belongs to"),
        required=False,
        help_text=_("One network per line."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Focus themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "acronym",
            "sector",
            "women_led",
            "youth_led",
            "headquarters_country",
            "countries",
            "website",
            "summary",
            "description",
            "themes",
            "working_languages",
            "year_founded",
            "constituency",
            "networks",
            "visibility_tier",
            "accepts_introductions",
        ]
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto"}),
            "acronym": forms.TextInput(attrs={"dir": "auto"}),
            "summary": forms.Textarea(
                attrs={"rows": 2, "maxlength": SUMMARY_MAX_LENGTH, "dir": "auto"}
            ),
            "description": forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
            "constituency": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "website": forms.URLInput(attrs={"placeholder": "https://", "dir": "ltr"}),
        }
        help_texts = {
            "summary": _(
                "One or two sentences, in the language you write best; the directory's search "
                "uses this text. You can add it in other languages below."
            ),
            "visibility_tier": _(
                "Public: anyone. Network members: people signed in to the portal. Restricted: "
                "only your members and the secretariat — for organizations at risk."
            ),
            "countries": _("Hold Ctrl (or ⌘) to choose several."),
            "sector": _(
                "Government, security-sector and multilateral organizations are verified by the "
                "secretariat before their members can ask civil society organizations for "
                "introductions, and their members must use two-factor authentication."
            ),
        }

    def __init__(self, *args, editable_fields=None, **kwargs):
        """``editable_fields``: the fields this user may change (e.g. editors do not get the
        visibility tier); the others are neither shown nor accepted."""
        super().__init__(*args, **kwargs)
        if editable_fields is not None:
            for name in list(self.fields):
                if name not in editable_fields:
                    del self.fields[name]
        if "summary" in self.fields:
            self._add_summary_translation_fields()

    def _add_summary_translation_fields(self):
        """One optional text per portal language, placed after the original summary."""
        stored = self.instance.summary_translations or {}
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name != "summary":
                continue
            for code in SUMMARY_LANGUAGES:
                fields[f"summary_{code}"] = forms.CharField(
                    label=gettext("Summary in %(language)s")
                    % {"language": get_language_info(code)["name_translated"]},
                    required=False,
                    max_length=SUMMARY_MAX_LENGTH,
                    initial=stored.get(code, ""),
                    help_text=_(
                        "Optional. Shown instead of the summary above to people who read the "
                        "portal in this language."
                    ),
                    widget=forms.Textarea(
                        attrs={"rows": 2, "lang": code, "dir": "auto"},
                    ),
                )
        self.fields = fields

    def clean(self):
        cleaned_data = super().clean()
        if "summary" in self.fields:
            # The service takes the translations as one value, like the model keeps them.
            cleaned_data["summary_translations"] = {
                code: text
                for code in SUMMARY_LANGUAGES
                if (text := cleaned_data.pop(f"summary_{code}", "").strip())
            }
        return cleaned_data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone", "secure_channel", "shareable"]


class IntroductionRequestForm(forms.Form):
    # Options carry public ids, never serial keys.
    requester_organization = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organization.objects.none(),
        empty_label=None,
        to_field_name="public_id",
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        min_length=30,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Why you wish to be introduced and what you propose, in 30 to 4,000 characters. "
            "The organization decides on this basis."
        ),
    )

    def __init__(self, *args, requester_organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_organization"].queryset = requester_organizations


class IntroductionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message to the requester (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(forms.Form):
    """One text area per Better Peace Tool criterion, named by the criterion's code."""

    def __init__(self, *args, criteria, initial_texts, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.code}"] = forms.CharField(
                label=criterion.title,
                required=False,
                max_length=5000,
                initial=initial_texts.get(criterion.pk, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def texts(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[f"criterion_{c.code}"] for c in self.criteria}


class AssessmentForm(forms.Form):
    """A reviewer's rating and note for each criterion."""

    def __init__(self, *args, criteria, initial_ratings, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            rating, note = initial_ratings.get(criterion.pk, ("", ""))
            self.fields[f"rating_{criterion.code}"] = forms.ChoiceField(
                label=criterion.title,
                choices=[("", "—"), *Rating.choices],
                required=False,
                initial=rating,
            )
            self.fields[f"note_{criterion.code}"] = forms.CharField(
                label=_("Note (secretariat only)"),
                required=False,
                max_length=2000,
                initial=note,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def ratings(self) -> dict[int, tuple[str, str]]:
        return {
            c.pk: (self.cleaned_data[f"rating_{c.code}"], self.cleaned_data[f"note_{c.code}"])
            for c in self.criteria
            if self.cleaned_data[f"rating_{c.code}"]
        }


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EndorsementRequestForm(forms.Form):
    endorser = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), to_field_name="public_id"
    )

    def __init__(self, *args, endorsers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endorser"].queryset = endorsers
