"""Dialogues' public pages in the anonymous page cache: they read only the tables whose writes
end stored pages, and a committed change shows at once. These tests commit (the generation
moves at commit)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dialogues.models import AgendaItem, Meeting, MeetingKind, MeetingStatus, WorkingGroup
from dialogues.services import agenda_item_add, meeting_update
from gsx_portal import page_cache
from tests.conftest import enrol_totp, new_meeting
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z_]+)"')


@pytest.fixture
def public_event(db):
    secretariat = UserFactory(email="s@secretariat.example", groups=["secretariat"])
    enrol_totp(secretariat)
    group = WorkingGroup.objects.create(name="Security Interventions", slug="security")
    event = new_meeting(
        secretariat,
        None,
        kind=MeetingKind.OUTREACH_EVENT,
        title="Women's perspectives on prevention",
        status=MeetingStatus.PLANNED,
        starts_at=datetime.now(UTC).replace(month=6, day=15) + timedelta(days=366),
        city="New York",
        country="US",
    )
    event.host_organizations.add(OrganizationFactory(name="Open Forum", visibility_tier="public"))
    agenda_item_add(meeting=event, by=secretariat, title="Opening", other_speakers="Jo Lee")
    return {"event": event, "group": group, "by": secretariat}


def paths(world):
    event = world["event"]
    year = event.starts_at.year
    return [
        f"/meetings/{event.public_id}/",
        "/working-groups/",
        f"/working-groups/{world['group'].slug}/",
        f"/timeline/{year}/",
        "/meetings/?when=&kind=outreach_event&meeting_format=&q=",
    ]


def test_the_public_pages_read_only_tracked_tables(public_event, settings):
    settings.PAGE_CACHE_SECONDS = 0  # render, to see every query
    for path in paths(public_event):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(path).status_code == 200, path
        read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
        assert read <= set(page_cache.TRACKED_TABLES), (path, read - set(page_cache.TRACKED_TABLES))


def test_anonymous_visitors_see_no_speakers(public_event, settings):
    settings.PAGE_CACHE_SECONDS = 0
    page = Client().get(paths(public_event)[0]).content.decode()
    assert "Opening" in page and "Jo Lee" not in page
    assert "Open Forum" in page


def test_a_committed_change_ends_the_stored_pages(redis_cache, public_event, monkeypatch):
    served = []
    original = page_cache.StoredPage.response

    def response(self, request):
        served.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(page_cache.StoredPage, "response", response)
    event = public_event["event"]
    for path in paths(public_event):
        Client().get(path)
        Client().get(path)
    assert served == paths(public_event)
    meeting_update(meeting=event, by=public_event["by"], title="Prevention, renamed")
    served.clear()
    for path in paths(public_event):
        if path.startswith("/working-groups/"):
            continue  # the outreach event is on no group's page
        assert "Prevention, renamed" in Client().get(path).content.decode(), path
    assert served == []
    AgendaItem.objects.filter(meeting=event).update(title="Welcome")
    assert "Welcome" in Client().get(paths(public_event)[0]).content.decode()
    Meeting.objects.filter(pk=event.pk).update(status=MeetingStatus.DRAFT)
    assert Client().get(paths(public_event)[0]).status_code == 404


@pytest.mark.parametrize(
    "query, key",
    [
        ("", ""),
        ("when=coming&kind=&page=1", "when=coming"),
        ("when=&country=US", "country=US&when=any"),
        ("q=peace", None),
        ("q=&from=", ""),
        ("kind=party", None),
        ("page=999", None),
        ("utm=1", None),
        ("kind=workshop&kind=consultation", None),
    ],
)
def test_the_meeting_lists_cache_keys(query, key):
    from django.http import QueryDict

    from gsx_portal.cached_pages import meeting_list_query

    assert meeting_list_query(QueryDict(query)) == key
