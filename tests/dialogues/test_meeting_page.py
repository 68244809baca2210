"""A meeting's page and calendar files, from outside: what each reader gets, in HTML and .ics,
and a personal feed with its token."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.test import Client
from django.utils.html import escape

from dialogues.calendars import calendar_feed_create, calendar_feed_revoke
from dialogues.models import (
    ActionPoint,
    AgendaItem,
    MeetingFormat,
    MeetingStatus,
    Participation,
    ParticipationStatus,
)
from dialogues.services import meeting_transition
from organizations.models import VisibilityTier
from tests.conftest import enrol_totp, signed_in
from tests.dialogues.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

S = MeetingStatus
JOIN = "https://meet.example/room-7f3a"
SOON = datetime.now(UTC) + timedelta(weeks=20)


@pytest.fixture
def world(reviewer, wg_convener, working_group):
    group = working_group
    meeting = new_meeting(
        wg_convener,
        group,
        title="Policing with communities",
        format=MeetingFormat.HYBRID,
        venue="Conference Room 4, Example House",
        city="London",
        country="GB",
        join_url=JOIN,
    )
    at_risk = OrganizationFactory(name="Hidden Harbour", visibility_tier=VisibilityTier.RESTRICTED)
    cso = OrganizationFactory(name="Open Forum", visibility_tier=VisibilityTier.NETWORK)
    return {
        "group": group,
        "meeting": meeting,
        "convener": wg_convener,
        "secretariat": reviewer,
        "guest": MembershipFactory(organization=cso, user__email="guest@cso.example").user,
        "hidden": MembershipFactory(organization=at_risk, user__email="h@risk.example").user,
        "outsider": UserFactory(email="out@example.org"),
        "cso": cso,
        "at_risk": at_risk,
    }


def url(meeting, suffix="/"):
    return f"/meetings/{meeting.public_id}{suffix}"


def test_a_draft_is_404_to_all_but_who_manages_it(world):
    meeting = world["meeting"]
    for client in (Client(), signed_in(world["outsider"]), signed_in(world["guest"])):
        assert client.get(url(meeting)).status_code == 404
        assert client.get(url(meeting, ".ics")).status_code == 404
    assert signed_in(world["convener"]).get(url(meeting)).status_code == 200
    assert signed_in(world["secretariat"]).get(url(meeting)).status_code == 200


def _planned(world):
    meeting, _ = meeting_transition(meeting=world["meeting"], to=S.PLANNED, by=world["convener"])
    meeting, _ = meeting_transition(meeting=meeting, to=S.INVITATIONS_OPEN, by=world["convener"])
    return meeting


def test_what_each_reader_sees_of_a_meeting(world):
    meeting = _planned(world)
    Participation.objects.create(
        meeting=meeting,
        user=world["guest"],
        organization=world["cso"],
        status=ParticipationStatus.ACCEPTED,
    )
    # A working-group meeting is not public.
    assert Client().get(url(meeting)).status_code == 404
    assert Client().get(url(meeting, ".ics")).status_code == 404
    outsider = signed_in(world["outsider"]).get(url(meeting)).content.decode()
    assert "Example House" in outsider and JOIN not in outsider
    assert escape(world["guest"].name) not in outsider
    guest = signed_in(world["guest"]).get(url(meeting)).content.decode()
    assert JOIN in guest
    convener = signed_in(world["convener"]).get(url(meeting)).content.decode()
    assert JOIN in convener and escape(world["guest"].name) in convener
    assert "No women-led organization is coming." in convener  # the balance panel


def test_the_participant_list_once_published_never_names_a_restricted_organization(world):
    meeting = _planned(world)
    for user, org in ((world["guest"], world["cso"]), (world["hidden"], world["at_risk"])):
        Participation.objects.create(
            meeting=meeting, user=user, organization=org, status=ParticipationStatus.ACCEPTED
        )
    hidden_name = escape(world["hidden"].name)
    guest_page = signed_in(world["guest"]).get(url(meeting)).content.decode()
    assert hidden_name not in guest_page  # not published yet
    meeting.participants_published = True
    meeting.save()
    guest_page = signed_in(world["guest"]).get(url(meeting)).content.decode()
    assert hidden_name in guest_page and "Hidden Harbour" not in guest_page
    assert "Open Forum" in guest_page
    hidden_page = signed_in(world["hidden"]).get(url(meeting)).content.decode()
    assert "Hidden Harbour" in hidden_page
    assert "Hidden Harbour" in signed_in(world["convener"]).get(url(meeting)).content.decode()
    outsider_page = signed_in(world["outsider"]).get(url(meeting)).content.decode()
    assert escape(world["guest"].name) not in outsider_page


def test_the_meeting_page_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    meeting = _planned(world)
    client = signed_in(world["convener"])

    def add(n):
        for i in range(n):
            org = OrganizationFactory()
            speaker = Participation.objects.create(
                meeting=meeting,
                user=MembershipFactory(organization=org).user,
                organization=org,
                status=ParticipationStatus.ACCEPTED,
            )
            item = AgendaItem.objects.create(
                meeting=meeting,
                position=AgendaItem.objects.filter(meeting=meeting).count() + 1,
                title=f"Item {i}",
            )
            item.speakers.add(speaker)
            ActionPoint.objects.create(
                meeting=meeting, text=f"Point {i}", responsible_organization=org, agenda_item=item
            )

    add(2)
    client.get(url(meeting))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(meeting)).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(meeting)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def _events(body: bytes):
    calendar = icalendar.Calendar.from_ical(body)
    return calendar, list(calendar.walk("VEVENT"))


def test_the_ics_of_a_meeting_across_a_daylight_saving_change(world):
    meeting = _planned(world)
    # London moves to summer time on 28 March 2027 at 01:00 UTC.
    starts = datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # 09:00 GMT
    ends = datetime(2027, 3, 29, 16, 0, tzinfo=UTC)  # 17:00 BST
    type(meeting).objects.filter(pk=meeting.pk).update(starts_at=starts, ends_at=ends)
    response = signed_in(world["outsider"]).get(url(meeting, ".ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    assert b"DTSTART;TZID=Europe/London:20270327T090000" in body
    assert b"DTEND;TZID=Europe/London:20270329T170000" in body
    calendar, (event,) = _events(body)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    kinds = {component.name for component in zone.subcomponents}
    assert {"STANDARD", "DAYLIGHT"} <= kinds
    assert event.decoded("DTSTART").astimezone(UTC) == starts
    assert event.decoded("DTEND").astimezone(UTC) == ends
    assert JOIN.encode() not in body  # not a participant


def test_the_join_link_is_in_the_ics_only_for_who_may_see_it(world):
    meeting = _planned(world)
    Participation.objects.create(
        meeting=meeting,
        user=world["guest"],
        organization=world["cso"],
        status=ParticipationStatus.ACCEPTED,
    )
    assert JOIN.encode() in signed_in(world["guest"]).get(url(meeting, ".ics")).content
    assert JOIN.encode() not in signed_in(world["outsider"]).get(url(meeting, ".ics")).content


def test_a_personal_feed_lists_my_meetings_until_revoked(world):
    meeting = _planned(world)
    Participation.objects.create(
        meeting=meeting,
        user=world["guest"],
        organization=world["cso"],
        status=ParticipationStatus.INVITED,
    )
    token = calendar_feed_create(user=world["guest"])
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    _calendar, events = _events(response.content)
    assert [str(e["SUMMARY"]) for e in events] == ["Policing with communities"]
    assert JOIN.encode() not in response.content  # invited, not accepted
    new_token = calendar_feed_create(user=world["guest"])
    assert Client().get(f"/calendar/{token}.ics").status_code == 404  # replaced
    calendar_feed_revoke(user=world["guest"])
    assert Client().get(f"/calendar/{new_token}.ics").status_code == 404
    for odd in ("x", "%00", "a" * 300):
        assert Client().get(f"/calendar/{odd}.ics").status_code == 404


def test_a_working_group_member_gets_its_meetings_in_the_feed(world):
    meeting = _planned(world)
    member = world["outsider"]
    world["group"].members.add(member)
    token = calendar_feed_create(user=member)
    _calendar, events = _events(Client().get(f"/calendar/{token}.ics").content)
    assert [str(e["SUMMARY"]) for e in events] == [meeting.title]
    member.is_active = False
    member.save()
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_a_public_event_is_seen_by_anonymous_visitors_without_its_venue_or_link(world, convener):
    enrol_totp(convener)
    event = new_meeting(
        convener,
        title="Open day on prevention",
        timezone="Africa/Nairobi",
        format=MeetingFormat.HYBRID,
        venue="Hall B, Example Centre",
        city="Nairobi",
        country="KE",
        join_url=JOIN,
    )
    assert Client().get(url(event)).status_code == 404  # a draft
    meeting_transition(meeting=event, to=S.PLANNED, by=convener)
    page = Client().get(url(event)).content.decode()
    assert "Open day on prevention" in page and "Nairobi" in page
    assert "Example Centre" not in page and JOIN not in page
    assert JOIN.encode() not in Client().get(url(event, ".ics")).content
