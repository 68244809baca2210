"""Invitations, answers by link and by account, capacity and the waiting list, attendance,
passport facts and action points (dialogues.services), from the services and the answer page."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dialogues.models import (
    ActionPoint,
    ActionPointStatus,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
    VisaDetails,
)
from dialogues.services import (
    action_point_add,
    action_point_update,
    meeting_create,
    meeting_transition,
    participation_invite,
    participation_record_attendance,
    participation_respond,
    visa_details_erase_due,
    visa_details_give,
    visa_details_read,
)
from tests.dialogues.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory

S = MeetingStatus
P = ParticipationStatus
SOON = datetime.now(UTC) + timedelta(weeks=20)
FACTS = {
    "full_name": "AMINA BELLO",
    "nationality": "Nigerian",
    "passport_number": "A01234567",
    "date_of_birth": date(1990, 4, 2),
}


@pytest.fixture
def host(db):
    return OrganizationFactory(name="Sahel Women Mediators")


@pytest.fixture
def meeting(working_group, wg_convener):
    return new_meeting(
        wg_convener,
        working_group,
        status=S.INVITATIONS_OPEN,
        title="Budgets for prevention",
        timezone="Africa/Lagos",
        format=MeetingFormat.IN_PERSON,
        capacity=2,
    )


def _member(host, email):
    return MembershipFactory(organization=host, user__email=email).user


def test_only_conveners_invite_and_only_while_invitations_are_open(
    meeting, wg_convener, host, outsider
):
    with pytest.raises(PermissionDenied):
        participation_invite(meeting=meeting, by=outsider, organization=host, email="a@x.org")
    meeting_transition(meeting=meeting, to=S.CANCELLED, by=wg_convener, reason="No venue.")
    with pytest.raises(ValidationError):
        participation_invite(meeting=meeting, by=wg_convener, organization=host, email="a@x.org")
    assert not Participation.objects.exists()


def test_an_account_is_invited_on_behalf_of_its_own_organization_once(
    meeting, wg_convener, host, outsider
):
    with pytest.raises(ValidationError) as refused:
        participation_invite(meeting=meeting, by=wg_convener, organization=host, user=outsider)
    assert "organization" in refused.value.message_dict
    member = _member(host, "member@host.example")
    participation_invite(meeting=meeting, by=wg_convener, organization=host, user=member)
    with pytest.raises(ValidationError):
        # by the account's address, in another case: the same person
        participation_invite(
            meeting=meeting, by=wg_convener, organization=host, email="MEMBER@host.example"
        )
    assert Participation.objects.count() == 1


def test_the_invitation_email_carries_links_that_answer_once_signed_out(
    meeting, wg_convener, host, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        participation_invite(
            meeting=meeting, by=wg_convener, organization=host, email="guest@partner.example"
        )
    (message,) = mailoutbox
    body = message.body
    assert "Budgets for prevention" in body
    assert "Lagos" in body  # the venue's time zone, not the venue
    accept = re.search(r"https?://\S+/accept/", body).group(0)
    path = accept.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    page = client.get("/" + path)
    assert page.status_code == 200
    assert Participation.objects.get().status == P.INVITED  # opening the link answers nothing
    done = client.post("/" + path)
    assert done.status_code == 200
    assert Participation.objects.get().status == P.ACCEPTED
    again = client.post("/" + path)
    assert again.status_code == 404
    decline = path.replace("/accept/", "/decline/")
    assert client.post("/" + decline).status_code == 404  # the token is spent
    assert Participation.objects.get().status == P.ACCEPTED


def test_a_wrong_or_odd_token_answers_404_and_changes_nothing(meeting, wg_convener, host):
    participation_invite(meeting=meeting, by=wg_convener, organization=host, email="g@x.org")
    client = Client()
    for token in ("nope", "x" * 300, "%00", "ﷺ"):
        assert client.post(f"/meetings/answer/{token}/accept/").status_code == 404
    assert client.get("/meetings/answer/abc/maybe/").status_code == 404
    assert Participation.objects.get().status == P.INVITED


def test_a_link_for_another_meeting_does_not_answer_this_one(meeting, wg_convener, host):
    _first, raw = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, email="g@x.org"
    )
    other, _ = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, email="h@x.org"
    )
    with pytest.raises(PermissionDenied):
        participation_respond(participation=other, accept=True, token=raw)
    assert Participation.objects.get(pk=other.pk).status == P.INVITED


def test_links_stop_when_the_meeting_is_over(meeting, wg_convener, host):
    participation, raw = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, email="g@x.org"
    )
    with pytest.raises(ValidationError):
        participation_respond(
            participation=participation,
            accept=True,
            token=raw,
            now=meeting.ends_at + timedelta(minutes=1),
        )
    assert Participation.objects.get(pk=participation.pk).status == P.INVITED


def test_an_account_answers_its_own_invitation_only(meeting, wg_convener, host, outsider):
    member = _member(host, "member@host.example")
    participation, _ = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, user=member
    )
    with pytest.raises(PermissionDenied):
        participation_respond(participation=participation, accept=True, by=outsider)
    assert participation_respond(participation=participation, accept=True, by=member).status == (
        P.ACCEPTED
    )


def test_beyond_capacity_acceptances_wait_and_move_up_in_order(
    meeting, wg_convener, host, mailoutbox, django_capture_on_commit_callbacks
):
    invited = []
    for name in ("a", "b", "c", "d"):
        invited.append(
            participation_invite(
                meeting=meeting, by=wg_convener, organization=host, email=f"{name}@x.org"
            )
        )
    statuses = []
    for index, (participation, raw) in enumerate(invited):
        now = datetime.now(UTC) + timedelta(minutes=index)
        statuses.append(
            participation_respond(
                participation=participation, accept=True, token=raw, now=now
            ).status
        )
    assert statuses == [P.ACCEPTED, P.ACCEPTED, P.WAITLISTED, P.WAITLISTED]
    first, _ = invited[0]
    member = _member(host, "a-member@host.example")
    Participation.objects.filter(pk=first.pk).update(user=member, email="")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        participation_respond(participation=first, accept=False, by=member)
    now_status = dict(Participation.objects.values_list("email", "status"))
    assert now_status["c@x.org"] == P.ACCEPTED  # waited longest
    assert now_status["d@x.org"] == P.WAITLISTED
    assert [m.to for m in mailoutbox] == [["c@x.org"]]


def test_attendance_is_recorded_by_conveners_after_the_start(meeting, wg_convener, host, outsider):
    participation, raw = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, email="g@x.org"
    )
    participation_respond(participation=participation, accept=True, token=raw)
    with pytest.raises(ValidationError):
        participation_record_attendance(participation=participation, attended=True, by=wg_convener)
    later = meeting.starts_at + timedelta(hours=1)
    with pytest.raises(PermissionDenied):
        participation_record_attendance(
            participation=participation, attended=True, by=outsider, now=later
        )
    recorded = participation_record_attendance(
        participation=participation, attended=False, by=wg_convener, now=later
    )
    assert recorded.status == P.NO_SHOW


def test_passport_facts_are_the_persons_and_the_conveners_only(
    meeting, wg_convener, host, outsider, reviewer
):
    member = _member(host, "traveller@host.example")
    participation, _ = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, user=member
    )
    with pytest.raises(PermissionDenied):
        visa_details_give(participation=participation, by=wg_convener, **FACTS)
    visa_details_give(participation=participation, by=member, **FACTS)
    stored = VisaDetails.objects.get()
    assert "A01234567" not in stored.sealed and "BELLO" not in stored.sealed
    expected = {**FACTS, "date_of_birth": "1990-04-02"}
    assert visa_details_read(participation=participation, by=member) == expected
    assert visa_details_read(participation=participation, by=wg_convener) == expected
    colleague = _member(host, "colleague@host.example")
    for stranger in (outsider, colleague):
        with pytest.raises(PermissionDenied):
            visa_details_read(participation=participation, by=stranger)
    assert Participation.objects.get(pk=participation.pk).needs_visa


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"passport_number": ""}, "passport_number"),
        ({"full_name": "A\x00B"}, "full_name"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": "1990-04-02"}, "date_of_birth"),
    ],
)
def test_bad_passport_facts_are_refused_and_nothing_is_kept(meeting, wg_convener, host, bad, field):
    member = _member(host, "traveller@host.example")
    participation, _ = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, user=member
    )
    with pytest.raises(ValidationError) as refused:
        visa_details_give(participation=participation, by=member, **{**FACTS, **bad})
    assert field in refused.value.message_dict
    assert not VisaDetails.objects.exists()


def test_passport_facts_are_erased_30_days_after_the_meeting_and_the_erasure_recorded(
    meeting, wg_convener, host
):
    import pghistory.models

    member = _member(host, "traveller@host.example")
    participation, _ = participation_invite(
        meeting=meeting, by=wg_convener, organization=host, user=member
    )
    visa_details_give(participation=participation, by=member, **FACTS)
    day_29 = meeting.ends_at + timedelta(days=29)
    assert visa_details_erase_due(now=day_29) == 0
    day_31 = meeting.ends_at + timedelta(days=31)
    assert visa_details_erase_due(now=day_31) == 1
    details = VisaDetails.objects.get()
    assert details.sealed == "" and details.erased_at == day_31
    assert visa_details_read(participation=participation, by=member) is None
    assert visa_details_erase_due(now=day_31) == 0
    events = pghistory.models.Events.objects.filter(pgh_model="dialogues.VisaDetailsEvent")
    assert events.count() == 2  # given, erased
    assert all("sealed" not in event.pgh_data for event in events)


def test_action_points_carry_over_and_the_next_meetings_conveners_update_them(
    meeting, wg_convener, host, outsider
):
    point = action_point_add(
        meeting=meeting,
        by=wg_convener,
        text="Map local budget lines for prevention",
        responsible_organization=host,
        due_on=date(2027, 6, 1),
    )
    with pytest.raises(PermissionDenied):
        action_point_add(meeting=meeting, by=outsider, text="Nope")
    with pytest.raises(ValidationError):
        action_point_add(meeting=meeting, by=wg_convener, text="   ")
    later = meeting_create(
        by=wg_convener,
        working_group=meeting.working_group,
        kind=MeetingKind.WORKING_GROUP_MEETING,
        title="Budgets, second round",
        starts_at=SOON + timedelta(weeks=10),
        ends_at=SOON + timedelta(weeks=10, hours=3),
        timezone="Africa/Lagos",
        format=MeetingFormat.ONLINE,
    )
    done = action_point_update(
        point=point, by=wg_convener, at_meeting=later, status=ActionPointStatus.DONE
    )
    assert done.status == ActionPointStatus.DONE
    with pytest.raises(PermissionDenied):
        action_point_update(point=point, by=outsider, status=ActionPointStatus.DROPPED)
    assert ActionPoint.objects.get(pk=point.pk).status == ActionPointStatus.DONE


def test_the_erasure_runs_hourly_on_the_beat_schedule(settings):
    from gsx_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["erase-visa-details"]
    assert entry["schedule"] <= 3600
    assert entry["task"] in app.tasks or entry["task"] == "dialogues.erase_visa_details"
    from dialogues.tasks import task_erase_visa_details

    assert task_erase_visa_details.name == entry["task"]
