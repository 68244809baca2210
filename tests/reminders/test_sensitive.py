"""No sensitive field reaches a reminder email, whatever the kind (DESIGN.md §3).

One world, built through the apps' services, in which every registered kind comes due between
10 and 25 June 2031; every entry of ``gsx_portal.sensitive.SENSITIVE_FIELDS`` set, on every row
of that world, to a marker made from the entry's name; one sweep a day across those days, for
English and for Arabic recipients; no marker in any email's subject, plain text or HTML part.

The markers are filled from the list itself: an entry added later is filled too, or this test
fails saying what it does not know how to fill, so that the list and the test cannot drift
apart. And every kind must appear in some email, so that the test cannot pass by sending
nothing.
"""

import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from html import escape

import pytest
import time_machine
from django.apps import apps
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.test import TestCase
from django.utils import formats, translation

from dialogues.models import MeetingFormat, MeetingKind, MeetingStatus, VisaDetails
from dialogues.services import (
    action_point_add,
    agenda_item_add,
    meeting_transition,
    participation_invite,
    participation_respond,
    visa_details_give,
    visa_details_read,
)
from dialogues.services.visa import VISA_FACTS, visa_fact_clean
from gsx_portal import reminders
from gsx_portal.models import DeliveryState, ReminderDelivery, ReminderDigest
from gsx_portal.outbox import outbox_send_due
from gsx_portal.sensitive import SENSITIVE_FIELDS
from organizations.models import MembershipRole, User
from organizations.services import contact_save, introduction_request, membership_invite
from recommendations.models import CycleState
from recommendations.services import (
    follow,
    recommendation_create,
    response_record,
    review_cycle_create,
    review_cycle_transition,
    source_document_create,
)
from tests.conftest import enrol_totp, new_meeting
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.organizations.conftest import vetting_approved, vetting_submitted

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"  # the convening's zone, in which the dialogues' days are counted
FIRST_DAY, LAST_DAY = date(2031, 6, 10), date(2031, 6, 25)
SWEEP_HOUR = 14  # UTC: 10:00 in New York, the same day everywhere the world's days are counted
SEALED = "dialogues.VisaDetails.sealed"
DATE_FORMS = ("DATE_FORMAT", "SHORT_DATE_FORMAT", "j F Y", "N j, Y", "d/m/Y", "m/d/Y", "d.m.Y")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(text: str):
    return time_machine.travel(utc(text), tick=False)


# --- The world --------------------------------------------------------------------------------


def build_world(*, cso, cso_admin, cso_member, outsider, reviewer, convener, requester, ministry):
    """What comes due, day by day (UTC for the organizations and followed changes, New York
    for the convening and the review cycle, whose days agree at the sweep's hour):

    - 10 June: the cycle's update requests (14 days before it closes) to the ministry's and
      the CSO's admins; the outsider's followed change (the ministry's response); the
      convening's registration open (to the member) and agenda published (to the admin); the
      member's passport facts asked (14 days before the visa deadline); the member's action
      point due in 14 days.
    - 12 June: the CSO's vetting expires in 14 days (its admin); an application waiting 7 days
      (the secretariat); an introduction request waiting 3 days (the CSO's admin).
    - 17 June: the member's invitation unanswered for 7 days; the visa letters waiting (the
      conveners); update requests again (7 days before).
    - 21 June: passport facts asked again (3 days before); 23 June: update requests (1 day).
    - 24 June: the cycle's closing summary (the secretariat); the visa deadline (the admin and
      the member); 25 June: the action point overdue.
    """
    second_reviewer = UserFactory(groups=["secretariat"])
    enrol_totp(second_reviewer)
    ministry_admin = MembershipFactory(organization=ministry, role=MembershipRole.ADMIN).user
    applicant = OrganizationFactory(name="Lakeshore Mediators")
    applicant_admin = MembershipFactory(organization=applicant, role=MembershipRole.ADMIN).user
    # Vetted for 24 months: the approval expires on 26 June 2031.
    with at("2029-06-26 12:00"):
        vetting_approved(vetting_submitted(cso, cso_admin), reviewer, second_reviewer)
    for organization, admin in ((cso, cso_admin), (applicant, applicant_admin)):
        contact_save(
            organization=organization,
            by=admin,
            name="Amina Diallo",
            email="amina@example.org",
            phone="+221 77 000 00 00",
            secure_channel="Signal",
            shareable=True,
        )
    membership_invite(organization=cso, by=cso_admin, email="newcomer@example.org")
    with at("2031-06-03 13:00"):
        convening = new_meeting(
            convener,
            None,
            kind=MeetingKind.ANNUAL_CONVENING,
            status=MeetingStatus.PLANNED,
            title="GSX Annual Convening 2031",
            starts_at=utc("2031-09-16 13:30"),  # visa deadline 24 June in New York
            timezone=NEW_YORK,
            format=MeetingFormat.HYBRID,
            venue="Conference Room 4",
            city="New York",
            join_url="https://meet.example/gsx-2031",
        )
    with at("2031-06-05 12:00"):
        vetting_submitted(applicant, applicant_admin)
    with at("2031-06-09 12:00"):
        introduction_request(
            requester=requester,
            requester_organization=ministry,
            organization=cso,
            purpose="A pilot of community policing in the coastal districts.",
        )
    with at("2031-06-10 09:00"):
        source = source_document_create(
            by=reviewer, title="Community policing", kind="brief", published_on=date(2031, 3, 1)
        )
        recommendation = recommendation_create(
            by=reviewer,
            source=source,
            reference="R-1",
            title="Train police services in community policing",
            text="Train police services in community policing.",
            addressed_organizations=[ministry, cso],
            published=True,
        )
        cycle = review_cycle_create(
            by=reviewer,
            name="GSX 2031",
            convening=convening,
            opens_on=date(2031, 5, 1),
            closes_on=date(2031, 6, 24),
        )
        review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
        follow(by=outsider, recommendation=recommendation)
        response_record(
            response=recommendation.responses.get(organization=ministry),
            by=ministry_admin,
            status="supported",
        )
    with at("2031-06-10 13:00"):
        convening, _warnings = meeting_transition(
            meeting=convening, to=MeetingStatus.INVITATIONS_OPEN, by=convener
        )
        coming, _raw = participation_invite(
            meeting=convening, by=convener, organization=cso, user=cso_admin, needs_visa=True
        )
        participation_respond(participation=coming, accept=True, by=cso_admin)
        visa_details_give(
            participation=coming,
            by=cso_admin,
            full_name="Amina Diallo",
            nationality="Senegal",
            passport_number="A1234567",
            date_of_birth=date(1984, 3, 8),
        )
        for invitee in ({"user": cso_member}, {"email": "guest@example.net"}):
            participation_invite(
                meeting=convening, by=convener, organization=cso, needs_visa=True, **invitee
            )
        agenda_item_add(meeting=convening, by=convener, title="Opening plenary")
        action_point_add(
            meeting=convening,
            by=convener,
            text="Share the draft guide",
            responsible_person=cso_member,
            due_on=date(2031, 6, 24),
        )


# --- Markers ----------------------------------------------------------------------------------


def readable(entry: str) -> str:
    """The entry's name as a marker: "dialogues.Meeting.venue" → "ZQ-dialogues-Meeting-venue"."""
    return "ZQ-" + re.sub(r"[^A-Za-z0-9]+", "-", entry).strip("-")


def compact(entry: str) -> str:
    """A short marker of letters and digits, for fields the readable one does not fit (a
    passport number: 4 to 20 capitals and digits)."""
    return "ZQ" + hashlib.sha256(entry.encode()).hexdigest()[:12].upper()


def marker_date(entry: str) -> date:
    """A date of the last century, for facts that are dates."""
    n = int(hashlib.sha256(entry.encode()).hexdigest()[:8], 16)
    return date(1901 + n % 90, 1 + n % 12, 1 + n % 28)


def date_forms(day: date) -> set[str]:
    """How an email could write ``day``, in every language of the portal."""
    forms = {day.isoformat()}
    for code, _name in django_settings.LANGUAGES:
        with translation.override(code):
            forms |= {formats.date_format(day, form) for form in DATE_FORMS}
    return forms


def field_values(field, entry: str, pk: int) -> list[str]:
    """The values to try for ``field`` on row ``pk``, each unique to the row (emails are unique
    per meeting) and starting with one of the entry's markers; none for a kind of field this
    test does not know how to fill."""
    markers = (readable(entry), compact(entry))
    if isinstance(field, models.EmailField):
        return [f"{marker.lower()}-{pk}@marker.example" for marker in markers]
    if isinstance(field, models.URLField):
        return [f"https://{marker.lower()}.example/{pk}" for marker in markers]
    if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
        return [f"{marker}-{pk}" for marker in markers]
    return []


def fill_field(entry: str) -> set[str]:
    """Set ``entry`` ("app_label.Model.field") on every row of its model; return its markers."""
    try:
        app_label, model_name, field_name = entry.split(".")
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
    except (ValueError, LookupError, FieldDoesNotExist) as error:
        unknown = error
    else:
        unknown = None
    if unknown:
        pytest.fail(f"{entry} names no model field ({unknown}): fix gsx_portal.sensitive", False)
    if not field_values(field, entry, 0):
        pytest.fail(
            f"{entry}: this test does not know how to fill a {type(field).__name__}; teach "
            "field_values() to make a marker for it",
            False,
        )
    rows = list(model._base_manager.all())
    if not rows:
        pytest.fail(
            f"{entry}: the world has no {model_name}; make one in build_world() so that its "
            f"{field_name} is tested",
            False,
        )
    for row in rows:
        setattr(row, field.attname, valid_value(field, entry, row))
    model._base_manager.bulk_update(rows, [field.name])
    return {readable(entry), compact(entry)}


def valid_value(field, entry: str, row) -> str:
    errors = []
    for value in field_values(field, entry, row.pk):
        try:
            field.clean(value, row)
        except ValidationError as error:
            errors.append(f"{value!r}: {' '.join(error.messages)}")
            continue
        return value
    pytest.fail(f"{entry}: no marker is a valid value ({'; '.join(errors)})", False)


def fill_sealed(entries: dict[str, str]) -> dict[str, set[str]]:
    """Give every person's passport facts again, through the visa service, with each fact of
    ``entries`` (fact name → entry) set to its marker; return each entry's markers."""
    unknown = sorted(set(entries) - set(VISA_FACTS))
    if unknown:
        pytest.fail(f"{SEALED} holds no fact named {unknown}: fix gsx_portal.sensitive", False)
    markers, values = {}, {}
    for name, entry in entries.items():
        values[name], markers[entry] = valid_fact(name, entry)
    given = list(VisaDetails.objects.exclude(sealed="").select_related("participation__user"))
    if not given:
        pytest.fail(f"{SEALED}: the world has no passport facts; give some in build_world()", False)
    for details in given:
        participation, person = details.participation, details.participation.user
        facts = visa_details_read(participation=participation, by=person)
        facts["date_of_birth"] = date.fromisoformat(facts["date_of_birth"])
        visa_details_give(participation=participation, by=person, **{**facts, **values})
    return markers


def valid_fact(name: str, entry: str):
    """The first of the entry's markers the visa service takes for ``name``, and how an email
    could show it."""
    for value in (readable(entry), compact(entry), marker_date(entry)):
        try:
            kept = visa_fact_clean(name, value)
        except ValidationError:
            continue
        return value, date_forms(value) if isinstance(value, date) else {kept}
    pytest.fail(f"{entry}: no marker is a valid passport fact {name}", False)


def fill_markers() -> dict[str, set[str]]:
    """Set every entry of SENSITIVE_FIELDS, on every row of the world, to a marker derived from
    the entry's name; return, for each entry, the markers no email may contain (lower-cased:
    compared whatever the case)."""
    markers: dict[str, set[str]] = {}
    sealed: dict[str, str] = {}
    for entry in SENSITIVE_FIELDS:
        path, colon, fact = entry.partition(":")
        if not colon:
            markers[entry] = fill_field(entry)
        elif path == SEALED:
            sealed[fact] = entry
        else:
            pytest.fail(f"{entry}: only {SEALED} keeps sealed facts; teach fill_markers()", False)
    if sealed:
        markers.update(fill_sealed(sealed))
    return {entry: {needle.lower() for needle in needles} for entry, needles in markers.items()}


# --- The sweeps -------------------------------------------------------------------------------


def sweep_every_day(language: str) -> list[tuple[str, object, set[str]]]:
    """One sweep a day from FIRST_DAY to LAST_DAY, the digests sent once it commits; each email
    with its day and the kinds of the items it carried (from the ledger: the email's digest)."""
    sent = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        moment = datetime(day.year, day.month, day.day, SWEEP_HOUR, tzinfo=UTC)
        mail.outbox.clear()
        with (
            time_machine.travel(moment, tick=False),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            reminders.reminders_send_due()
        digests = {
            digest.user.email: digest
            for digest in ReminderDigest.objects.filter(sent_at=moment).select_related("user")
        }
        # Every email the sweep sent is a digest, in the recipient's language.
        assert sorted(message.to[0] for message in mail.outbox) == sorted(digests)
        for message in mail.outbox:
            digest = digests[message.to[0]]
            assert digest.language == language
            kinds = set(
                digest.items.filter(state=DeliveryState.SENT).values_list("kind", flat=True)
            )
            sent.append((day.isoformat(), message, kinds))
        day += timedelta(days=1)
    return sent


def parts(message) -> dict[str, str]:
    (html, mime), *_others = message.alternatives
    assert mime == "text/html"
    return {"subject": message.subject, "text": message.body, "html": html}


# --- The test ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_sensitive_field_reaches_any_reminder_email(
    settings,
    language,
    cso,
    cso_admin,
    cso_member,
    outsider,
    reviewer,
    convener,
    enrolled_government_user,
    ministry,
):
    settings.REMINDER_MORNING_HOURS = (0, 24)
    build_world(
        cso=cso,
        cso_admin=cso_admin,
        cso_member=cso_member,
        outsider=outsider,
        reviewer=reviewer,
        convener=convener,
        requester=enrolled_government_user,
        ministry=ministry,
    )
    with at("2031-06-10 13:30"):
        # The mail the world's making queued goes out now: from here on, only reminders.
        with TestCase.captureOnCommitCallbacks(execute=True):
            outbox_send_due(utc("2031-06-10 13:30"))
        markers = fill_markers()
    assert set(markers) == set(SENSITIVE_FIELDS)
    User.objects.update(language=language)

    emails = sweep_every_day(language)

    known = reminders.kinds()
    with translation.override(language):
        headings = {name: str(kind.heading) for name, kind in known.items()}
        fallback = translation.gettext("An update from the portal is waiting for you.")
    shown = set()
    for _day, message, kinds in emails:
        text = parts(message)["text"]
        assert fallback not in text, text  # a sentence that could not be written hides nothing
        shown |= {kind for kind in kinds if headings[kind] in text}
    missing = sorted(set(known) - shown)
    assert not missing, f"no email carried {missing}: make them come due in build_world()"

    leaks = [
        f"{entry} ({needle!r}) in the {part} of the email to {message.to[0]} on {day}"
        for day, message, _kinds in emails
        for part, content in parts(message).items()
        for entry, needles in markers.items()
        for needle in needles
        if needle in content.lower() or escape(needle) in content.lower()
    ]
    assert not leaks, "\n".join(leaks)
    # Nor in what the ledger keeps for the digests (parameters and links).
    for item in ReminderDelivery.objects.all():
        kept = (json.dumps(item.params, ensure_ascii=False) + " " + item.link).lower()
        found = [entry for entry, needles in markers.items() if any(n in kept for n in needles)]
        assert not found, f"{found} in the parameters or link of {item.kind}: {kept}"
