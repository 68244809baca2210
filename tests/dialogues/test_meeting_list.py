"""The meeting list page (/meetings/): who sees which meetings, the filters shared with the API,
coming and past, the rows in the venue's time, bad values, pages and query counts."""

import re
from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from dialogues.models import MeetingFormat, MeetingKind, MeetingStatus
from tests.conftest import signed_in
from tests.dialogues.conftest import new_meeting
from tests.dialogues.world import ROLES, make_world

S = MeetingStatus
URL = "/meetings/"


@pytest.fixture
def world(enrolled_reviewer, wg_convener, working_group):
    return make_world(
        secretariat=enrolled_reviewer, wg_convener=wg_convener, working_group=working_group
    )


def _client(world, role) -> Client:
    user = world.people[role]
    return Client() if user is None else signed_in(user)


def _page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _titles(html: str) -> list[str]:
    listed = html.split('<ul class="meetings">', 1)
    if len(listed) == 1:
        return []
    return re.findall(r'<a href="/meetings/[0-9a-f-]{36}/"><bdi>([^<]+)</bdi></a>', listed[1])


LISTED = {
    "anonymous": ["Outreach in Amman"],
    "outsider": ["Budgets for prevention", "Outreach in Amman"],
    "invited": ["Budgets for prevention", "Outreach in Amman"],
    "accepted": ["Budgets for prevention", "Outreach in Amman"],
    "convener": ["Budgets for prevention", "Draft on narratives", "Outreach in Amman"],
    "other_convener": ["Budgets for prevention", "Outreach in Amman"],
    "secretariat": ["Budgets for prevention", "Draft on narratives", "Outreach in Amman"],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_meetings_it_may_see(world, role):
    # All three start on the same day in 20 weeks: in the order they were made.
    html = _page(_client(world, role))
    assert _titles(html) == LISTED[role]
    count = len(LISTED[role])
    assert f"{count} meeting" in html


def test_a_row_shows_kind_group_venue_day_place_and_status(world):
    late = new_meeting(
        world.people["convener"],
        world.group,
        status=S.PLANNED,
        title="Late evening in Chicago",
        timezone="America/Chicago",
        city="Chicago",
        country="US",
        format=MeetingFormat.IN_PERSON,
        starts_at=datetime.fromisoformat("2031-06-11T03:00:00+00:00"),  # 22:00 on the 10th there
        ends_at=datetime.fromisoformat("2031-06-12T23:00:00+00:00"),
    )
    html = _page(signed_in(world.people["outsider"]), q="Chicago")
    row = re.search(rf'<li>\s*<a href="/meetings/{late.public_id}/".*?</li>', html, re.S)
    text = re.sub(r"<[^>]+>", "", row.group(0))
    assert " ".join(text.split()) == (
        "Late evening in Chicago Working-group meeting · Security Interventions · "
        "June 10, 2031 – June 12, 2031 · Chicago, United States of America · In person · Planned"
    )


def test_the_filters_are_the_apis(world):
    client = signed_in(world.people["outsider"])
    assert _titles(_page(client, kind="outreach_event")) == ["Outreach in Amman"]
    assert _titles(_page(client, region="sub_saharan_africa")) == ["Budgets for prevention"]
    assert _titles(_page(client, working_group="security-interventions")) == [
        "Budgets for prevention"
    ]
    assert _titles(_page(client, meeting_format="in_person")) == ["Outreach in Amman"]
    assert _titles(_page(client, country="JO", q="amman")) == ["Outreach in Amman"]
    assert _titles(_page(client, status="draft")) == []


def test_past_meetings_on_asking_latest_first(world):
    new_meeting(
        world.people["secretariat"],
        None,
        status=S.PLANNED,
        title="Outreach in Nairobi",
        starts_at=world.public.starts_at + (world.public.ends_at - world.public.starts_at) * 10,
    )
    after = world.public.ends_at.replace(year=world.public.ends_at.year + 1)
    with time_machine.travel(after, tick=False):
        client = signed_in(world.people["outsider"])  # a session of that day
        assert _titles(_page(client)) == []
        assert "No meeting matches these filters." in _page(client)
        assert _titles(_page(client, when="past")) == [
            "Outreach in Nairobi",
            "Outreach in Amman",
            "Budgets for prevention",
        ]
        assert len(_titles(_page(client, when=""))) == 3  # any time


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "picnic"}, "Select a valid choice. picnic is not one of the available choices."),
        ({"from": "2031-02-30"}, "Enter a valid date."),
        ({"from": "2031-06-02", "to": "2031-06-01"}, "This day is before the “from” day."),
        ({"working_group": "no-such-group"}, "Select a valid choice."),
        ({"region": "atlantis"}, "Select a valid choice."),
        ({"page": "many"}, None),
    ],
)
def test_bad_values_show_a_message_and_keep_what_was_typed(world, params, message):
    html = _page(signed_in(world.people["outsider"]), q="prevention", **params)
    if message is None:
        # A page that is not a number is the first page, as on the directory.
        assert _titles(html) == ["Budgets for prevention"]
        return
    assert 'class="error-summary"' in html and message in html
    # The list stays: the coming meetings, unfiltered.
    assert _titles(html) == ["Budgets for prevention", "Outreach in Amman"]
    assert 'value="prevention"' in html


def test_the_list_is_paginated_and_keeps_the_filters(world):
    for i in range(30):
        new_meeting(world.people["secretariat"], None, status=S.PLANNED, title=f"Event {i:02}")
    client = Client()
    first = _page(client, kind=MeetingKind.OUTREACH_EVENT)
    assert len(_titles(first)) == 25 and "31 meetings" in first
    assert 'href="?kind=outreach_event&amp;page=2"' in first
    second = _page(client, kind=MeetingKind.OUTREACH_EVENT, page=2)
    assert len(_titles(second)) == 6


def test_the_filter_form_works_without_a_script(world):
    html = _page(Client())
    form = re.search(r'<form method="get".*?</form>', html, re.S).group(0)
    for name in ("q", "when", "working_group", "kind", "status", "meeting_format", "country"):
        assert f'name="{name}"' in form
    assert 'name="from"' in form and 'type="date"' in form
    assert '<option value="coming" selected>' in form
    # The groups anonymous visitors may know of, by slug.
    assert '<option value="security-interventions">' in form


@pytest.mark.parametrize("role", ["anonymous", "outsider", "secretariat"])
def test_the_list_runs_as_many_queries_for_one_row_as_for_many(world, role):
    client = _client(world, role)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        _page(client)
    for i in range(8):
        group = world.group if i % 2 else None
        new_meeting(world.people["secretariat"], group, status=S.PLANNED, title=f"More {i}")
    with CaptureQueriesContext(connection) as many:
        html = _page(client)
    assert len(_titles(html)) > len(LISTED[role])
    assert len(many.captured_queries) == len(few.captured_queries)


def test_signed_in_pages_are_not_stored_and_the_menu_links_the_list(world):
    response = signed_in(world.people["outsider"]).get(URL)
    assert response["Cache-Control"] == "no-store, private"
    html = Client().get(reverse("home")).content.decode()
    assert f'<a href="{URL}">Meetings</a>' in html


def test_the_neighbouring_addresses_still_resolve_to_their_pages(world):
    assert resolve("/meetings/").url_name == "meetings"
    assert resolve("/meetings/mine/").url_name == "my_meetings"
    assert resolve(f"/meetings/{world.meeting.public_id}/").url_name == "meeting"
    assert resolve("/meetings/answer/abc/accept/").url_name == "rsvp"
