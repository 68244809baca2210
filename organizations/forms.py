from django import forms
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from organizations.languages import language_choices
from organizations.models import (
    SUMMARY_LANGUAGES,
    SUMMARY_MAX_LENGTH,
    ApiToken,
    Contact,
    CriterionGroup,
    DocumentKind,
    MembershipRole,
    Organization,
    Rating,
    Theme,
    User,
    VettingStatus,
)
from organizations.models.vetting import (
    DOCUMENT_DESCRIPTION_MAX_LENGTH,
    EVIDENCE_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
)
from organizations.text import normalise_name
from organizations.timezones import timezone_choices
from organizations.vetting_guidance import GROUP_RULES, guidance_for


class PreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "timezone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A zone stored before the list was curated (an alias such as Asia/Calcutta) stays
        # selectable, so that saving the name does not silently change the time zone.
        stored = self.instance.timezone if self.instance.pk else None
        self.fields["timezone"].choices = timezone_choices(keep=stored)


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
        choices=language_choices,
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
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone", "secure_channel", "shareable"]
        # Addresses and numbers read left to right in every language (Arabic included).
        widgets = {
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "phone": forms.TextInput(attrs={"type": "tel", "dir": "ltr", "autocomplete": "tel"}),
            "secure_channel": forms.TextInput(attrs={"dir": "ltr"}),
        }


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
    """One text area per Better Peace Tool criterion, named by the criterion's code, shown in
    the criteria's three groups with each criterion's guidance and the progress of each group."""

    def __init__(self, *args, criteria, initial_texts, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        # Errors about a whole group (at least one competency…), shown at the group's heading.
        self.group_errors: dict[str, list[str]] = {}
        for criterion in criteria:
            field = forms.CharField(
                label=criterion.title,
                required=False,
                max_length=EVIDENCE_MAX_LENGTH,
                initial=initial_texts.get(criterion.pk, ""),
                help_text=guidance_for(criterion.code),
                widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            )
            # Required to submit, not to save a draft: marked, but not enforced by the form.
            field.required_to_submit = criterion.group == CriterionGroup.CORE_VALUE
            self.fields[f"criterion_{criterion.code}"] = field

    def texts(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[f"criterion_{c.code}"] for c in self.criteria}

    def _value(self, criterion) -> str:
        bound = self[f"criterion_{criterion.code}"]
        return str(bound.value() or "").strip()

    def add_submission_errors(self, errors: dict[str, list[str]]) -> None:
        """Place the service's reasons for refusing a submission (keyed by criterion code or
        group) at the criterion or at the group, and in the summary at the top."""
        codes = {c.code for c in self.criteria}
        for key, messages in errors.items():
            if key in codes:
                for message in messages:
                    self.add_error(f"criterion_{key}", message)
            else:
                self.group_errors.setdefault(key, []).extend(messages)
                for message in messages:
                    self.add_error(None, message)

    def groups(self) -> list[dict]:
        """The criteria by group: label, rule, the fields with their guidance, and progress."""
        groups = []
        for group in CriterionGroup:
            members = [c for c in self.criteria if c.group == group]
            if not members:
                continue
            written = sum(1 for c in members if self._value(c))
            groups.append(
                {
                    "code": str(group),
                    "label": group.label,
                    "rule": GROUP_RULES[group],
                    "fields": [self[f"criterion_{c.code}"] for c in members],
                    "written": written,
                    "total": len(members),
                    "errors": self.group_errors.get(str(group), []),
                }
            )
        return groups


class DocumentForm(forms.Form):
    """A supporting document; its type is checked by content in the service, not here."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG or WebP."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}
        ),
    )
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=DOCUMENT_DESCRIPTION_MAX_LENGTH,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


class AssessmentForm(forms.Form):
    """A reviewer's rating and note for each criterion, shown beside the applicant's evidence."""

    def __init__(self, *args, criteria, initial_ratings, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            rating, note = initial_ratings.get(criterion.pk, ("", ""))
            self.fields[f"rating_{criterion.code}"] = forms.ChoiceField(
                label=_("Your rating"),
                choices=[("", _("Not rated")), *Rating.choices],
                required=False,
                initial=rating,
            )
            self.fields[f"note_{criterion.code}"] = forms.CharField(
                label=_("Your note (secretariat only)"),
                required=False,
                max_length=NOTE_MAX_LENGTH,
                initial=note,
                widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
            )

    def pair(self, criterion):
        return self[f"rating_{criterion.code}"], self[f"note_{criterion.code}"]

    def ratings(self) -> dict[int, tuple[str, str]]:
        return {
            c.pk: (self.cleaned_data[f"rating_{c.code}"], self.cleaned_data[f"note_{c.code}"])
            for c in self.criteria
            if self.cleaned_data[f"rating_{c.code}"]
        }


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the applicant"),
        help_text=_(
            "Required to request changes (say what to change) or to decline (say why); "
            "optional when approving. The organization's administrators receive it by email."
        ),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Submitted or in review")),
            (VettingStatus.SUBMITTED, VettingStatus.SUBMITTED.label),
            (VettingStatus.IN_REVIEW, VettingStatus.IN_REVIEW.label),
        ],
    )
    assessed = forms.ChoiceField(
        label=_("Assessed by me"),
        required=False,
        choices=[("", _("Either")), ("mine", _("Assessed by me")), ("not_mine", _("Not yet"))],
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("", _("Waiting longest first")), ("newest", _("Newest first"))],
    )


class EndorsementRequestForm(forms.Form):
    endorser = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), to_field_name="public_id"
    )

    def __init__(self, *args, endorsers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endorser"].queryset = endorsers
