"""Forms of the secretariat's catalogue pages and of the import. They read what was typed into
objects; the services decide whether the change is allowed (their refusals are shown on the
form, next to the field they name)."""

import hashlib
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from dialogues.forms import SlugsField
from dialogues.models import WorkingGroup
from dialogues.selectors import meetings_visible_to
from organizations.languages import language_choices
from organizations.models import Theme
from organizations.regions import Region
from organizations.selectors import organizations_visible_to
from recommendations.exchange import MAX_IMPORT_BYTES, check_reference
from recommendations.forms.progress import SeenField
from recommendations.models import (
    TEXT_MAX_LENGTH,
    AddresseeType,
    Recommendation,
    Section,
    SourceKind,
)
from recommendations.selectors import recommendations_visible_to

MAX_REPEATS = 50


class MeetingIdField(forms.CharField):
    """A meeting by its id (as in its address), among those the person may see."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 36)
        kwargs.setdefault("help_text", _("The id in the meeting page's address, if any."))
        super().__init__(*args, **kwargs)

    meetings = None  # set by the form

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        try:
            public_id = uuid.UUID(value)
        except ValueError:
            raise ValidationError(_("Enter the meeting's id, e.g. 3f2b0c1e-…")) from None
        meeting = self.meetings.filter(public_id=public_id).first()
        if meeting is None:
            raise ValidationError(_("No meeting has this id."))
        return meeting

    def prepare_value(self, value):
        return getattr(value, "public_id", value) or ""


def _codes(value: str) -> list[str]:
    return list(dict.fromkeys(v for v in re.split(r"[\s,;|]+", value or "") if v))


def version_of(initial: dict) -> str:
    """A digest of what an edit form showed when it was opened (its initial values; objects by
    their id), carried by its ``seen`` field: an edit made meanwhile by someone else is then
    noticed rather than silently written over."""
    parts = []
    for name in sorted(initial):
        value = initial[name]
        if isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        parts.append(f"{name}={getattr(value, 'pk', value)!r}")
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


class SourceForm(forms.Form):
    seen = SeenField()
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices)
    published_on = forms.DateField(
        label=_("Date of publication"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For example 2017-03-01."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=language_choices, initial="en")
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    publishers = SlugsField(label=_("Publishers on the portal"))
    other_publishers = forms.CharField(
        label=_("Other publishers"),
        max_length=500,
        required=False,
        help_text=_("Publishers that are not organizations of the portal."),
    )
    working_group = forms.ModelChoiceField(
        label=_("Working group"),
        queryset=WorkingGroup.objects.order_by("name"),
        required=False,
        empty_label=_("None"),
    )
    meeting = MeetingIdField(label=_("Meeting"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publishers"].organizations = organizations_visible_to(user)
        self.fields["meeting"].meetings = meetings_visible_to(user)

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        fields.pop("seen", None)
        return fields

    @staticmethod
    def initial_of(source) -> dict:
        return {
            "title": source.title,
            "kind": source.kind,
            "published_on": source.published_on,
            "language": source.language,
            "url": source.url,
            "publishers": list(source.publishers.all()),
            "other_publishers": source.other_publishers,
            "working_group": source.working_group,
            "meeting": source.meeting,
        }


class RecommendationForm(forms.Form):
    seen = SeenField()
    reference = forms.CharField(
        label=_("Reference"),
        max_length=80,
        help_text=_("Stable and cited by people, e.g. PVE-CP-2017/POL-2a."),
    )
    section = forms.ChoiceField(label=_("Section"), choices=Section.choices)
    parent = forms.CharField(
        label=_("Part of"),
        max_length=80,
        required=False,
        help_text=_("The reference of the recommendation this is a sub-point of, if any."),
    )
    position = forms.IntegerField(
        label=_("Position in the source"), min_value=0, max_value=2_147_483_647, initial=0
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=TEXT_MAX_LENGTH
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    addressee_types = forms.MultipleChoiceField(
        label=_("Addressed to"),
        choices=AddresseeType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    addressed_organizations = SlugsField(label=_("Addressed organizations"))
    countries = forms.CharField(
        label=_("Countries in scope"),
        required=False,
        max_length=2000,
        help_text=_("Two-letter ISO codes separated by spaces, e.g. NG KE."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions in scope"),
        choices=Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    meeting = MeetingIdField(label=_("From meeting"))
    repeats = forms.CharField(
        label=_("Repeats earlier recommendations"),
        required=False,
        max_length=4000,
        help_text=_("Their references, separated by spaces."),
    )
    published = forms.BooleanField(
        label=_("Publish now"),
        required=False,
        help_text=_("Otherwise it is a draft, seen by the secretariat only."),
    )

    def __init__(self, *args, user, source, recommendation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.recommendation = recommendation
        self.recommendations = recommendations_visible_to(user)
        self.fields["addressed_organizations"].organizations = organizations_visible_to(user)
        self.fields["meeting"].meetings = meetings_visible_to(user)
        if recommendation is not None:
            del self.fields["published"]  # publishing is its own step
            if recommendation.published:
                # People cite it: the reference of a published recommendation stays.
                self.fields["reference"].disabled = True

    @staticmethod
    def initial_of(recommendation: Recommendation) -> dict:
        return {
            "reference": recommendation.reference,
            "section": recommendation.section,
            "parent": recommendation.parent.reference if recommendation.parent else "",
            "position": recommendation.position,
            "title": recommendation.title,
            "text": recommendation.text,
            "themes": list(recommendation.themes.all()),
            "addressee_types": recommendation.addressee_types,
            "addressed_organizations": list(recommendation.addressed_organizations.all()),
            "countries": " ".join(str(c) for c in recommendation.countries),
            "regions": recommendation.regions,
            "meeting": recommendation.meeting,
            "repeats": " ".join(r.reference for r in recommendation.repeats.all()),
        }

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        check_reference(reference)
        return reference

    def clean_parent(self):
        reference = self.cleaned_data["parent"].strip()
        if not reference:
            return None
        parent = self.recommendations.filter(reference=reference).first()
        if parent is None:
            raise ValidationError(_("No recommendation has this reference."))
        return parent

    def clean_countries(self):
        codes = [c.upper() for c in _codes(self.cleaned_data["countries"])]
        unknown = [c for c in codes if not all_countries.alpha2(c)]
        if unknown:
            raise ValidationError(
                _("Not ISO 3166 country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return codes

    def clean_repeats(self):
        references = _codes(self.cleaned_data["repeats"])
        if len(references) > MAX_REPEATS:
            raise ValidationError(_("Name at most %(n)d recommendations.") % {"n": MAX_REPEATS})
        found = {r.reference: r for r in self.recommendations.filter(reference__in=references)}
        unknown = [r for r in references if r not in found]
        if unknown:
            raise ValidationError(
                _("No recommendation has this reference: %(references)s.")
                % {"references": ", ".join(unknown)}
            )
        return [found[r] for r in references]

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        fields.pop("seen", None)
        if self.fields["reference"].disabled:
            fields.pop("reference")
        return fields


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8, at most %(size)d MB, in the format described on this page."
        ) % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d MB: split it into several files.")
                % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload
