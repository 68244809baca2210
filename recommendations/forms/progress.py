"""Forms of the recommendation page's actions: an addressee's response, a self-report, an
independent assessment, hiding an update, following. They check what a person typed; who may
post them is asked of ``recommendations.rules`` by the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.text import validate_plain_text
from recommendations.models import (
    COMMENT_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    ImplementationStatus,
    ResponseStatus,
)

# The limits the service enforces, shown here as form errors before it is asked.
from recommendations.services.progress import (
    EARLIEST_DATE,
    LINK_MAX_LENGTH,
    MAX_EVIDENCE_LINKS,
)

REASON_MAX_LENGTH = 2_000


class PastDateField(forms.DateField):
    """A date that has happened: not before 1990, not after today (in the site's time zone)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Enter a date, for example 2027-03-14.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):  # a year like 99999999
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < EARLIEST_DATE:
            raise ValidationError(_("Enter a date from 1990 on."), code="too_early")
        if value > timezone.localdate():
            raise ValidationError(_("Enter a date that is not in the future."), code="future")


class EvidenceLinksField(forms.CharField):
    """Links to evidence, one per line: each a web address (http or https)."""

    widget = forms.Textarea(attrs={"rows": 3, "dir": "ltr"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_EVIDENCE_LINKS * (LINK_MAX_LENGTH + 2))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        links = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if len(links) > MAX_EVIDENCE_LINKS:
            raise ValidationError(
                _("Give at most %(count)d links.") % {"count": MAX_EVIDENCE_LINKS}, code="too_many"
            )
        check = URLValidator(schemes=["http", "https"])
        for number, link in enumerate(links, start=1):
            if len(link) > LINK_MAX_LENGTH:
                raise ValidationError(
                    _("Link %(number)d is longer than %(max)d characters.")
                    % {"number": number, "max": LINK_MAX_LENGTH},
                    code="too_long",
                )
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    _("Link %(number)d is not a web address starting with http:// or https://.")
                    % {"number": number},
                    code="invalid_link",
                ) from None
        return list(dict.fromkeys(links))


class SeenField(forms.CharField):
    """What the person read when the form was opened (``selectors_detail.version_seen``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)


def changed_meanwhile(form, version: str, message) -> bool:
    """Whether what the person read when they opened ``form`` (its ``seen`` field) is no longer
    ``version``; if so the form says ``message``, keeps what they typed and now carries the
    current version (sending again is answering what is there now)."""
    seen = form.cleaned_data.get("seen")
    if not seen or seen == version:
        return False
    form.add_error(None, message)
    form.data = form.data.copy()
    form.data["seen"] = version
    return True


class ResponseForm(forms.Form):
    seen = SeenField()
    status = forms.ChoiceField(
        label=_("Response"),
        choices=[(v, label) for v, label in ResponseStatus.choices if v != ResponseStatus.PENDING],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        validators=[validate_plain_text],
        help_text=_("Why, and what the organization plans to do. Shown to everyone."),
    )
    responded_on = PastDateField(
        label=_("Date of the response"), help_text=_("Leave empty for today.")
    )


class UpdateForm(forms.Form):
    """What both sides report: a status, what happened, evidence and a date."""

    seen = SeenField()
    status = forms.ChoiceField(
        label=_("Status"), choices=ImplementationStatus.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("What happened"),
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        validators=[validate_plain_text],
        help_text=_("Shown to everyone who may see the recommendation."),
    )
    evidence_links = EvidenceLinksField(
        label=_("Evidence (links)"),
        help_text=_("One web address per line, up to %(count)d.") % {"count": MAX_EVIDENCE_LINKS},
    )
    reported_on = PastDateField(label=_("As of"), help_text=_("Leave empty for today."))

    field_order = ["organization", "addressee", "status", "summary", "evidence_links"]


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class SelfReportForm(UpdateForm):
    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = OrganizationChoiceField(
            label=_("Reporting for"),
            queryset=_only(organizations),
            to_field_name="slug",
            empty_label=None,
            help_text=_("The addressed organization you report for."),
        )
        self.order_fields(self.field_order)


class AssessmentForm(UpdateForm):
    def __init__(self, *args, organizations, addressees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = OrganizationChoiceField(
            label=_("Assessing for"),
            queryset=_only(organizations),
            to_field_name="slug",
            empty_label=None,
            help_text=_("The vetted civil society organization you assess for."),
        )
        self.fields["addressee"] = OrganizationChoiceField(
            label=_("About"),
            queryset=_only(addressees),
            to_field_name="slug",
            required=False,
            empty_label=_("The whole recommendation"),
            help_text=_("One addressed organization, or the recommendation as a whole."),
        )
        self.order_fields(self.field_order)


def _only(organizations):
    """A queryset of exactly these organizations (the choices were decided by the rules)."""
    from organizations.models import Organization

    return Organization.objects.filter(pk__in=[o.pk for o in organizations]).order_by("name")


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is hidden"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        validators=[validate_plain_text, MaxLengthValidator(REASON_MAX_LENGTH)],
        help_text=_("Recorded, and shown to the secretariat only."),
    )


class FollowForm(forms.Form):
    """Exactly one thing to follow, and where to go back to."""

    recommendation = forms.UUIDField(required=False)
    theme = forms.SlugField(required=False, max_length=60, label=_("Theme"))
    working_group = forms.SlugField(required=False, max_length=80, label=_("Working group"))
    next = forms.CharField(required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        named = [k for k in ("recommendation", "theme", "working_group") if data.get(k)]
        if len(named) != 1:
            raise ValidationError(
                _("Follow one recommendation, theme or working group."), code="one_thing"
            )
        return data
