"""The working groups' list and a group's page, from outside, for each reader."""

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from dialogues.models import MeetingStatus
from dialogues.services import action_point_add
from organizations.models import VisibilityTier
from tests.conftest import signed_in
from tests.dialogues.conftest import new_meeting
from tests.factories import OrganizationFactory, UserFactory

NOW = datetime.now(UTC)


def _meeting(group, by, title, starts, *, planned=True):
    status = MeetingStatus.PLANNED if planned else MeetingStatus.DRAFT
    return new_meeting(by, group, status=status, title=title, starts_at=starts)


def page(client, group):
    return client.get(f"/working-groups/{group.slug}/")


def test_what_each_reader_sees_of_a_group(working_group, wg_convener, enrolled_reviewer):
    member = UserFactory()
    working_group.members.add(member)
    _meeting(working_group, wg_convener, "Next session", NOW + timedelta(days=30))
    _meeting(working_group, wg_convener, "Last session", NOW - timedelta(days=30))
    _meeting(working_group, wg_convener, "Draft session", NOW + timedelta(days=60), planned=False)

    anonymous = page(Client(), working_group).content.decode()
    assert "Security Interventions" in anonymous
    assert escape(member.name) not in anonymous and escape(wg_convener.name) not in anonymous
    assert "Next session" not in anonymous  # working-group meetings are for the network

    outsider = page(signed_in(UserFactory()), working_group).content.decode()
    assert escape(member.name) in outsider and escape(wg_convener.name) in outsider
    coming, past = outsider.split("Past meetings")
    assert "Next session" in coming and "Last session" in past
    assert "Draft session" not in outsider
    assert "Draft session" in page(signed_in(wg_convener), working_group).content.decode()


def test_an_inactive_group_is_its_conveners_and_the_secretariats(
    working_group, wg_convener, enrolled_reviewer
):
    working_group.active = False
    working_group.save()
    for client in (Client(), signed_in(UserFactory())):
        assert page(client, working_group).status_code == 404
        assert "Security Interventions" not in client.get("/working-groups/").content.decode()
    assert page(signed_in(wg_convener), working_group).status_code == 200
    assert page(signed_in(enrolled_reviewer), working_group).status_code == 200


def test_open_action_points_never_name_a_restricted_organization(working_group, wg_convener):
    meeting = _meeting(working_group, wg_convener, "Session", NOW - timedelta(days=3))
    hidden = OrganizationFactory(name="Hidden Harbour", visibility_tier=VisibilityTier.RESTRICTED)
    action_point_add(
        meeting=meeting, by=wg_convener, text="Map safe routes", responsible_organization=hidden
    )
    done = action_point_add(meeting=meeting, by=wg_convener, text="Already done")
    done.status = "done"
    done.save()
    outsider = page(signed_in(UserFactory()), working_group).content.decode()
    assert "Map safe routes" in outsider and "Hidden Harbour" not in outsider
    assert "Already done" not in outsider
    assert "Hidden Harbour" in page(signed_in(wg_convener), working_group).content.decode()


def test_the_group_page_runs_a_constant_number_of_queries(working_group, wg_convener):
    from django.db import connection

    client = signed_in(wg_convener)

    def add(n, offset):
        for i in range(n):
            meeting = _meeting(
                working_group, wg_convener, f"M{offset + i}", NOW + timedelta(days=offset + i)
            )
            action_point_add(
                meeting=meeting,
                by=wg_convener,
                text=f"P{i}",
                responsible_organization=OrganizationFactory(),
            )
            working_group.members.add(UserFactory())

    add(2, 0)
    page(client, working_group)
    with CaptureQueriesContext(connection) as few:
        assert page(client, working_group).status_code == 200
    add(5, 10)
    with CaptureQueriesContext(connection) as many:
        assert page(client, working_group).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
