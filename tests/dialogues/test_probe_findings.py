"""What an attacker tried on the conveners' pages, each now refused: a Chatham House report
naming a speaker in disguise, a draft's action points carried to other readers, a restricted
organization named by a convener outside it, a member who left answering for it, an answer link
still live after an answer from the account, participants named as speakers to readers who may
not see the participants, invisible characters, and an action point on a cancelled meeting."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from dialogues.models import (
    ActionPoint,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    Participation,
    ParticipationStatus,
)
from dialogues.reports import speakers_named
from dialogues.rules import visa_letter_refusal
from dialogues.services import (
    action_point_add,
    agenda_item_add,
    meeting_transition,
    participation_invite,
    participation_respond,
    visa_details_give,
)
from organizations.models import Membership, VisibilityTier
from tests.conftest import new_meeting, signed_in
from tests.factories import MembershipFactory, OrganizationFactory

S = MeetingStatus
NOW = datetime.now(UTC)


def url(meeting, suffix=""):
    return f"/meetings/{meeting.public_id}/{suffix}"


@pytest.fixture
def chatham(working_group, wg_convener, cso_member, cso):
    cso_member.name = "Amina Diallo"
    cso_member.save()
    meeting = new_meeting(wg_convener, working_group, status=S.CONFIRMED, chatham_house=True)
    Participation.objects.create(
        meeting=meeting, user=cso_member, organization=cso, status=ParticipationStatus.ACCEPTED
    )
    agenda_item_add(meeting=meeting, by=wg_convener, title="Panel", other_speakers="Karl Speaker")
    return meeting


@pytest.mark.parametrize(
    "report",
    [
        "Am&#105;na Diallo argued.",
        "Ami\u200bna Diallo argued.",
        "Amina\u00adDiallo",  # soft hyphen glued: still the name once invisible marks go
        "Amina  Diallo argued.",
        "Amina\nDiallo argued.",
        "Amina&nbsp;Diallo argued.",
        "Ami*na* Diallo argued.",
        "**Amina** Diallo argued.",
        "`Amina` Diallo argued.",
        "[Ami](https://example.org)na Diallo argued.",
        "\u0410mina Diallo argued.",  # a Cyrillic capital A
        "See <https://example.org/Amina-Diallo>.",
        "[a participant](https://example.org/amina_diallo) argued.",
        "Karl\nSpeaker closed.",
    ],
)
def test_a_chatham_house_report_names_no_speaker_in_disguise(chatham, report):
    assert speakers_named(chatham, report), report


def test_innocent_reports_pass(chatham):
    assert speakers_named(chatham, "A participant argued; Diallo Street was mentioned.") == []


def test_a_drafts_action_points_are_not_carried_to_other_readers(
    working_group, wg_convener, cso_member
):
    draft = new_meeting(
        wg_convener, working_group, title="Secret draft", starts_at=NOW + timedelta(weeks=1)
    )
    action_point_add(meeting=draft, by=wg_convener, text="Draft-only plan")
    later = new_meeting(
        wg_convener, working_group, status=S.PLANNED, starts_at=NOW + timedelta(weeks=8)
    )
    assert "Draft-only plan" not in signed_in(cso_member).get(url(later)).content.decode()
    assert "Draft-only plan" in signed_in(wg_convener).get(url(later)).content.decode()


@pytest.fixture
def at_risk(db):
    organization = OrganizationFactory(
        slug="hidden-mothers", name="Hidden Mothers", visibility_tier=VisibilityTier.RESTRICTED
    )
    member = MembershipFactory(organization=organization, user__email="h@risk.example").user
    return organization, member


def test_a_convener_outside_a_restricted_organization_cannot_name_it(
    working_group, wg_convener, at_risk
):
    _organization, _member = at_risk
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    client = signed_in(wg_convener)
    response = client.post(
        url(meeting, "invite/"),
        {"email": "outsider@evil.example", "organization": "hidden-mothers"},
    )
    assert "No organization has this address." in response.content.decode()
    assert not Participation.objects.exists()
    response = client.post(
        url(meeting, "action-points/new/"),
        {"text": "x", "status": "open", "responsible_organization": "hidden-mothers"},
    )
    assert "No organization has this address." in response.content.decode()
    assert not ActionPoint.objects.exists()


def test_a_restricted_organizations_member_is_invited_on_its_behalf(
    working_group, wg_convener, at_risk
):
    organization, member = at_risk
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    response = signed_in(wg_convener).post(
        url(meeting, "invite/"), {"email": member.email, "organization": "hidden-mothers"}
    )
    assert response.status_code == 302
    assert Participation.objects.get().organization == organization


def test_a_restricted_host_is_never_on_the_letter_or_the_page(
    enrolled_reviewer, cso_member, cso, at_risk
):
    organization, _member = at_risk
    meeting = new_meeting(enrolled_reviewer, None, status=S.PLANNED, format=MeetingFormat.IN_PERSON)
    meeting.host_organizations.add(organization, cso)
    page = signed_in(cso_member).get(url(meeting)).content.decode()
    assert "Hidden Mothers" not in page and cso.name in page


def test_a_member_who_left_cannot_accept_for_the_organization(
    working_group, wg_convener, cso_member, cso
):
    meeting = new_meeting(
        wg_convener, working_group, status=S.INVITATIONS_OPEN, format=MeetingFormat.IN_PERSON
    )
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso
    )
    Membership.objects.filter(user=cso_member).delete()
    response = signed_in(cso_member).post(url(meeting, "accept/"), follow=True)
    assert "no longer a member" in response.content.decode()
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.INVITED
    # Declining stays possible.
    participation_respond(participation=participation, accept=False, by=cso_member)


def test_a_member_who_left_gets_no_visa_letter(working_group, wg_convener, cso_member, cso):
    meeting = new_meeting(
        wg_convener, working_group, status=S.INVITATIONS_OPEN, format=MeetingFormat.IN_PERSON
    )
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso, needs_visa=True
    )
    participation_respond(participation=participation, accept=True, by=cso_member)
    visa_details_give(
        participation=participation,
        by=cso_member,
        full_name="BOB EXAMPLE",
        nationality="Niger",
        passport_number="X1234567",
        date_of_birth=date(1990, 1, 1),
    )
    participation.refresh_from_db()
    assert visa_letter_refusal(participation) is None
    Membership.objects.filter(user=cso_member).delete()
    participation = Participation.objects.get(pk=participation.pk)
    assert "no longer a member" in visa_letter_refusal(participation)


def test_the_answer_link_dies_after_an_answer_from_the_account(
    working_group, wg_convener, cso_member, cso
):
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    participation, raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso
    )
    participation_respond(participation=participation, accept=True, by=cso_member)
    assert Client().post(f"/meetings/answer/{raw}/decline/").status_code == 404
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.ACCEPTED


def test_participants_are_named_as_speakers_only_to_who_may_see_participants(
    working_group, wg_convener, cso_member, cso, outsider
):
    cso_member.name = "Zainab Quietperson"
    cso_member.save()
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso
    )
    item = agenda_item_add(meeting=meeting, by=wg_convener, title="Panel", speakers=[participation])
    assert item.speakers.count() == 1
    assert "Zainab Quietperson" not in signed_in(outsider).get(url(meeting)).content.decode()
    assert "Zainab Quietperson" in signed_in(wg_convener).get(url(meeting)).content.decode()


@pytest.mark.parametrize("field", ["city", "venue"])
def test_invisible_characters_are_refused_in_places(working_group, wg_convener, field):
    meeting = new_meeting(wg_convener, working_group)
    page = signed_in(wg_convener).get(url(meeting, "edit/"))
    form = {
        k: v
        for k, v in page.context["form"].initial.items()
        if v is not None and not isinstance(v, list)
    }
    response = signed_in(wg_convener).post(
        url(meeting, "edit/"),
        {
            **form,
            "kind": meeting.kind,
            "title": meeting.title,
            "format": meeting.format,
            "timezone": meeting.timezone,
            "starts_at": "2027-10-31T09:30",
            "ends_at": "2027-10-31T17:00",
            "visa_lead_weeks": "12",
            field: "Lon\u202edon",
        },
    )
    assert "invisible or control characters" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).starts_at == meeting.starts_at


def test_a_reason_of_invisible_characters_is_no_reason(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group, status=S.PLANNED)
    response = signed_in(wg_convener).post(url(meeting, "cancel/"), {"reason": "\u202e"})
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == S.PLANNED


def test_an_edit_form_saves_as_loaded(working_group, wg_convener, enrolled_reviewer):
    meeting = new_meeting(wg_convener, working_group)
    page = signed_in(wg_convener).get(url(meeting, "edit/")).content.decode()
    assert "[]" not in page
    group_page = (
        signed_in(enrolled_reviewer)
        .get(f"/working-groups/{working_group.slug}/edit/")
        .content.decode()
    )
    assert "[]" not in group_page


def test_no_action_point_on_a_cancelled_meeting(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group, status=S.PLANNED)
    meeting_transition(meeting=meeting, to=S.CANCELLED, by=wg_convener, reason="Venue closed")
    response = signed_in(wg_convener).post(
        url(meeting, "action-points/new/"), {"text": "Late idea", "status": "open"}
    )
    assert "cancelled" in response.content.decode()
    assert not ActionPoint.objects.exists()


# --- The API, from the second probe ---------------------------------------------------------


def test_a_member_who_left_a_restricted_organization_no_longer_reads_its_name(
    working_group, wg_convener, at_risk
):
    from tests.conftest import bearer

    organization, member = at_risk
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    participation_invite(meeting=meeting, by=wg_convener, user=member, organization=organization)
    client = bearer(member)
    assert client.get("/api/v1/participations/").json()["results"][0]["organization"]["name"] == (
        "Hidden Mothers"
    )
    Membership.objects.filter(user=member).delete()
    row = client.get("/api/v1/participations/").json()["results"][0]
    assert row["organization"] is None
    assert "Hidden Mothers" not in signed_in(member).get("/meetings/mine/").content.decode()


def test_a_body_nested_too_deeply_is_a_bad_request(working_group, wg_convener, cso_member):
    from tests.conftest import bearer

    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    response = bearer(cso_member).post(
        f"/api/v1/meetings/{meeting.public_id}/rsvp/",
        "[" * 100_000 + "]" * 100_000,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_attendance_is_frozen_with_the_published_report(
    working_group, wg_convener, cso_member, cso
):
    from dialogues.services import meeting_report_write, participation_record_attendance

    meeting = new_meeting(
        wg_convener, working_group, status=S.CONFIRMED, starts_at=NOW - timedelta(days=2)
    )
    participation = Participation.objects.create(
        meeting=meeting, user=cso_member, organization=cso, status=ParticipationStatus.ATTENDED
    )
    meeting, _w = meeting_transition(meeting=meeting, to=S.HELD, by=wg_convener)
    meeting_report_write(meeting=meeting, by=wg_convener, report="What we learnt.")
    meeting_transition(meeting=meeting, to=S.REPORT_PUBLISHED, by=wg_convener)
    with pytest.raises(Exception, match="attendance cannot change"):
        participation_record_attendance(participation=participation, attended=False, by=wg_convener)
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.ATTENDED


def test_anonymous_api_answers_tell_caches_to_ask(working_group):
    response = Client().get("/api/v1/working-groups/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert "Authorization" in response["Vary"] and "Cookie" in response["Vary"]


def test_a_working_group_filter_refuses_what_it_does_not_know(working_group):
    response = Client().get("/api/v1/working-groups/?active=maybe")
    assert response.status_code == 400
    assert Client().get("/api/v1/working-groups/?active=true").json()["results"]


# --- From the browser journeys ----------------------------------------------------------------


def test_the_verify_box_explains_a_visa_letters_reference():
    response = Client().get("/verify/?code=GSX-VISA-2026-2HAZG9")
    assert response.status_code == 400
    assert "reference of a visa support letter" in response.content.decode()


def test_giving_up_a_confirmed_place_asks_first(working_group, wg_convener, cso_member, cso):
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso
    )
    participation_respond(participation=participation, accept=True, by=cso_member)
    client = signed_in(cso_member)
    page = client.get("/meetings/mine/").content.decode()
    assert f'href="/meetings/{meeting.public_id}/decline/"' in page
    assert (
        "Give up your place"
        in client.get(f"/meetings/{meeting.public_id}/decline/").content.decode()
    )
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.ACCEPTED
    response = client.post(f"/meetings/{meeting.public_id}/decline/", follow=True)
    # The message names the meeting it answered.
    assert f"<bdi>{meeting.title}</bdi>: <bdi>You declined the invitation.</bdi>" in (
        response.content.decode()
    )
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.DECLINED


def test_the_balance_panel_counts_by_sector(working_group, wg_convener, cso_member, cso):
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso
    )
    participation_respond(participation=participation, accept=True, by=cso_member)
    page = signed_in(wg_convener).get(url(meeting)).content.decode()
    assert "By sector" in page and "Civil society" in page


def test_held_is_offered_once_the_meeting_started(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group, status=S.CONFIRMED)
    assert url(meeting, "hold/") not in signed_in(wg_convener).get(url(meeting)).content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=3)
    )
    assert url(meeting, "hold/") in signed_in(wg_convener).get(url(meeting)).content.decode()


def test_two_working_groups_never_share_a_name(working_group, enrolled_reviewer):
    response = signed_in(enrolled_reviewer).post(
        "/working-groups/new/", {"name": "security interventions", "slug": "si-2"}
    )
    assert "A working group already has this name." in response.content.decode()


# --- From the re-verification ---------------------------------------------------------------


def test_a_report_that_reorders_its_text_is_refused(chatham, wg_convener):
    from django.core.exceptions import ValidationError

    from dialogues.services import meeting_report_write

    with pytest.raises(ValidationError, match="reorder text"):
        meeting_report_write(
            meeting=chatham, by=wg_convener, report="Summary. \u202eollaiD animA\u202c opened."
        )


@pytest.mark.parametrize("report", ["Amína Diálló spoke.", "Ami\u0301na Diallo", "AMİNA DİALLO"])
def test_accents_do_not_hide_a_name(chatham, report):
    assert speakers_named(chatham, report) == ["Amina Diallo"]


def test_persian_and_emoji_joiners_are_welcome_in_texts(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group)
    item = agenda_item_add(
        meeting=meeting,
        by=wg_convener,
        title="Dialogue",
        description="گفت\u200cوگو درباره\u200cی امنیت 👨\u200d👩\u200d👧",
    )
    assert "\u200c" in item.description


def test_a_fullwidth_copy_of_a_group_name_is_refused(working_group, enrolled_reviewer):
    response = signed_in(enrolled_reviewer).post(
        "/working-groups/new/", {"name": "\uff33ecurity Interventions", "slug": "si-3"}
    )
    assert "A working group already has this name." in response.content.decode()
