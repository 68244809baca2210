"""Visa support end to end: a participant's passport facts (their own page, masked, erased on
time or on request), the conveners' letters (issue, revoke, refusals), the letter's PDF, and
its public verification; and the facts nowhere else: no other page, email, log line or audit
event, and no other reader."""

import io
import json
import logging
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pghistory.models
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation
from pypdf import PdfReader

from dialogues.models import (
    MeetingFormat,
    MeetingStatus,
    Participation,
    VisaDetails,
    VisaLetter,
)
from dialogues.services import (
    holder_initials,
    meeting_transition,
    participation_invite,
    participation_respond,
    visa_details_give,
    visa_details_read,
    visa_details_withdraw,
    visa_letter_issue,
    visa_letter_reference,
    visa_letter_revoke,
    working_group_create,
)
from dialogues.tasks import task_erase_visa_details
from tests.conftest import enrol_totp, signed_in
from tests.dialogues.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

S = MeetingStatus
FACTS = {
    "full_name": "Amina Zainab Bello",
    "nationality": "Nigerian",
    "passport_number": "A01234567",
    "date_of_birth": date(1987, 11, 23),
}
FORM = {**FACTS, "date_of_birth": "1987-11-23"}
# What must never appear outside the person's own page and the letter itself.
SECRETS = ("Zainab", "A01234567", "01234567", "1987-11-23", "Nov. 23, 1987", "Nigerian")
# 23:30 UTC is 00:30 the next day in Lagos: the letter's dates are the venue's.
START = (datetime.now(UTC) + timedelta(weeks=20)).replace(
    hour=23, minute=30, second=0, microsecond=0
)
END = START + timedelta(days=2, hours=8)


LAGOS = zoneinfo.ZoneInfo("Africa/Lagos")


def _venue_day(moment):
    return formats.date_format(moment.astimezone(LAGOS).date(), "DATE_FORMAT")


def _accepted(meeting, convener, organization, user):
    participation, _token = participation_invite(
        meeting=meeting, by=convener, organization=organization, user=user
    )
    return participation_respond(participation=participation, accept=True, by=user)


@pytest.fixture
def world(working_group, wg_convener, enrolled_reviewer):
    host = OrganizationFactory(name="Lagos Peace Hub")
    cso = OrganizationFactory(name="Sahel Women Mediators")
    meeting = new_meeting(
        wg_convener,
        working_group,
        status=S.INVITATIONS_OPEN,
        title="Budgets for prevention",
        timezone="Africa/Lagos",
        format=MeetingFormat.IN_PERSON,
        venue="Eko Hotel, Room 3",
        city="Lagos",
        country="NG",
        starts_at=START,
        ends_at=END,
        host_organizations=[host],
        capacity=5,
    )
    traveller = MembershipFactory(
        organization=cso, user__email="amina@cso.example", user__name="Amina B."
    ).user
    colleague = MembershipFactory(organization=cso, user__email="colleague@cso.example").user
    other_convener = UserFactory(email="other-convener@example.org")
    enrol_totp(other_convener)
    working_group_create(
        by=enrolled_reviewer, name="Education", slug="education", conveners=[other_convener]
    )
    return {
        "meeting": meeting,
        "group": working_group,
        "convener": wg_convener,
        "secretariat": enrolled_reviewer,
        "cso": cso,
        "traveller": traveller,
        "participation": _accepted(meeting, wg_convener, cso, traveller),
        "colleague": colleague,
        "colleague_participation": _accepted(meeting, wg_convener, cso, colleague),
        "other_convener": other_convener,
        "outsider": UserFactory(email="outsider@example.org"),
    }


def _given(world):
    visa_details_give(participation=world["participation"], by=world["traveller"], **FACTS)


def _issued(world) -> VisaLetter:
    _given(world)
    return visa_letter_issue(participation=world["participation"], by=world["convener"])


def _url(meeting, suffix=""):
    return f"/meetings/{meeting.public_id}/{suffix}"


def _pdf_url(letter, **query):
    meeting = letter.participation.meeting
    path = _url(meeting, f"visa-letters/{letter.reference}.pdf")
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def _hidden(body: str, label: str):
    for secret in SECRETS:
        assert secret not in body, f"{secret!r} leaked into {label}"


# The participant's own page.


def test_the_participant_gives_their_facts_and_sees_the_number_masked(world):
    client = signed_in(world["traveller"])
    meeting = world["meeting"]
    page = client.get(_url(meeting, "visa/"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store, private"
    erased_on = formats.date_format(END + timedelta(days=30), "DATE_FORMAT")
    assert f"They are erased automatically on {erased_on}" in page.content.decode()

    saved = client.post(_url(meeting, "visa/"), FORM)

    assert saved.status_code == 302 and saved["Location"] == _url(meeting, "visa/")
    expected = {**FORM, "full_name": "Amina Zainab Bello"}
    assert visa_details_read(participation=world["participation"], by=world["traveller"]) == (
        expected
    )
    body = client.get(_url(meeting, "visa/")).content.decode()
    assert '<span dir="ltr">•••567</span>' in body
    assert "A01234567" not in body and "01234567" not in body
    assert "<bdi>Amina Zainab Bello</bdi>" in body and "<bdi>Nigerian</bdi>" in body
    assert "Your passport facts are saved, encrypted, for the visa letter." in body
    assert "Replace your passport facts" in body
    assert Participation.objects.get(pk=world["participation"].pk).needs_visa


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("full_name", "Amina\x00Bello", "Null characters are not allowed."),
        ("full_name", "Amina \u202eolleB", "Remove the invisible or control characters (U+202E)."),
        ("nationality", "Nige\u200brian", "Remove the invisible or control characters (U+200B)."),
        ("full_name", "Аmina Bello", "“Аmina” mixes Latin with letters of another alphabet"),
        ("full_name", "A" * 5000, "Ensure this value has at most 200 characters (it has 5000)."),
        ("passport_number", "A0123456789012345678901", "at most 20 characters (it has 23)"),
        ("passport_number", "A01-234", "A passport number is 4 to 20 letters (A to Z) and digits"),
        (
            "passport_number",
            "АВ1234567",
            "A passport number is 4 to 20 letters (A to Z) and digits",
        ),
        ("date_of_birth", "2 avril", "Enter a valid date."),
        ("date_of_birth", "1850-01-01", "A date of birth between 1900 and today"),
        ("date_of_birth", "9" * 300, "Enter a valid date."),
    ],
)
def test_bad_facts_get_a_clear_error_keep_what_was_typed_and_save_nothing(
    world, field, typed, message
):
    form = {**FORM, field: typed}
    response = signed_in(world["traveller"]).post(_url(world["meeting"], "visa/"), form)

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'class="error-summary"' in body
    # What else was typed is there to correct, not to type again (NUL bytes dropped).
    assert 'value="Amina Zainab Bello"' in body or field == "full_name"
    assert 'value="A01234567"' in body or field == "passport_number"
    assert "\x00" not in body
    assert not VisaDetails.objects.exists()


def test_spaces_and_small_letters_in_the_passport_number_are_tidied(world):
    signed_in(world["traveller"]).post(
        _url(world["meeting"], "visa/"), {**FORM, "passport_number": " a0123 4567 "}
    )
    facts = visa_details_read(participation=world["participation"], by=world["traveller"])
    assert facts["passport_number"] == "A01234567"


def test_the_facts_are_locked_while_a_letter_is_in_force_and_can_be_erased_any_time(world):
    letter = _issued(world)
    client = signed_in(world["traveller"])
    refused = client.post(_url(world["meeting"], "visa/"), {**FORM, "passport_number": "B999999"})
    assert refused.status_code == 400
    assert "ask the conveners to revoke it before you change them" in refused.content.decode()
    facts = visa_details_read(participation=world["participation"], by=world["traveller"])
    assert facts["passport_number"] == "A01234567"

    removed = client.post(_url(world["meeting"], "visa/remove/"))

    assert removed.status_code == 302
    details = VisaDetails.objects.get()
    assert details.sealed == "" and details.erased_at is not None
    page = client.get(_url(world["meeting"], "visa/")).content.decode()
    assert "Your passport facts were erased on" in page
    assert "It can no longer be downloaded" in page
    assert client.get(_pdf_url(letter)).status_code == 410
    verified = Client().get(f"/verify/visa-letter/{letter.reference}/").content.decode()
    assert "Genuine." in verified
    visa_letter_revoke(letter=letter, by=world["convener"])
    with pytest.raises(ValidationError) as refusal:
        visa_letter_issue(participation=world["participation"], by=world["convener"])
    assert refusal.value.messages == [
        "The passport facts were erased: the participant must give them again."
    ]


# Who may see and do what.


@pytest.mark.parametrize("intruder", ["outsider", "other_convener", "convener", "secretariat"])
def test_only_the_invited_person_has_the_participants_page(world, intruder):
    _given(world)
    before = VisaDetails.objects.get().sealed
    client = signed_in(world[intruder])
    assert client.get(_url(world["meeting"], "visa/")).status_code == 404
    assert client.post(_url(world["meeting"], "visa/"), FORM).status_code == 404
    assert client.post(_url(world["meeting"], "visa/remove/")).status_code == 404
    assert VisaDetails.objects.get().sealed == before
    assert Client().get(_url(world["meeting"], "visa/")).status_code == 302  # to sign in


def test_another_participants_page_is_their_own(world):
    _given(world)
    before = VisaDetails.objects.get().sealed
    client = signed_in(world["colleague"])
    page = client.get(_url(world["meeting"], "visa/")).content.decode()
    assert "No letter yet." in page and "What you gave" not in page
    _hidden(page, "another participant's page")
    removed = client.post(_url(world["meeting"], "visa/remove/"), follow=True)
    assert "There are no passport facts to remove." in removed.content.decode()
    assert VisaDetails.objects.get().sealed == before


@pytest.mark.parametrize("intruder", ["traveller", "colleague", "outsider", "other_convener"])
def test_only_the_conveners_have_the_letters_page_and_its_actions(world, intruder):
    letter = _issued(world)
    client = signed_in(world[intruder])
    assert client.get(_url(world["meeting"], "visa-letters/")).status_code == 404
    issue = _url(
        world["meeting"], f"visa-letters/issue/{world['colleague_participation'].public_id}/"
    )
    assert client.post(issue).status_code == 404
    revoke = _url(world["meeting"], f"visa-letters/{letter.reference}/revoke/")
    assert client.post(revoke).status_code == 404
    assert VisaLetter.objects.get().revoked_at is None and VisaLetter.objects.count() == 1
    with pytest.raises(PermissionDenied):
        visa_letter_revoke(letter=letter, by=world[intruder])
    with pytest.raises(PermissionDenied):
        visa_letter_issue(participation=world["colleague_participation"], by=world[intruder])
    if intruder != "traveller":
        with pytest.raises(PermissionDenied):
            visa_details_read(participation=world["participation"], by=world[intruder])
    assert VisaLetter.objects.get().revoked_at is None and VisaLetter.objects.count() == 1


@pytest.mark.parametrize("reader", ["colleague", "outsider", "other_convener"])
def test_no_one_else_downloads_the_letter(world, reader):
    letter = _issued(world)
    assert signed_in(world[reader]).get(_pdf_url(letter)).status_code == 404
    assert Client().get(_pdf_url(letter)).status_code == 302  # to sign in
    assert signed_in(world["traveller"]).get(_pdf_url(letter)).status_code == 200
    assert signed_in(world["secretariat"]).get(_pdf_url(letter)).status_code == 200


def test_the_passport_facts_appear_nowhere_else(
    world, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    enrol_totp(staff)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # every SQL statement logged, with its parameters
    try:
        traveller = signed_in(world["traveller"])
        convener = signed_in(world["convener"])
        meeting = world["meeting"]
        assert traveller.post(_url(meeting, "visa/"), FORM).status_code == 302
        participation = world["participation"]
        with django_capture_on_commit_callbacks(execute=True):
            issue = _url(meeting, f"visa-letters/issue/{participation.public_id}/")
            assert convener.post(issue).status_code == 302
        letter = VisaLetter.objects.get()
        assert convener.get(_pdf_url(letter)).status_code == 200
        meeting.participants_published = True
        meeting.save()
        pages = {
            "meeting (convener)": convener.get(_url(meeting)),
            "meeting (traveller)": traveller.get(_url(meeting)),
            "meeting (colleague)": signed_in(world["colleague"]).get(_url(meeting)),
            "visa letters page": convener.get(_url(meeting, "visa-letters/")),
            "my meetings": traveller.get("/meetings/mine/"),
            "home": traveller.get("/"),
            "working group": convener.get(f"/working-groups/{world['group'].slug}/"),
            "meeting .ics": convener.get(f"/meetings/{meeting.public_id}.ics"),
            "verification": Client().get(f"/verify/visa-letter/{letter.reference}/"),
            "admin list": signed_in(staff).get("/admin/dialogues/participation/"),
            "admin detail": signed_in(staff).get(
                f"/admin/dialogues/participation/{participation.pk}/change/"
            ),
        }
        with django_capture_on_commit_callbacks(execute=True):
            revoke = _url(meeting, f"visa-letters/{letter.reference}/revoke/")
            assert convener.post(revoke).status_code == 302
    finally:
        connection.force_debug_cursor = False
    for label, response in pages.items():
        assert response.status_code == 200, label
        _hidden(response.content.decode(), label)
    # The conveners' page names the account, not the passport.
    assert "Amina B." in pages["visa letters page"].content.decode()
    assert signed_in(staff).get("/admin/dialogues/visadetails/").status_code == 404
    assert len(mailoutbox) == 2 and {m.to[0] for m in mailoutbox} == {"amina@cso.example"}
    for message in mailoutbox:
        _hidden(message.subject + message.body, f"email {message.subject}")
        assert str(letter.reference) not in message.body
    assert "visa_letter.issued" in caplog.text and "INSERT INTO" in caplog.text
    _hidden(caplog.text, "the logs")
    events = pghistory.models.Events.objects.filter(
        pgh_model__in=[
            "dialogues.VisaDetailsEvent",
            "dialogues.VisaLetterEvent",
            "dialogues.ParticipationEvent",
        ]
    )
    assert events.filter(pgh_model="dialogues.VisaLetterEvent").count() == 2  # issued, revoked
    _hidden(json.dumps([e.pgh_data for e in events] + [e.pgh_context for e in events]), "history")


# The conveners' page, issuing and revoking.


def test_conveners_issue_and_revoke_from_their_page(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _given(world)
    client = signed_in(world["convener"])
    meeting = world["meeting"]
    page = client.get(_url(meeting, "visa-letters/"))
    body = page.content.decode()
    assert page["Cache-Control"] == "no-store, private"
    assert "<bdi>Amina B.</bdi>" in body and "<bdi>Sahel Women Mediators</bdi>" in body
    given_at = VisaDetails.objects.get().given_at
    assert f"given on {formats.date_format(given_at, 'DATE_FORMAT')}" in body
    participation = world["participation"]
    issue = _url(meeting, f"visa-letters/issue/{participation.public_id}/")
    assert f'action="{issue}"' in body

    with django_capture_on_commit_callbacks(execute=True):
        issued = client.post(issue, follow=True)

    letter = VisaLetter.objects.get()
    reference = visa_letter_reference(letter)
    assert (letter.issued_by, letter.holder_initials) == (world["convener"], "A. Z. B.")
    body = issued.content.decode()
    assert f"Letter {reference} issued; the participant is told by email." in body
    revoke = _url(meeting, f"visa-letters/{letter.reference}/revoke/")
    # Revoking asks first (GET), then acts (POST).
    assert f'href="{revoke}"' in body and f'action="{issue}"' not in body
    assert "This cannot be undone" in client.get(revoke).content.decode()
    assert VisaLetter.objects.get().revoked_at is None
    assert mailoutbox[-1].subject == "Your visa support letter: Budgets for prevention"
    assert f"/meetings/{meeting.public_id}/visa/" in mailoutbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        revoked = client.post(revoke, follow=True)

    assert VisaLetter.objects.get().revoked_at is not None
    assert f"Letter {reference} revoked: its verification page now says so." in (
        revoked.content.decode()
    )
    assert mailoutbox[-1].subject == "Visa support letter revoked: Budgets for prevention"
    assert signed_in(world["traveller"]).get(_pdf_url(letter)).status_code == 410
    assert f'action="{issue}"' in revoked.content.decode()  # a new one may be issued
    again = client.post(revoke, follow=True)
    assert "This letter was already revoked." in again.content.decode()


def test_the_letters_page_runs_a_constant_number_of_queries(world, wg_convener):
    _issued(world)
    client = signed_in(wg_convener)
    url = _url(world["meeting"], "visa-letters/")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        user = MembershipFactory(organization=world["cso"], user__email=f"p{n}@cso.example").user
        participation = _accepted(world["meeting"], wg_convener, world["cso"], user)
        visa_details_give(participation=participation, by=user, **FACTS)
        if n:
            visa_letter_issue(participation=participation, by=wg_convener)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count("<tr>") == 1 + 4
    assert len(many) == len(one)


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("no_facts", "The participant has not given their passport facts yet."),
        ("waitlisted", "On the waiting list: a letter is issued once the place is confirmed."),
        ("invited", "Only participants whose place is confirmed get a letter."),
        ("declined", "Only participants whose place is confirmed get a letter."),
        ("in_force", "A letter is already in force: revoke it to issue another."),
        ("cancelled", "The meeting was cancelled."),
        ("started", "The meeting has started: it is too late for a visa letter."),
        ("online", "An online meeting needs no visa letter."),
    ],
)
def test_a_letter_is_refused_with_the_reason(world, situation, message):
    meeting, convener, cso = world["meeting"], world["convener"], world["cso"]
    if situation == "online":
        meeting = new_meeting(
            convener, world["group"], status=S.INVITATIONS_OPEN, format=MeetingFormat.ONLINE
        )
    if situation == "waitlisted":  # the last places go first
        for n in range(meeting.capacity - 2):
            other = MembershipFactory(organization=cso, user__email=f"{n}@cso.example").user
            _accepted(meeting, convener, cso, other)
    user = MembershipFactory(organization=cso, user__email="late@cso.example").user
    participation, _token = participation_invite(
        meeting=meeting, by=convener, organization=cso, user=user, needs_visa=True
    )
    if situation not in ("no_facts", "online"):
        visa_details_give(participation=participation, by=user, **FACTS)
    if situation != "invited":
        participation = participation_respond(
            participation=participation, accept=situation != "declined", by=user
        )
    if situation == "in_force":
        visa_letter_issue(participation=participation, by=convener)
    if situation == "cancelled":
        meeting_transition(meeting=meeting, to=S.CANCELLED, by=convener, reason="No venue.")
    letters = VisaLetter.objects.count()
    later = START + timedelta(minutes=1) if situation == "started" else datetime.now(UTC)
    with time_machine.travel(later):
        with pytest.raises(ValidationError) as refused:
            visa_letter_issue(participation=participation, by=convener)
        page = signed_in(convener).get(_url(meeting, "visa-letters/")).content.decode()
    assert refused.value.messages == [message]
    assert VisaLetter.objects.count() == letters
    if situation not in ("online", "in_force"):  # the page shows the revoke button instead
        assert message.replace("'", "&#x27;") in page


def test_the_page_refuses_facts_for_a_declined_invitation(world):
    participation = world["colleague_participation"]
    participation_respond(participation=participation, accept=False, by=world["colleague"])
    client = signed_in(world["colleague"])
    response = client.post(_url(world["meeting"], "visa/"), FORM)
    assert response.status_code == 400
    assert "You declined this invitation." in response.content.decode()
    assert not VisaDetails.objects.exists()


# The letter itself.


def test_the_letter_is_a_pdf_with_the_facts_the_meeting_and_its_verification(world, settings):
    letter = _issued(world)
    response = signed_in(world["traveller"]).get(_pdf_url(letter, language="en"))

    reference = visa_letter_reference(letter)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Disposition"] == f'attachment; filename="{reference.lower()}-en.pdf"'
    text = _text(response.content)
    with translation.override("en"):
        first, last = _venue_day(START), _venue_day(END)
    assert first != formats.date_format(START.date(), "DATE_FORMAT")  # the venue's day, not UTC's
    for expected in (
        f"Reference: {reference}",
        "Budgets for prevention",
        f"Dates: from {first} to {last}",
        "Place: Lagos, Nigeria",
        "Hosted by: Lagos Peace Hub",
        "Working group: Security Interventions",
        "Full name (as in the passport): Amina Zainab Bello",
        "Nationality: Nigerian",
        "Passport number: A01234567",
        "Date of birth: Nov. 23, 1987",
        "Taking part on behalf of: Sahel Women Mediators",
        world["convener"].name,
        f"{settings.SITE_URL}/verify/visa-letter/{letter.reference}/",
    ):
        assert expected in text, expected
    assert "Eko Hotel" not in text  # the venue is not the embassy's business
    metadata = PdfReader(io.BytesIO(response.content)).metadata
    assert metadata.title == f"Visa support letter {reference}"
    assert "Zainab" not in f"{metadata.title} {metadata.subject} {metadata.author}"


def test_the_letter_in_arabic_is_declared_arabic_and_keeps_its_reference(world):
    letter = _issued(world)
    pdf = signed_in(world["convener"]).get(_pdf_url(letter, language="ar")).content
    reader = PdfReader(io.BytesIO(pdf))
    assert str(reader.trailer["/Root"]["/Lang"]) == "ar"
    text = _text(pdf)
    assert visa_letter_reference(letter) in text and "A01234567" in text


# The public verification page.


def _verify(reference, language="en"):
    return Client(headers={"Accept-Language": language}).get(f"/verify/visa-letter/{reference}/")


def test_a_genuine_letter_verifies_without_the_passport_facts(world):
    letter = _issued(world)
    response = _verify(letter.reference)
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"
    assert "<strong>Genuine.</strong>" in body
    assert "<bdi>Budgets for prevention</bdi>" in body
    assert f"{_venue_day(START)} – {_venue_day(END)}" in body
    assert "<bdi>Lagos</bdi>, Nigeria" in body
    assert "<bdi>A. Z. B.</bdi>" in body
    assert f'<span dir="ltr">{visa_letter_reference(letter)}</span>' in body
    _hidden(body, "the verification page")
    for private in ("Amina", "Sahel Women Mediators", "Eko Hotel", "amina@cso.example"):
        assert private not in body


def test_the_verification_page_in_arabic(world):
    letter = _issued(world)
    response = _verify(letter.reference, "ar")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in body
    with translation.override("ar"):
        assert _venue_day(START) in body  # the date in Arabic, from Django's locale formats
    assert "<bdi>Budgets for prevention</bdi>" in body and "<bdi>A. Z. B.</bdi>" in body
    _hidden(body, "the Arabic verification page")
    unknown = _verify("00000000-0000-4000-8000-000000000000", "ar")
    assert unknown.status_code == 404 and 'dir="rtl"' in unknown.content.decode()


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("revoke", "Genuine, but revoked."),
        ("cancel", "Genuine, but the meeting was cancelled."),
        ("decline", "Genuine, but its holder no longer takes part in the meeting."),
    ],
)
def test_a_letter_that_no_longer_stands_says_why(world, change, says):
    letter = _issued(world)
    if change == "revoke":
        visa_letter_revoke(letter=letter, by=world["convener"])
    elif change == "cancel":
        meeting_transition(
            meeting=world["meeting"], to=S.CANCELLED, by=world["convener"], reason="x"
        )
    else:
        participation_respond(
            participation=world["participation"], accept=False, by=world["traveller"]
        )
    body = _verify(letter.reference).content.decode()
    assert f"<strong>{says}</strong>" in body and "<strong>Genuine.</strong>" not in body
    assert "<bdi>Budgets for prevention</bdi>" in body


@pytest.mark.parametrize(
    "reference",
    [
        "00000000-0000-4000-8000-000000000000",
        "not-a-reference",
        "GSX-VISA-2027-ABCDEF",
        "9" * 2000,
        "%E2%80%AE1234",
    ],
)
def test_an_unknown_or_malformed_reference_is_not_known(world, reference):
    _issued(world)
    response = Client().get(f"/verify/visa-letter/{reference}/")
    assert response.status_code == 404
    assert "No visa support letter is known with this reference." in response.content.decode()


def test_a_nul_byte_in_the_reference_is_refused_before_any_page(db):
    assert Client().get("/verify/visa-letter/%00/").status_code == 404


def test_the_recognition_letters_check_is_untouched(db):
    response = Client().get("/verify/visa-letter/")
    assert response.status_code == 404
    assert "No letter of recognition was issued with this code." in response.content.decode()


# Erasure.


def test_facts_are_erased_30_days_after_the_meeting_and_the_letter_still_verifies(world):
    letter = _issued(world)
    with time_machine.travel(END + timedelta(days=29), tick=False):
        assert task_erase_visa_details() == 0
    assert VisaDetails.objects.get().sealed != ""
    day_31 = END + timedelta(days=31)
    with time_machine.travel(day_31, tick=False):
        assert task_erase_visa_details() == 1
        details = VisaDetails.objects.get()
        assert details.sealed == "" and details.erased_at == day_31
        assert visa_details_read(participation=world["participation"], by=world["convener"]) is None
        with pytest.raises(ValidationError):
            visa_letter_issue(participation=world["participation"], by=world["convener"])
        assert "<strong>Genuine.</strong>" in _verify(letter.reference).content.decode()
        assert signed_in(world["traveller"]).get(_pdf_url(letter)).status_code == 410
        page = signed_in(world["convener"]).get(_url(world["meeting"], "visa-letters/"))
    erased = formats.date_format(day_31, "DATE_FORMAT")
    assert f"erased on {erased}" in page.content.decode()
    events = pghistory.models.Events.objects.filter(pgh_model="dialogues.VisaDetailsEvent")
    assert [e.pgh_label for e in events.order_by("pgh_created_at")] == ["insert", "update"]
    _hidden(json.dumps([e.pgh_data for e in events]), "history")
    assert all("sealed" not in e.pgh_data for e in events)


# The meeting's page links to both pages, for the right readers.


def test_the_meeting_page_links_the_visa_pages_for_their_readers(world):
    meeting = world["meeting"]
    mine, theirs = _url(meeting, "visa/"), _url(meeting, "visa-letters/")
    traveller = signed_in(world["traveller"]).get(_url(meeting)).content.decode()
    assert mine in traveller and theirs not in traveller
    convener = signed_in(world["convener"]).get(_url(meeting)).content.decode()
    assert theirs in convener and mine not in convener
    outsider = signed_in(world["outsider"]).get(_url(meeting)).content.decode()
    assert mine not in outsider and theirs not in outsider
    online = new_meeting(
        world["convener"], world["group"], status=S.INVITATIONS_OPEN, format=MeetingFormat.ONLINE
    )
    page = signed_in(world["convener"]).get(_url(online)).content.decode()
    assert _url(online, "visa-letters/") not in page


def test_holder_initials():
    assert holder_initials("  amina   zainab bello ") == "A. Z. B."
    assert holder_initials("أمينة بلو") == "أ. ب."
    assert holder_initials("a b c d e f g h") == "A. B. C. D. E. F."


def test_the_withdrawal_is_the_persons_only(world):
    _given(world)
    with pytest.raises(PermissionDenied):
        visa_details_withdraw(participation=world["participation"], by=world["convener"])
    assert VisaDetails.objects.get().sealed != ""


def test_a_restricted_organization_is_named_on_no_letter(world):
    from organizations.models import VisibilityTier

    letter = _issued(world)
    client = signed_in(world["convener"])
    assert "Sahel Women Mediators" in _text(client.get(_pdf_url(letter)).content)
    world["cso"].visibility_tier = VisibilityTier.RESTRICTED
    world["cso"].save()
    assert "Sahel Women Mediators" not in _text(client.get(_pdf_url(letter)).content)


def test_a_letter_no_longer_holds_once_its_holder_left_the_organization(world):
    from organizations.models import Membership

    letter = _issued(world)
    verify = f"/verify/visa-letter/{letter.reference}/"
    assert "Genuine." in Client().get(verify).content.decode()
    Membership.objects.filter(user=world["traveller"]).delete()
    page = Client().get(verify).content.decode()
    assert "Genuine, but its holder no longer takes part in the meeting." in page
