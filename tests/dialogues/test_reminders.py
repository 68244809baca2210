"""The dialogues' reminders (dialogues/reminders.py): what falls due on which day of the venue,
what a missed sweep catches up, and what ``still_due`` withdraws once it no longer holds."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation

from dialogues.models import (
    ActionPoint,
    ActionPointStatus,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
)
from dialogues.reminders import ACTION_POINT, CONVENING, INVITATION, SOURCE, VISA
from dialogues.selectors import meetings_visible_to, sees_meeting
from dialogues.services import (
    action_point_add,
    action_point_update,
    agenda_item_add,
    meeting_transition,
    participation_invite,
    participation_respond,
    visa_details_give,
    visa_details_withdraw,
    visa_letter_issue,
    visa_letter_revoke,
    working_group_update,
)
from gsx_portal import reminders
from gsx_portal.models import ReminderDelivery
from gsx_portal.reminders import Due
from organizations.models import Membership, User
from organizations.services.members import membership_remove
from tests.conftest import signed_in
from tests.dialogues.conftest import new_meeting
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(text: str):
    return time_machine.travel(utc(text), tick=False)


def due_of(kind: str, now: str, since: str | None = None) -> list[Due]:
    """What the source finds due of ``kind`` in a sweep from ``since`` (a fresh world: ``now``)
    to ``now``."""
    with at(now):
        found = SOURCE.due(utc(since or now), utc(now))
        items = [item for item in found if item.kind == kind]
    return sorted(items, key=lambda item: (item.user_id, item.object_key, item.occasion))


def claimed(items) -> list[ReminderDelivery]:
    return [
        ReminderDelivery.objects.create(
            user_id=item.user_id,
            kind=item.kind,
            object_key=item.object_key,
            occasion=item.occasion,
            params=item.params,
            link=item.link,
        )
        for item in items
    ]


def still_held(rows, now: str) -> list[ReminderDelivery]:
    with at(now):
        ids = SOURCE.still_due(rows)
    return [row for row in rows if row.id in ids]


def facts(participation, user):
    visa_details_give(
        participation=participation,
        by=user,
        full_name="AMINA DIALLO",
        nationality="Niger",
        passport_number="ZX123456",
        date_of_birth=date(1984, 3, 8),
    )


def test_the_source_is_registered_with_its_four_kinds():
    assert reminders.source_of_kind(INVITATION) is SOURCE
    assert [kind.name for kind in SOURCE.kinds] == [INVITATION, VISA, CONVENING, ACTION_POINT]
    assert all(kind.names == ("title",) for kind in SOURCE.kinds)


# --- Invitations unanswered a week on --------------------------------------------------------


@pytest.fixture
def invitation(wg_convener, working_group, cso, cso_admin, cso_member):
    """An online meeting in Auckland, invitations sent on 4 March at 09:00 there (3 March,
    20:00 UTC): the CSO member's unanswered, the admin's accepted, a guest's by address."""
    with at("2031-03-03 20:00"):
        meeting = new_meeting(
            wg_convener,
            working_group,
            status=MeetingStatus.INVITATIONS_OPEN,
            title="Community policing dialogue",
            starts_at=utc("2031-04-15 21:00"),  # 16 April, 09:00 in Auckland
            timezone="Pacific/Auckland",
        )
        waiting, _raw = participation_invite(
            meeting=meeting, by=wg_convener, organization=cso, user=cso_member
        )
        answered, _raw = participation_invite(
            meeting=meeting, by=wg_convener, organization=cso, user=cso_admin
        )
        participation_respond(participation=answered, accept=True, by=cso_admin)
        participation_invite(
            meeting=meeting, by=wg_convener, organization=cso, email="guest@elsewhere.example"
        )
    item = Due(
        user_id=cso_member.pk,
        kind=INVITATION,
        object_key=f"participation:{waiting.public_id}",
        occasion="unanswered-7",
        params={
            "title": "Community policing dialogue",
            "starts": "2031-04-16",
            "ends": "2031-04-16",
        },
        link=f"/meetings/{meeting.public_id}/",
    )
    return SimpleNamespace(meeting=meeting, waiting=waiting, item=item)


def test_invitation_unanswered_is_due_on_the_seventh_day_in_the_venue(invitation):
    assert due_of(INVITATION, "2031-03-10 10:59") == []  # 10 March, 23:59 in Auckland
    assert due_of(INVITATION, "2031-03-10 11:00") == [invitation.item]  # 11 March there
    assert due_of(INVITATION, "2031-03-11 10:59") == [invitation.item]
    assert due_of(INVITATION, "2031-03-11 11:00") == []  # 12 March: the day after


def test_invitation_unanswered_is_caught_up_after_missed_sweeps(invitation):
    assert due_of(INVITATION, "2031-03-12 12:00", since="2031-03-10 09:00") == [invitation.item]


@pytest.mark.parametrize("change", ["answered", "cancelled", "left", "over", "hidden"])
def test_invitation_unanswered_is_withdrawn_once_it_no_longer_holds(
    invitation, change, cso_member, wg_convener
):
    rows = claimed(due_of(INVITATION, "2031-03-10 12:00"))
    later = "2031-03-10 13:00"
    assert still_held(rows, later) == rows
    with at("2031-03-10 12:30"):
        if change == "answered":
            participation_respond(participation=invitation.waiting, accept=False, by=cso_member)
        elif change == "cancelled":
            meeting_transition(
                meeting=invitation.meeting,
                to=MeetingStatus.CANCELLED,
                by=wg_convener,
                reason="No room.",
            )
        elif change == "left":
            membership_remove(membership=cso_member.memberships.get(), by=cso_member)
        elif change == "over":
            later = "2031-04-16 02:00"  # after its end, never marked as held
        else:
            # No service takes a meeting back to its draft; the check stands all the same.
            Meeting.objects.filter(pk=invitation.meeting.pk).update(status=MeetingStatus.DRAFT)
    assert still_held(rows, later) == []


def test_invitation_unanswered_leads_where_the_person_answers(invitation, cso_member, cso_admin):
    accept = f"/meetings/{invitation.meeting.public_id}/accept/"
    decline = f"/meetings/{invitation.meeting.public_id}/decline/"
    with at("2031-03-10 12:00"):
        page = signed_in(cso_member).get(invitation.item.link).content.decode()
        assert f'action="{accept}"' in page and f'action="{decline}"' in page
        # Answered already: nothing to answer.
        assert (
            f'action="{accept}"'
            not in signed_in(cso_admin).get(invitation.item.link).content.decode()
        )
        response = signed_in(cso_member).post(accept)
    assert response.status_code == 302 and response["Location"] == "/meetings/mine/"
    invitation.waiting.refresh_from_db()
    assert invitation.waiting.status == ParticipationStatus.ACCEPTED


def test_invitation_unanswered_goes_to_accounts_only(invitation):
    guests = Participation.objects.filter(user=None, meeting=invitation.meeting)
    assert guests.count() == 1
    assert [item.user_id for item in due_of(INVITATION, "2031-03-10 12:00")] == [
        invitation.waiting.user_id
    ]


# --- Visa letters before the visa deadline ---------------------------------------------------


@pytest.fixture
def visa(wg_convener, working_group, cso, cso_admin, cso_member, reviewer):
    """An in-person meeting in New York on 16 September 2031 (visa deadline 24 June, 12 weeks
    before): the CSO admin needs a visa and gave no facts; a member gave them (waiting for a
    letter); another has a letter; another needs none; a guest by address needs one."""
    people = {
        name: MembershipFactory(organization=cso, user__email=f"{name}@cso.example").user
        for name in ("lettered", "local")
    }
    with at("2031-05-01 14:00"):
        meeting = new_meeting(
            wg_convener,
            working_group,
            status=MeetingStatus.INVITATIONS_OPEN,
            title="Community policing dialogue",
            starts_at=utc("2031-09-16 13:30"),
            ends_at=utc("2031-09-17 21:30"),
            timezone="America/New_York",
            format=MeetingFormat.IN_PERSON,
            venue="Example Conference Centre",
            city="New York",
        )
        invited = {}
        for user, needs_visa in (
            (cso_admin, True),
            (cso_member, True),
            (people["lettered"], True),
            (people["local"], False),
        ):
            invited[user.email], _raw = participation_invite(
                meeting=meeting, by=wg_convener, organization=cso, user=user, needs_visa=needs_visa
            )
            participation_respond(participation=invited[user.email], accept=True, by=user)
        participation_invite(
            meeting=meeting,
            by=wg_convener,
            organization=cso,
            email="guest@elsewhere.example",
            needs_visa=True,
        )
        facts(invited[cso_member.email], cso_member)
        facts(invited[people["lettered"].email], people["lettered"])
        visa_letter_issue(participation=invited[people["lettered"].email], by=wg_convener)
    days = {"title": "Community policing dialogue", "starts": "2031-09-16", "ends": "2031-09-17"}
    lacking = invited[cso_admin.email]

    def participant(occasion):
        return Due(
            user_id=cso_admin.pk,
            kind=VISA,
            object_key=f"participation:{lacking.public_id}",
            occasion=occasion,
            params={**days, "deadline": "2031-06-24"},
            link=f"/meetings/{meeting.public_id}/visa/",
        )

    conveners = Due(
        user_id=wg_convener.pk,
        kind=VISA,
        object_key=f"meeting:{meeting.public_id}",
        occasion="letters-7",
        params={**days, "deadline": "2031-06-24", "waiting": 1},
        link=f"/meetings/{meeting.public_id}/visa-letters/",
    )
    return SimpleNamespace(
        meeting=meeting,
        invited=invited,
        lacking=lacking,
        participant=participant,
        conveners=conveners,
    )


def test_visa_facts_are_asked_14_and_3_days_before_the_deadline_in_the_venue(visa):
    assert visa.meeting.visa_deadline == date(2031, 6, 24)
    assert due_of(VISA, "2031-06-10 03:59") == []  # 9 June, 23:59 in New York
    assert due_of(VISA, "2031-06-10 04:00") == [visa.participant("facts-14")]
    assert due_of(VISA, "2031-06-11 04:00") == []
    assert due_of(VISA, "2031-06-20 12:00") == []
    assert due_of(VISA, "2031-06-21 12:00") == [visa.participant("facts-3")]
    assert due_of(VISA, "2031-06-22 12:00") == []


def test_visa_letters_waiting_are_told_to_the_conveners_7_days_before(visa):
    assert due_of(VISA, "2031-06-17 03:59") == []
    assert due_of(VISA, "2031-06-17 04:00") == [visa.conveners]
    assert due_of(VISA, "2031-06-18 04:00") == []


def test_visa_reminders_are_caught_up_after_missed_sweeps(visa):
    assert due_of(VISA, "2031-06-12 12:00", since="2031-06-09 12:00") == [
        visa.participant("facts-14")
    ]
    assert due_of(VISA, "2031-06-18 12:00", since="2031-06-16 12:00") == [visa.conveners]


def test_visa_letters_of_a_meeting_without_a_group_go_to_the_conveners_group(
    convener, cso, cso_admin
):
    other = UserFactory(email="not-a-convener@example.org")
    with at("2031-05-01 14:00"):
        event = new_meeting(
            convener,
            None,
            status=MeetingStatus.INVITATIONS_OPEN,
            title="Outreach in Nairobi",
            starts_at=utc("2031-09-16 06:00"),
            timezone="Africa/Nairobi",
            format=MeetingFormat.HYBRID,
            join_url="https://meet.example/outreach",
        )
        participation, _raw = participation_invite(
            meeting=event, by=convener, organization=cso, user=cso_admin, needs_visa=True
        )
        participation_respond(participation=participation, accept=True, by=cso_admin)
        facts(participation, cso_admin)
    assert other.pk not in [item.user_id for item in due_of(VISA, "2031-06-17 12:00")]
    assert [
        (item.user_id, item.params["waiting"]) for item in due_of(VISA, "2031-06-17 12:00")
    ] == [(convener.pk, 1)]


@pytest.mark.parametrize("change", ["facts given", "declined", "left", "cancelled", "lettered"])
def test_visa_facts_reminder_is_withdrawn_once_it_no_longer_holds(
    visa, change, cso_admin, wg_convener
):
    rows = claimed(due_of(VISA, "2031-06-10 12:00"))
    assert still_held(rows, "2031-06-10 13:00") == rows
    with at("2031-06-10 12:30"):
        if change == "facts given":
            facts(visa.lacking, cso_admin)
        elif change == "declined":
            participation_respond(participation=visa.lacking, accept=False, by=cso_admin)
        elif change == "left":
            Membership.objects.filter(user=cso_admin).delete()  # the last admin: no service
        elif change == "cancelled":
            meeting_transition(
                meeting=visa.meeting, to=MeetingStatus.CANCELLED, by=wg_convener, reason="No venue."
            )
        else:
            facts(visa.lacking, cso_admin)
            visa_letter_issue(participation=visa.lacking, by=wg_convener)
            visa_details_withdraw(participation=visa.lacking, by=cso_admin)
    assert still_held(rows, "2031-06-10 13:00") == []


@pytest.mark.parametrize("change", ["issued", "convener removed", "cancelled", "facts withdrawn"])
def test_visa_letters_reminder_is_withdrawn_once_it_no_longer_holds(
    visa, change, wg_convener, reviewer, cso_member
):
    rows = claimed(due_of(VISA, "2031-06-17 12:00"))
    assert still_held(rows, "2031-06-17 13:00") == rows
    waiting = visa.invited[cso_member.email]
    with at("2031-06-17 12:30"):
        if change == "issued":
            visa_letter_issue(participation=waiting, by=wg_convener)
        elif change == "convener removed":
            working_group_update(
                group=visa.meeting.working_group, by=reviewer, conveners=[reviewer]
            )
        elif change == "cancelled":
            meeting_transition(
                meeting=visa.meeting, to=MeetingStatus.CANCELLED, by=wg_convener, reason="No venue."
            )
        else:
            visa_details_withdraw(participation=waiting, by=cso_member)
    assert still_held(rows, "2031-06-17 13:00") == []


def test_a_revoked_letter_counts_as_waiting_again(visa, wg_convener):
    with at("2031-06-01 12:00"):
        letter = visa.invited["lettered@cso.example"].visa_letters.get()
        visa_letter_revoke(letter=letter, by=wg_convener)
    assert [
        item.params["waiting"]
        for item in due_of(VISA, "2031-06-17 12:00")
        if item.occasion == "letters-7"
    ] == [2]


# --- The annual convening's notices ----------------------------------------------------------


@pytest.fixture
def convening(convener, cso, cso_admin, cso_member, government_user):
    """The annual convening in New York on 16 September 2031 (visa deadline 24 June): its
    invitations opened on 10 May (the CSO member's still unanswered, the admin's accepted
    with a visa needed, the government user's declined), its agenda published on 2 June."""
    ministry = government_user.memberships.get().organization
    with at("2031-05-05 14:00"):
        meeting = new_meeting(
            convener,
            None,
            kind=MeetingKind.ANNUAL_CONVENING,
            status=MeetingStatus.PLANNED,
            title="GSX Annual Convening",
            starts_at=utc("2031-09-16 13:30"),
            ends_at=utc("2031-09-17 21:30"),
            timezone="America/New_York",
            format=MeetingFormat.IN_PERSON,
            city="New York",
        )
    with at("2031-05-10 15:00"):  # 11:00 in New York
        meeting, _w = meeting_transition(
            meeting=meeting, to=MeetingStatus.INVITATIONS_OPEN, by=convener
        )
        invited = {}
        for user, organization, answer in (
            (cso_admin, cso, True),
            (cso_member, cso, None),
            (government_user, ministry, False),
        ):
            invited[user.pk], _raw = participation_invite(
                meeting=meeting, by=convener, organization=organization, user=user, needs_visa=True
            )
            if answer is not None:
                participation_respond(participation=invited[user.pk], accept=answer, by=user)
    with at("2031-06-02 16:00"):
        agenda_item_add(meeting=meeting, by=convener, title="Opening plenary")
    days = {"title": "GSX Annual Convening", "starts": "2031-09-16", "ends": "2031-09-17"}

    def notice(user, occasion, link="/", **more):
        return Due(
            user_id=user.pk,
            kind=CONVENING,
            object_key=f"meeting:{meeting.public_id}",
            occasion=occasion,
            params={**days, "notice": occasion, **more},
            link=f"/meetings/{meeting.public_id}{link}",
        )

    return SimpleNamespace(meeting=meeting, invited=invited, notice=notice)


def test_registration_open_goes_to_those_still_to_answer_on_the_day(convening, cso_member):
    assert due_of(CONVENING, "2031-05-10 03:59") == []
    assert due_of(CONVENING, "2031-05-10 16:00") == [
        convening.notice(cso_member, "registration-open")
    ]
    assert due_of(CONVENING, "2031-05-11 04:00") == []
    assert due_of(CONVENING, "2031-05-12 12:00", since="2031-05-10 12:00") == [
        convening.notice(cso_member, "registration-open")
    ]


def test_the_visa_deadline_goes_to_those_who_need_a_visa_on_the_day(
    convening, cso_admin, cso_member
):
    expected = [
        convening.notice(user, "visa-deadline", "/visa/", deadline="2031-06-24")
        for user in sorted((cso_admin, cso_member), key=lambda user: user.pk)
    ]
    assert due_of(CONVENING, "2031-06-24 03:59") == []
    assert due_of(CONVENING, "2031-06-24 04:00") == expected
    assert due_of(CONVENING, "2031-06-25 04:00") == []
    assert due_of(CONVENING, "2031-06-26 12:00", since="2031-06-23 12:00") == expected


def test_agenda_published_goes_to_accepted_participants_on_the_day(convening, cso_admin):
    published = Meeting.objects.get(pk=convening.meeting.pk).agenda_published_at
    assert published == utc("2031-06-02 16:00")
    assert due_of(CONVENING, "2031-06-02 03:59") == []
    assert due_of(CONVENING, "2031-06-02 16:00") == [
        convening.notice(cso_admin, "agenda-published")
    ]
    assert due_of(CONVENING, "2031-06-03 04:00") == []
    assert due_of(CONVENING, "2031-06-04 12:00", since="2031-06-01 12:00") == [
        convening.notice(cso_admin, "agenda-published")
    ]


def test_other_meetings_send_no_convening_notice(wg_convener, working_group, cso, cso_member):
    with at("2031-05-10 15:00"):
        meeting = new_meeting(
            wg_convener,
            working_group,
            status=MeetingStatus.INVITATIONS_OPEN,
            starts_at=utc("2031-09-16 13:30"),
        )
        participation_invite(meeting=meeting, by=wg_convener, organization=cso, user=cso_member)
    assert due_of(CONVENING, "2031-05-10 16:00") == []


@pytest.mark.parametrize("change", ["answered", "cancelled", "left"])
def test_convening_notices_are_withdrawn_once_they_no_longer_hold(
    convening, change, convener, cso_admin, cso_member
):
    rows = claimed(
        due_of(CONVENING, "2031-05-10 16:00")
        + due_of(CONVENING, "2031-06-02 16:00")
        + due_of(CONVENING, "2031-06-24 12:00")
    )
    occasions = ["registration-open", "agenda-published", "visa-deadline", "visa-deadline"]
    assert [row.occasion for row in rows] == occasions
    assert still_held(rows, "2031-06-24 13:00") == rows
    with at("2031-06-24 12:30"):
        if change == "answered":
            participation_respond(
                participation=convening.invited[cso_member.pk], accept=False, by=cso_member
            )
            participation_respond(
                participation=convening.invited[cso_admin.pk], accept=False, by=cso_admin
            )
        elif change == "cancelled":
            meeting_transition(
                meeting=convening.meeting,
                to=MeetingStatus.CANCELLED,
                by=convener,
                reason="No venue.",
            )
        else:
            Membership.objects.filter(user__in=(cso_admin, cso_member)).delete()
    assert still_held(rows, "2031-06-24 13:00") == []


def test_the_visa_deadline_notice_is_withdrawn_once_a_letter_is_issued(
    convening, convener, cso_admin
):
    with at("2031-06-20 12:00"):
        facts(convening.invited[cso_admin.pk], cso_admin)
    rows = claimed(
        [item for item in due_of(CONVENING, "2031-06-24 12:00") if item.user_id == cso_admin.pk]
    )
    assert len(rows) == 1 and still_held(rows, "2031-06-24 13:00") == rows
    with at("2031-06-24 12:30"):
        visa_letter_issue(participation=convening.invited[cso_admin.pk], by=convener)
    assert still_held(rows, "2031-06-24 13:00") == []


def test_the_agenda_is_published_once_when_it_is_first_shown(wg_convener, working_group):
    with at("2031-05-01 10:00"):
        draft = new_meeting(wg_convener, working_group)
        agenda_item_add(meeting=draft, by=wg_convener, title="Opening")
    assert Meeting.objects.get(pk=draft.pk).agenda_published_at is None  # a draft's is hidden
    with at("2031-05-02 10:00"):
        meeting_transition(meeting=draft, to=MeetingStatus.PLANNED, by=wg_convener)
    with at("2031-05-03 10:00"):
        agenda_item_add(meeting=draft, by=wg_convener, title="Closing")
    assert Meeting.objects.get(pk=draft.pk).agenda_published_at == utc("2031-05-02 10:00")
    with at("2031-05-01 10:00"):
        planned = new_meeting(wg_convener, working_group, status=MeetingStatus.PLANNED)
    assert planned.agenda_published_at is None  # no agenda yet
    with at("2031-05-04 10:00"):
        agenda_item_add(meeting=planned, by=wg_convener, title="Opening")
    assert Meeting.objects.get(pk=planned.pk).agenda_published_at == utc("2031-05-04 10:00")


# --- Action points ---------------------------------------------------------------------------


@pytest.fixture
def points(wg_convener, working_group, cso, cso_member, cso_admin):
    """Action points of a meeting in Tokyo: the CSO member's due on 20 July 2031; one done;
    one held by the organization alone; one of a draft, held by the CSO admin."""
    with at("2031-05-01 03:00"):
        meeting = new_meeting(
            wg_convener,
            working_group,
            status=MeetingStatus.PLANNED,
            title="Community policing dialogue",
            starts_at=utc("2031-06-10 00:30"),
            timezone="Asia/Tokyo",
        )
        point = action_point_add(
            meeting=meeting,
            by=wg_convener,
            text="Draft the guide",
            responsible_organization=cso,
            responsible_person=cso_member,
            due_on=date(2031, 7, 20),
        )
        done = action_point_add(
            meeting=meeting,
            by=wg_convener,
            text="Book",
            responsible_person=cso_member,
            due_on=date(2031, 7, 20),
        )
        action_point_update(point=done, by=wg_convener, status=ActionPointStatus.DONE)
        action_point_add(
            meeting=meeting,
            by=wg_convener,
            text="Share",
            responsible_organization=cso,
            due_on=date(2031, 7, 20),
        )
        draft = new_meeting(
            wg_convener, working_group, title="Drafting call", timezone="Asia/Tokyo"
        )
        action_point_add(
            meeting=draft,
            by=wg_convener,
            text="Hidden",
            responsible_person=cso_admin,
            due_on=date(2031, 7, 20),
        )
    days = {"title": "Community policing dialogue", "starts": "2031-06-10", "ends": "2031-06-10"}

    def item(occasion, overdue):
        return Due(
            user_id=cso_member.pk,
            kind=ACTION_POINT,
            object_key=f"actionpoint:{point.public_id}",
            occasion=occasion,
            params={**days, "due_on": "2031-07-20", "overdue": overdue},
            link=f"/meetings/{meeting.public_id}/",
        )

    return SimpleNamespace(meeting=meeting, point=point, draft=draft, item=item)


def test_action_point_is_due_14_days_before_in_the_meetings_zone(points):
    assert due_of(ACTION_POINT, "2031-07-05 14:59") == []  # 5 July, 23:59 in Tokyo
    assert due_of(ACTION_POINT, "2031-07-05 15:00") == [points.item("due-14", False)]
    assert due_of(ACTION_POINT, "2031-07-06 15:00") == []


def test_action_point_is_overdue_the_day_after_its_due_date(points):
    assert due_of(ACTION_POINT, "2031-07-20 14:59") == []  # 20 July in Tokyo: due today
    assert due_of(ACTION_POINT, "2031-07-20 15:00") == [points.item("overdue", True)]
    assert due_of(ACTION_POINT, "2031-07-21 15:00") == []


def test_action_point_reminders_are_caught_up_after_missed_sweeps(points):
    assert due_of(ACTION_POINT, "2031-07-07 12:00", since="2031-07-05 12:00") == [
        points.item("due-14", False)
    ]
    assert due_of(ACTION_POINT, "2031-07-22 12:00", since="2031-07-20 12:00") == [
        points.item("overdue", True)
    ]


def test_an_action_point_of_a_draft_is_reminded_to_its_responsible_only_if_they_see_it(
    points, wg_convener, reviewer
):
    with at("2031-05-01 04:00"):
        hidden = ActionPoint.objects.get(meeting=points.draft)
        action_point_update(point=hidden, by=wg_convener, responsible_person=wg_convener)
    rows = claimed(due_of(ACTION_POINT, "2031-07-05 15:00"))
    assert sorted(row.user_id for row in rows) == sorted(
        [points.point.responsible_person_id, wg_convener.pk]
    )
    mine = [row for row in rows if row.user_id == wg_convener.pk]
    with at("2031-07-05 16:00"):
        working_group_update(group=points.draft.working_group, by=reviewer, conveners=[reviewer])
    assert still_held(mine, "2031-07-05 17:00") == []  # no longer sees the draft


@pytest.mark.parametrize("change", ["done", "handed over", "moved", "dropped"])
def test_action_point_reminder_is_withdrawn_once_it_no_longer_holds(
    points, change, wg_convener, cso_admin
):
    rows = claimed(due_of(ACTION_POINT, "2031-07-05 15:00"))
    assert still_held(rows, "2031-07-05 16:00") == rows
    with at("2031-07-05 15:30"):
        changes = {
            "done": {"status": ActionPointStatus.DONE},
            "handed over": {"responsible_person": cso_admin},
            "moved": {"due_on": date(2031, 8, 20)},
            "dropped": {"status": ActionPointStatus.DROPPED},
        }[change]
        action_point_update(point=points.point, by=wg_convener, **changes)
    assert still_held(rows, "2031-07-05 16:00") == []


# --- Sentences -------------------------------------------------------------------------------


def test_the_sentences_name_the_title_and_days_only(invitation, visa, points):
    kinds = reminders.kinds()
    with translation.override("en"):
        assert kinds[INVITATION].sentence(invitation.item.params) == (
            "Your invitation to “Community policing dialogue” (April 16, 2031) is waiting for an "
            "answer."
        )
        assert kinds[VISA].sentence(visa.participant("facts-14").params) == (
            "Visa support letters for “Community policing dialogue” (Sept. 16, 2031 to Sept. "
            "17, 2031) must go out by June 24, 2031: give your passport facts so that "
            "yours can be issued."
        )
        assert kinds[VISA].sentence(visa.conveners.params) == (
            "1 visa letter request for “Community policing dialogue” (Sept. 16, 2031 to Sept. 17, "
            "2031) is waiting for its letter; letters must go out by June 24, 2031."
        )
        assert (
            kinds[VISA]
            .sentence({**visa.conveners.params, "waiting": 3})
            .startswith("3 visa letter requests for “Community policing dialogue”")
        )
        assert kinds[ACTION_POINT].sentence(points.item("overdue", True).params) == (
            "An action point of “Community policing dialogue” (June 10, 2031) in your charge was "
            "due on July 20, 2031 and is still open."
        )
        assert (
            kinds[CONVENING].sentence({**invitation.item.params, "notice": "agenda-published"})
            == "The agenda of “Community policing dialogue” (April 16, 2031) is published."
        )


def test_no_sensitive_value_reaches_a_reminder(convener, cso, cso_admin, cso_member):
    """Every field of gsx_portal.sensitive that dialogues holds (venue, city, join link, a
    guest's address, passport facts), and an action point's text, set to a marker: no item of
    any kind carries one in its sentence, parameters or link."""
    with at("2031-06-03 13:00"):
        convening = new_meeting(
            convener,
            None,
            kind=MeetingKind.ANNUAL_CONVENING,
            status=MeetingStatus.PLANNED,
            title="GSX Annual Convening",
            starts_at=utc("2031-09-16 13:30"),  # visa deadline 24 June
            timezone="America/New_York",
            format=MeetingFormat.HYBRID,
            venue="SECRET venue",
            city="SECRET city",
            join_url="https://secret.example/join",
        )
    with at("2031-06-10 13:00"):
        convening, _w = meeting_transition(
            meeting=convening, to=MeetingStatus.INVITATIONS_OPEN, by=convener
        )
        coming, _raw = participation_invite(
            meeting=convening, by=convener, organization=cso, user=cso_admin, needs_visa=True
        )
        participation_respond(participation=coming, accept=True, by=cso_admin)
        visa_details_give(
            participation=coming,
            by=cso_admin,
            full_name="SECRET NAME",
            nationality="SECRETLAND",
            passport_number="SECRET123",
            date_of_birth=date(1984, 3, 8),
        )
        for invitee in ({"user": cso_member}, {"email": "secret-guest@example.org"}):
            participation_invite(
                meeting=convening, by=convener, organization=cso, needs_visa=True, **invitee
            )
        agenda_item_add(meeting=convening, by=convener, title="Opening plenary")
        action_point_add(
            meeting=convening,
            by=convener,
            text="SECRET task",
            responsible_person=cso_member,
            due_on=date(2031, 6, 24),
        )
    items = [
        item
        for day in ("2031-06-10 14:00", "2031-06-17 14:00", "2031-06-24 14:00")
        for kind in (INVITATION, VISA, CONVENING, ACTION_POINT)
        for item in due_of(kind, day)
    ]
    assert sorted((item.kind, item.occasion) for item in items) == [
        (ACTION_POINT, "due-14"),
        (CONVENING, "agenda-published"),
        (CONVENING, "registration-open"),
        (CONVENING, "visa-deadline"),
        (CONVENING, "visa-deadline"),
        (INVITATION, "unanswered-7"),
        (VISA, "facts-14"),
        (VISA, "letters-7"),
    ]
    kinds = reminders.kinds()
    with translation.override("en"):
        for item in items:
            text = " ".join([kinds[item.kind].sentence(item.params), repr(item.params), item.link])
            assert "SECRET" not in text.upper(), text


# --- Who may see a meeting, per row ----------------------------------------------------------


def test_sees_meeting_agrees_with_meetings_visible_to(
    wg_convener, working_group, convener, reviewer, cso_member
):
    staff = UserFactory(is_staff=True)
    people = [wg_convener, convener, reviewer, cso_member, staff]
    meetings = [
        new_meeting(wg_convener, working_group, title="Group's draft"),
        new_meeting(wg_convener, working_group, status=MeetingStatus.PLANNED),
        new_meeting(convener, None, title="Event's draft"),
        new_meeting(convener, None, status=MeetingStatus.PLANNED),
    ]
    for meeting in meetings:
        for person in people:
            ActionPoint.objects.create(meeting=meeting, text="x", responsible_person=person)
    seen = set(
        ActionPoint.objects.filter(sees_meeting("responsible_person")).values_list(
            "responsible_person_id", "meeting_id"
        )
    )
    assert seen == {
        (person.pk, meeting.pk) for person in people for meeting in meetings_visible_to(person)
    }
    # Everyone sees the two planned meetings; the drafts, their conveners, the secretariat, staff.
    assert len(seen) == 2 * 5 + 3 + 3


# --- Queries ---------------------------------------------------------------------------------


def _crowd(count, wg_convener, working_group, cso, convener) -> list[Due]:
    """``count`` people, each with an invitation unanswered a week on, an action point due in
    14 days, the annual convening's registration open and passport facts to give for it, and
    a request waiting for its letter at an outreach event: what falls due on 10 June 2031 in
    New York (at 14:00 UTC), with the one item of the event's conveners."""
    users = [MembershipFactory(organization=cso).user for _n in range(count)]
    with at("2031-06-03 14:00"):
        meeting = new_meeting(
            wg_convener,
            working_group,
            status=MeetingStatus.INVITATIONS_OPEN,
            starts_at=utc("2031-12-01 14:00"),
            timezone="America/New_York",
        )
        event = new_meeting(  # visa deadline 17 June: the conveners are told on 10 June
            convener,
            None,
            status=MeetingStatus.INVITATIONS_OPEN,
            starts_at=utc("2031-09-09 13:30"),
            timezone="America/New_York",
            format=MeetingFormat.HYBRID,
        )
        for user in users:
            participation_invite(meeting=meeting, by=wg_convener, organization=cso, user=user)
            action_point_add(
                meeting=meeting,
                by=wg_convener,
                text="Share the notes",
                responsible_person=user,
                due_on=date(2031, 6, 24),
            )
            request, _raw = participation_invite(
                meeting=event, by=convener, organization=cso, user=user, needs_visa=True
            )
            participation_respond(participation=request, accept=True, by=user)
            facts(request, user)
    with at("2031-06-03 13:00"):
        convening = new_meeting(  # visa deadline 24 June: facts asked on 10 June
            convener,
            None,
            kind=MeetingKind.ANNUAL_CONVENING,
            status=MeetingStatus.PLANNED,
            starts_at=utc("2031-09-16 13:30"),
            timezone="America/New_York",
            format=MeetingFormat.IN_PERSON,
        )
    with at("2031-06-10 13:00"):
        meeting_transition(meeting=convening, to=MeetingStatus.INVITATIONS_OPEN, by=convener)
        for user in users:
            participation_invite(
                meeting=convening, by=convener, organization=cso, user=user, needs_visa=True
            )
    with at("2031-06-10 14:00"):
        return list(SOURCE.due(utc("2031-06-10 14:00"), utc("2031-06-10 14:00")))


@pytest.mark.parametrize("count", [1, 12])
def test_due_runs_a_constant_number_of_queries(
    count, wg_convener, working_group, cso, convener, django_assert_num_queries
):
    _crowd(count, wg_convener, working_group, cso, convener)
    with at("2031-06-10 14:00"), django_assert_num_queries(5):
        items = list(SOURCE.due(utc("2031-06-10 14:00"), utc("2031-06-10 14:00")))
    occasions = [(item.kind, item.occasion) for item in items]
    assert sorted(occasions) == sorted(
        [
            (INVITATION, "unanswered-7"),
            (VISA, "facts-14"),
            (CONVENING, "registration-open"),
            (ACTION_POINT, "due-14"),
        ]
        * count
        + [(VISA, "letters-7")]
    )


@pytest.mark.parametrize("count", [1, 12])
def test_still_due_runs_a_constant_number_of_queries(
    count, wg_convener, working_group, cso, convener, django_assert_num_queries
):
    rows = claimed(_crowd(count, wg_convener, working_group, cso, convener))
    assert len(rows) == 4 * count + 1
    with at("2031-06-10 15:00"), django_assert_num_queries(5):
        held = SOURCE.still_due(rows)
    assert held == {row.id for row in rows}


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_reminds_the_cso_admin_of_an_action_point_on_the_day_it_is_loaded(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("load_demo")
    admin = User.objects.get(email="cso.admin@demo.gsx.example")
    member = User.objects.get(email="cso.member@demo.gsx.example")
    now = timezone.now()
    found = {(item.user_id, item.kind, item.occasion) for item in SOURCE.due(now, now)}
    assert (admin.pk, ACTION_POINT, "due-14") in found
    # The convening's invitations opened today: the member has not answered hers.
    assert (member.pk, CONVENING, "registration-open") in found
