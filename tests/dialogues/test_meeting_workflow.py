"""A meeting's status moves through one function (dialogues.services.meeting_transition): every
allowed and refused move, who may make it, the visa lead-time warning and the cancellation
email."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dialogues.models import (
    MEETING_TRANSITIONS,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
)
from dialogues.services import meeting_create, meeting_transition
from tests.conftest import enrol_totp
from tests.factories import MembershipFactory, OrganizationFactory

S = MeetingStatus
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _meeting(working_group, by, *, starts=NOW + timedelta(weeks=20), **fields) -> Meeting:
    values = {
        "kind": MeetingKind.WORKING_GROUP_MEETING,
        "title": "Community policing in practice",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=6),
        "timezone": "Europe/London",
        "format": MeetingFormat.IN_PERSON,
        "city": "London",
        "country": "GB",
    }
    values.update(fields)
    return meeting_create(by=by, working_group=working_group, **values)


def _in_status(meeting, status, by) -> Meeting:
    """Walk the meeting to ``status`` along the allowed path."""
    path = [S.PLANNED, S.INVITATIONS_OPEN, S.CONFIRMED, S.HELD, S.REPORT_PUBLISHED]
    if status == S.CANCELLED:
        return meeting_transition(meeting=meeting, to=S.CANCELLED, by=by, reason="Venue lost.")[0]
    if status == S.REPORT_PUBLISHED:
        Meeting.objects.filter(pk=meeting.pk).update(report="# What we learnt")
    for step in path[: path.index(status) + 1] if status != S.DRAFT else []:
        later = meeting.ends_at + timedelta(days=1)
        meeting, _warnings = meeting_transition(meeting=meeting, to=step, by=by, now=later)
    return meeting


@pytest.mark.parametrize("start", list(MEETING_TRANSITIONS))
@pytest.mark.parametrize("to", list(S.values))
def test_every_move_is_allowed_or_refused_with_a_reason(working_group, wg_convener, start, to):
    meeting = _in_status(_meeting(working_group, wg_convener), start, wg_convener)
    Meeting.objects.filter(pk=meeting.pk).update(report="# Report")
    after = meeting.ends_at + timedelta(days=1)
    allowed = to in MEETING_TRANSITIONS[start]
    if allowed:
        moved, _ = meeting_transition(
            meeting=meeting, to=to, by=wg_convener, reason="Venue lost.", now=after
        )
        assert moved.status == to
        assert Meeting.objects.get(pk=meeting.pk).status == to
    else:
        with pytest.raises(ValidationError) as refused:
            meeting_transition(
                meeting=meeting, to=to, by=wg_convener, reason="Venue lost.", now=after
            )
        assert refused.value.messages[0]  # says why
        assert Meeting.objects.get(pk=meeting.pk).status == start


def test_only_its_conveners_and_the_secretariat_move_a_meeting(
    working_group, wg_convener, reviewer, outsider, convener
):
    meeting = _meeting(working_group, wg_convener)
    for stranger in (outsider, convener):  # the conveners' group convenes no group by itself
        with pytest.raises(PermissionDenied):
            meeting_transition(meeting=meeting, to=S.PLANNED, by=stranger)
    assert Meeting.objects.get(pk=meeting.pk).status == S.DRAFT
    meeting_transition(meeting=meeting, to=S.PLANNED, by=reviewer)
    # A convener who stepped down may not any more.
    working_group.conveners.remove(wg_convener)
    with pytest.raises(PermissionDenied):
        meeting_transition(meeting=meeting, to=S.INVITATIONS_OPEN, by=wg_convener)


def test_a_meeting_without_a_group_is_the_conveners_groups_and_the_secretariats(convener, outsider):
    enrol_totp(convener)
    convening = meeting_create(
        by=convener,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX annual convening",
        starts_at=NOW + timedelta(weeks=30),
        ends_at=NOW + timedelta(weeks=30, days=2),
        timezone="America/New_York",
        format=MeetingFormat.HYBRID,
    )
    with pytest.raises(PermissionDenied):
        meeting_transition(meeting=convening, to=S.PLANNED, by=outsider)
    assert meeting_transition(meeting=convening, to=S.PLANNED, by=convener)[0].status == S.PLANNED


def test_held_needs_the_meeting_to_have_started(working_group, wg_convener):
    meeting = _in_status(_meeting(working_group, wg_convener), S.CONFIRMED, wg_convener)
    with pytest.raises(ValidationError, match="once it has started"):
        meeting_transition(
            meeting=meeting, to=S.HELD, by=wg_convener, now=meeting.starts_at - timedelta(1)
        )
    moved, _ = meeting_transition(meeting=meeting, to=S.HELD, by=wg_convener, now=meeting.starts_at)
    assert moved.status == S.HELD


def test_a_report_is_needed_to_publish_it(working_group, wg_convener):
    meeting = _in_status(_meeting(working_group, wg_convener), S.HELD, wg_convener)
    with pytest.raises(ValidationError) as refused:
        meeting_transition(meeting=meeting, to=S.REPORT_PUBLISHED, by=wg_convener)
    assert "report" in refused.value.message_dict


def test_cancelling_needs_a_reason_and_tells_who_expects_to_come(
    working_group, wg_convener, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = _in_status(_meeting(working_group, wg_convener), S.INVITATIONS_OPEN, wg_convener)
    cso = OrganizationFactory()
    statuses = {
        "yes@example.org": ParticipationStatus.ACCEPTED,
        "wait@example.org": ParticipationStatus.WAITLISTED,
        "no@example.org": ParticipationStatus.DECLINED,
        "maybe@example.org": ParticipationStatus.INVITED,
    }
    for email, status in statuses.items():
        Participation.objects.create(meeting=meeting, email=email, organization=cso, status=status)
    member = MembershipFactory(organization=cso, user__email="member@example.org").user
    Participation.objects.create(
        meeting=meeting, user=member, organization=cso, status=ParticipationStatus.ACCEPTED
    )
    with pytest.raises(ValidationError) as refused:
        meeting_transition(meeting=meeting, to=S.CANCELLED, by=wg_convener, reason="  ")
    assert "reason" in refused.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        meeting_transition(
            meeting=meeting, to=S.CANCELLED, by=wg_convener, reason="The venue closed."
        )
    told = sorted(address for message in mailoutbox for address in message.to)
    assert told == ["member@example.org", "wait@example.org", "yes@example.org"]
    body = mailoutbox[0].body
    assert "Community policing in practice" in body and "The venue closed." in body
    assert Meeting.objects.get(pk=meeting.pk).cancellation_reason == "The venue closed."


@pytest.mark.parametrize("to", [S.INVITATIONS_OPEN, S.CONFIRMED])
def test_conveners_are_warned_when_they_act_after_the_visa_deadline(working_group, wg_convener, to):
    starts = NOW + timedelta(weeks=8)  # less than the 12 weeks embassies need
    meeting = _meeting(working_group, wg_convener, starts=starts)
    assert meeting.visa_deadline == (starts - timedelta(weeks=12)).date()
    if to == S.CONFIRMED:
        meeting = meeting_transition(meeting=meeting, to=S.PLANNED, by=wg_convener, now=NOW)[0]
        meeting = meeting_transition(
            meeting=meeting, to=S.INVITATIONS_OPEN, by=wg_convener, now=NOW
        )[0]
    else:
        meeting = meeting_transition(meeting=meeting, to=S.PLANNED, by=wg_convener, now=NOW)[0]
    _moved, warnings = meeting_transition(meeting=meeting, to=to, by=wg_convener, now=NOW)
    assert len(warnings) == 1 and "visa" in warnings[0]


def test_no_visa_warning_in_time_or_online(working_group, wg_convener):
    in_time = _meeting(working_group, wg_convener, starts=NOW + timedelta(weeks=13))
    online = _meeting(
        working_group, wg_convener, starts=NOW + timedelta(weeks=2), format=MeetingFormat.ONLINE
    )
    for meeting in (in_time, online):
        meeting = meeting_transition(meeting=meeting, to=S.PLANNED, by=wg_convener, now=NOW)[0]
        _moved, warnings = meeting_transition(
            meeting=meeting, to=S.INVITATIONS_OPEN, by=wg_convener, now=NOW
        )
        assert warnings == []
    assert online.visa_deadline is None


def test_the_deadline_is_the_venues_day(working_group, wg_convener):
    # Starts at 01:00 in Tokyo on 1 June: still 31 May in UTC.
    starts = datetime(2027, 5, 31, 16, 0, tzinfo=UTC)
    meeting = _meeting(working_group, wg_convener, starts=starts, timezone="Asia/Tokyo")
    assert meeting.visa_deadline.isoformat() == "2027-03-09"


def test_a_convener_of_a_working_group_is_privileged(working_group, outsider):
    from organizations.rules import is_privileged

    assert not is_privileged(outsider)
    working_group.conveners.add(outsider)
    assert is_privileged(outsider)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"ends_at": NOW + timedelta(weeks=20)}, "ends_at"),  # ends when it starts
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"join_url": "https://meet.example/x"}, "join_url"),  # in person
        ({"title": "Peace\u202ebuilding"}, "title"),
        ({"languages": ["xx-nope"]}, "languages"),
    ],
)
def test_a_bad_meeting_is_refused_and_nothing_is_saved(working_group, wg_convener, fields, field):
    with pytest.raises(ValidationError) as refused:
        _meeting(working_group, wg_convener, **fields)
    assert field in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_a_working_group_meeting_needs_its_group(wg_convener, reviewer):
    enrol_totp(reviewer)
    with pytest.raises(ValidationError) as refused:
        _meeting(None, reviewer)
    assert "working_group" in refused.value.message_dict
