"""My meetings: answering from the account, one POST per answer, and the calendar link."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from dialogues.models import MeetingStatus, Participation
from dialogues.services import meeting_transition, participation_invite
from tests.conftest import signed_in
from tests.dialogues.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory

P = Participation
SOON = datetime.now(UTC) + timedelta(weeks=20)


@pytest.fixture
def invited(working_group, wg_convener):
    meeting = new_meeting(
        wg_convener,
        working_group,
        status=MeetingStatus.INVITATIONS_OPEN,
        title="Narratives that work",
        timezone="Asia/Amman",
        capacity=1,
    )
    cso = OrganizationFactory()
    people = [MembershipFactory(organization=cso).user for _ in range(2)]
    for person in people:
        participation_invite(meeting=meeting, by=wg_convener, organization=cso, user=person)
    return meeting, people


def _status(meeting, user):
    return P.objects.get(meeting=meeting, user=user).status


def test_i_answer_from_my_meetings_and_the_second_acceptance_waits(invited):
    meeting, (first, second) = invited
    page = signed_in(first).get("/meetings/mine/")
    assert page.status_code == 200 and "Narratives that work" in page.content.decode()
    accept = f"/meetings/{meeting.public_id}/accept/"
    assert signed_in(first).get(accept).status_code == 405  # only a POST answers
    assert signed_in(first).post(accept).status_code == 302
    assert _status(meeting, first) == "accepted"
    signed_in(second).post(accept)
    assert _status(meeting, second) == "waitlisted"
    signed_in(first).post(f"/meetings/{meeting.public_id}/decline/")
    assert _status(meeting, first) == "declined"
    assert _status(meeting, second) == "accepted"


def test_someone_not_invited_cannot_answer(invited, outsider):
    meeting, (first, _second) = invited
    assert signed_in(outsider).post(f"/meetings/{meeting.public_id}/accept/").status_code == 404
    assert not P.objects.filter(meeting=meeting, user=outsider).exists()
    assert "Narratives" not in signed_in(outsider).get("/meetings/mine/").content.decode()
    assert Client().post(f"/meetings/{meeting.public_id}/accept/").status_code == 302  # sign in
    assert _status(meeting, first) == "invited"


def test_the_calendar_link_is_shown_once_works_signed_out_and_can_be_stopped(invited):
    _meeting, (first, _second) = invited
    client = signed_in(first)
    made = client.post("/calendar/new/").content.decode()
    url = re.search(r'<code dir="ltr">(\S+)</code>', made).group(1)
    assert "webcal://" in made
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert url not in client.get("/meetings/mine/").content.decode()  # shown once
    feed = Client().get(path)
    assert feed.status_code == 200 and b"Narratives that work" in feed.content
    client.post("/calendar/stop/")
    assert Client().get(path).status_code == 404


def test_coming_up_on_the_home_page(invited, wg_convener):
    from datetime import date

    from dialogues.services import action_point_add

    meeting, (first, second) = invited
    home = signed_in(first).get("/").content.decode()
    assert "Coming up" in home and "Invitations to answer" in home
    assert "Narratives that work" in home
    signed_in(first).post(f"/meetings/{meeting.public_id}/accept/")
    action_point_add(
        meeting=meeting,
        by=wg_convener,
        text="Share the draft guide",
        responsible_person=first,
        due_on=date(2030, 1, 1),
    )
    home = signed_in(first).get("/").content.decode()
    assert "My next meetings" in home and "Invitations to answer" not in home
    assert "Share the draft guide" in home
    signed_in(second).post(f"/meetings/{meeting.public_id}/decline/")
    assert "Coming up" not in signed_in(second).get("/").content.decode()
    # Cancelled: no longer coming up.
    meeting_transition(meeting=meeting, to=MeetingStatus.CANCELLED, by=wg_convener, reason="x")
    assert (
        "Narratives that work"
        not in signed_in(first)
        .get("/")
        .content.decode()
        .split("Coming up")[-1]
        .split("My open action points")[0]
    )
