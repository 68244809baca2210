"""An organization's history told in sentences in the reader's language (item 12).

``organization_history`` decides which events a viewer may read and who they may see named; this
module only words them: one sentence per event ("Amina accepted the introduction request of
Ministry of Community Safety") and, for changes, each field by its label with readable values.
Model names, raw field names and serial keys never reach the page.

Sentences are whole translatable strings with named placeholders; the names put into them are
people's and organizations' own text, wrapped in ``<bdi>`` so that an Arabic name does not
reorder an English sentence (or the reverse).
"""

import datetime as dt

from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext
from django_countries import countries

from organizations.languages import language_names, locale_list
from organizations.models import (
    Assessment,
    Contact,
    IntroductionRequest,
    Membership,
    Organization,
    RequesterVerification,
    VettingApplication,
)
from organizations.models.vetting import Evidence

MODELS = {
    model._meta.label: model
    for model in (
        Organization,
        Membership,
        Contact,
        IntroductionRequest,
        VettingApplication,
        Evidence,
        Assessment,
        RequesterVerification,
    )
}

# Fields declared without a label of their own; these are the ones worth telling a reader.
EXTRA_LABELS = {
    "status": lambda: gettext("status"),
    "decided_at": lambda: gettext("decided on"),
    "submitted_at": lambda: gettext("submitted on"),
    "valid_until": lambda: gettext("valid until"),
    "expires_at": lambda: gettext("expires on"),
    "consent_until": lambda: gettext("consent valid until"),
    "revoked_at": lambda: gettext("revoked on"),
    "consented_name": lambda: gettext("name consented to"),
    "criterion": lambda: gettext("criterion"),
}

# Derived from other fields (regions from the countries): telling them would say a change twice.
DERIVED = frozenset({"regions"})


def _sentence(template: str, **values) -> SafeString:
    """``template`` (already translated) filled in: people's and organizations' own text (plain
    strings) isolated in ``<bdi>``, the portal's own words (``SafeString``) as they are. A
    sentence that starts with the portal's words ("the secretariat…") gets its capital."""
    text = escape(template) % {
        key: value if isinstance(value, SafeString) else format_html("<bdi>{}</bdi>", value)
        for key, value in values.items()
    }
    # Safe: the template was escaped, and every value is escaped (format_html, plain()).
    return mark_safe(capfirst(text))  # noqa: S308


def plain(text: str) -> SafeString:
    """The portal's own words (labels, lists of field names), escaped, not isolated."""
    return escape(text)


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def field_label(model, name: str) -> str | None:
    """The field's translated label, or None for a field that has none worth showing."""
    field = _field(model, name)
    if name in DERIVED:
        return None
    if field is not None and isinstance(field.verbose_name, Promise):
        return str(field.verbose_name)
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]()
    return None


def field_value(model, name: str, value) -> str:
    """A stored value as a reader says it: choice labels, country and language names, dates in
    the reader's format, lists joined."""
    if value in (None, "", [], {}):
        return "—"
    field = _field(model, name)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if name in ("countries", "headquarters_country"):
        codes = value.split(",") if isinstance(value, str) else value
        return locale_list(str(countries.name(code)) or code for code in codes if code)
    if name == "working_languages":
        return locale_list(language_names(value))
    if name == "summary_translations" and isinstance(value, dict):
        return "; ".join(
            f"{get_language_info(code)['name_translated']}: {text}" for code, text in value.items()
        )
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if isinstance(value, list):
            return locale_list(labels.get(item, item) for item in value)
        return str(labels.get(str(value), value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed:
            return formats.date_format(timezone.localtime(parsed), "DATETIME_FORMAT")
    if isinstance(value, list):
        return locale_list(value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def details(model, changes: dict) -> list[dict]:
    return [
        {
            "label": capfirst(label),
            "before": field_value(model, name, before),
            "after": field_value(model, name, after),
        }
        for name, (before, after) in changes.items()
        if (label := field_label(model, name))
    ]


def changed_labels(model, changes: dict) -> str:
    return locale_list([label for name in changes if (label := field_label(model, name))])


def describe(row: dict, *, names: dict) -> dict:
    """The row with its ``sentence`` and ``details``. ``names``: user ids, organization ids and
    criterion ids to what the viewer may read of them (``users``, ``organizations``,
    ``criteria``)."""
    model = MODELS.get(row["model"])
    # A person by their name (a str); the secretariat to outsiders (already a SafeString) and
    # changes made by no signed-in person (scripts, the nightly sweeps) in the portal's words.
    who = row["by"] or plain(gettext("the portal"))
    describe_event = SENTENCES.get(row["model"], _other)
    sentence = describe_event(row, who, names)
    shown = details(model, row["changes"]) if model and row["label"] == "update" else []
    return {**row, "sentence": sentence, "details": shown}


def _organization(row, who, names):
    model = Organization
    if row["label"] == "insert":
        return _sentence(gettext("%(who)s registered the organization."), who=who)
    if row["label"] == "delete":
        return _sentence(gettext("%(who)s deleted the organization."), who=who)
    if set(row["changes"]) == {"vetted_until"}:
        # Written by the vetting decision (told by its own event) or its expiry.
        until = row["changes"]["vetted_until"][1]
        if until:
            return _sentence(
                gettext("The organization is vetted until %(date)s."),
                date=plain(
                    formats.date_format(timezone.localtime(parse_datetime(until)), "DATE_FORMAT")
                ),
            )
        return _sentence(gettext("The organization is no longer vetted."))
    return _sentence(
        gettext("%(who)s changed the %(fields)s."),
        who=who,
        fields=plain(changed_labels(model, row["changes"])),
    )


def _membership(row, who, names):
    data = row["data"]
    member = names["users"].get(data.get("user_id")) or plain(gettext("a former member"))
    role = plain(field_value(Membership, "role", data.get("role")))
    myself = data.get("user_id") == row["user"]
    if row["label"] == "insert":
        if myself:
            return _sentence(gettext("%(member)s joined as %(role)s."), member=member, role=role)
        return _sentence(
            gettext("%(who)s added %(member)s as %(role)s."), who=who, member=member, role=role
        )
    if row["label"] == "delete":
        if myself:
            return _sentence(gettext("%(member)s left the organization."), member=member)
        return _sentence(gettext("%(who)s removed %(member)s."), who=who, member=member)
    return _sentence(
        gettext("%(who)s made %(member)s %(role)s."), who=who, member=member, role=role
    )


def _contact(row, who, names):
    contact = row["data"].get("name", "")
    if row["label"] == "insert":
        return _sentence(
            gettext("%(who)s added the contact %(contact)s."), who=who, contact=contact
        )
    if row["label"] == "delete":
        return _sentence(
            gettext("%(who)s removed the contact %(contact)s."), who=who, contact=contact
        )
    return _sentence(
        gettext("%(who)s changed the %(fields)s of the contact %(contact)s."),
        who=who,
        fields=plain(changed_labels(Contact, row["changes"])),
        contact=contact,
    )


INTRODUCTION_SENTENCES = {
    "accepted": lambda: gettext("%(who)s accepted the introduction request of %(requester)s."),
    "declined": lambda: gettext("%(who)s declined the introduction request of %(requester)s."),
    "withdrawn": lambda: gettext("%(who)s withdrew the consent given to %(requester)s."),
    "lapsed": lambda: gettext("The consent given to %(requester)s lapsed."),
    "expired": lambda: gettext("The introduction request of %(requester)s expired."),
}


def _introduction(row, who, names):
    data = row["data"]
    requester = names["organizations"].get(data.get("requester_organization_id")) or plain(
        gettext("an organization")
    )
    if row["label"] == "insert":
        return _sentence(
            gettext("%(who)s asked for an introduction on behalf of %(requester)s."),
            who=who,
            requester=requester,
        )
    if row["label"] == "update" and "status" in row["changes"]:
        template = INTRODUCTION_SENTENCES.get(row["changes"]["status"][1])
        if template:
            return _sentence(template(), who=who, requester=requester)
    if row["label"] == "update" and "consent_until" in row["changes"]:
        return _sentence(
            gettext("%(who)s renewed the consent given to %(requester)s."),
            who=who,
            requester=requester,
        )
    return _sentence(
        gettext("%(who)s changed the introduction request of %(requester)s."),
        who=who,
        requester=requester,
    )


VETTING_SENTENCES = {
    "submitted": lambda: gettext("%(who)s submitted the vetting application."),
    "in_review": lambda: gettext("%(who)s began reviewing the vetting application."),
    "changes_requested": lambda: gettext("%(who)s asked for changes to the vetting application."),
    "approved": lambda: gettext("%(who)s approved the vetting application."),
    "declined": lambda: gettext("%(who)s declined the vetting application."),
    "expired": lambda: gettext("The vetting application expired."),
    "draft": lambda: gettext("%(who)s reopened the vetting application."),
}


def _vetting(row, who, names):
    if row["label"] == "insert":
        return _sentence(gettext("%(who)s started a vetting application."), who=who)
    if row["label"] == "delete":
        return _sentence(gettext("%(who)s deleted a vetting application."), who=who)
    if "status" in row["changes"]:
        template = VETTING_SENTENCES.get(row["changes"]["status"][1])
        if template:
            return _sentence(template(), who=who)
    return _sentence(gettext("%(who)s changed the vetting application."), who=who)


def _evidence(row, who, names):
    criterion = names["criteria"].get(row["data"].get("criterion_id"), "")
    if row["label"] == "delete":
        return _sentence(
            gettext("%(who)s removed the evidence for %(criterion)s."), who=who, criterion=criterion
        )
    return _sentence(
        gettext("%(who)s wrote the evidence for %(criterion)s."), who=who, criterion=criterion
    )


def _assessment(row, who, names):
    # Seen by the secretariat only (selectors.history.SECRETARIAT_ONLY_EVENTS).
    data = row["data"]
    return _sentence(
        gettext("%(who)s rated %(criterion)s: %(rating)s."),
        who=who,
        criterion=names["criteria"].get(data.get("criterion_id"), ""),
        rating=plain(field_value(Assessment, "rating", data.get("rating"))),
    )


def _verification(row, who, names):
    # Seen by the secretariat only.
    data = row["data"]
    if row["label"] == "insert":
        return _sentence(
            gettext("%(who)s verified the organization as %(name)s (%(sector)s)."),
            who=who,
            name=data.get("name", ""),
            sector=plain(field_value(RequesterVerification, "sector", data.get("sector"))),
        )
    if "revoked_at" in row["changes"]:
        return _sentence(gettext("%(who)s revoked the verification."), who=who)
    return _sentence(gettext("%(who)s changed the verification."), who=who)


def _other(row, who, names):
    return _sentence(gettext("%(who)s made a change."), who=who)


SENTENCES = {
    "organizations.Organization": _organization,
    "organizations.Membership": _membership,
    "organizations.Contact": _contact,
    "organizations.IntroductionRequest": _introduction,
    "organizations.VettingApplication": _vetting,
    "organizations.Evidence": _evidence,
    "organizations.Assessment": _assessment,
    "organizations.RequesterVerification": _verification,
}
