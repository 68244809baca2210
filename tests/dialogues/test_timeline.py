"""The road to the convening: a year's grid by working group and month, what each reader sees on
it, the sources other apps register, and the page's markup for phones and right-to-left."""

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from dialogues.models import MeetingFormat, MeetingKind, MeetingStatus
from dialogues.services import meeting_transition, working_group_create
from dialogues.timeline import (
    CONVENING,
    TimelineEntry,
    register_timeline_source,
    timeline_of,
    timeline_sources,
    unregister_timeline_source,
)
from tests.conftest import enrol_totp, signed_in
from tests.dialogues.conftest import new_meeting
from tests.factories import UserFactory

YEAR = 2031
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
LAST_COLUMN = "Annual convening and other events"

pytestmark = pytest.mark.usefixtures("dialogues_timeline_only")


@pytest.fixture
def world(working_group, wg_convener, enrolled_reviewer):
    """Two active groups and a closed one, and a year of meetings in every state and kind."""
    macro = working_group_create(
        by=enrolled_reviewer, name="Macroeconomic Policy", slug="macroeconomic-policy"
    )
    closed = working_group_create(by=enrolled_reviewer, name="Closed Group", slug="closed-group")
    closed.active = False
    closed.save()

    def at(month, day, hour=10):
        return datetime(YEAR, month, day, hour, tzinfo=UTC)

    planned = MeetingStatus.PLANNED
    meetings = {
        "wg": new_meeting(
            wg_convener, working_group, status=planned, title="RUSI session", starts_at=at(2, 14)
        ),
        "wg draft": new_meeting(
            wg_convener, working_group, title="Draft session", starts_at=at(6, 3)
        ),
        "macro": new_meeting(
            enrolled_reviewer, macro, status=planned, title="Economic policy", starts_at=at(3, 9)
        ),
        # 23:30 on 31 March in Los Angeles is 1 April in UTC: March, the venue's month.
        "late": new_meeting(
            enrolled_reviewer,
            status=planned,
            title="Outreach in Los Angeles",
            starts_at=datetime(YEAR, 3, 31, 23, 30, tzinfo=LOS_ANGELES),
            timezone="America/Los_Angeles",
        ),
        # 00:30 on 1 April in Tokyo is 31 March in UTC: April.
        "early": new_meeting(
            enrolled_reviewer,
            status=planned,
            title="Outreach in Tokyo",
            starts_at=datetime(YEAR, 4, 1, 0, 30, tzinfo=TOKYO),
            timezone="Asia/Tokyo",
        ),
        "convening": new_meeting(
            enrolled_reviewer,
            status=planned,
            kind=MeetingKind.ANNUAL_CONVENING,
            title=f"GSX {YEAR}",
            starts_at=at(9, 21, 14),
            format=MeetingFormat.HYBRID,
            city="New York",
        ),
        "outreach draft": new_meeting(
            enrolled_reviewer, title="Draft outreach", starts_at=at(5, 2)
        ),
        "workshop": new_meeting(
            enrolled_reviewer,
            status=planned,
            kind=MeetingKind.WORKSHOP,
            title="MENA workshop",
            starts_at=at(5, 20),
        ),
        "closed": new_meeting(
            enrolled_reviewer,
            closed,
            status=planned,
            title="Closed group session",
            starts_at=at(7, 1),
        ),
        "cancelled": new_meeting(
            enrolled_reviewer, status=planned, title="Cancelled event", starts_at=at(8, 8)
        ),
        # 20:00 on 31 December in Los Angeles is next year in UTC: this year's December.
        "new year's eve": new_meeting(
            enrolled_reviewer,
            status=planned,
            title="New Year's Eve in Los Angeles",
            starts_at=datetime(YEAR, 12, 31, 20, tzinfo=LOS_ANGELES),
            timezone="America/Los_Angeles",
        ),
    }
    meeting_transition(
        meeting=meetings["cancelled"],
        to=MeetingStatus.CANCELLED,
        by=enrolled_reviewer,
        reason="Venue",
    )
    return meetings


def labels(timeline) -> dict[tuple[str, int], list[str]]:
    """{(column name, month): [labels]} of the non-empty cells."""
    return {
        (str(cell.column.name), row.month.month): [entry.label for entry in cell.entries]
        for row in timeline.rows
        for cell in row.cells
        if cell.entries
    }


def test_the_grid_has_a_column_per_group_and_a_row_per_month(world, enrolled_reviewer):
    timeline = timeline_of(enrolled_reviewer, YEAR, today=date(YEAR, 3, 15))
    assert [str(column.name) for column in timeline.columns] == [
        "Macroeconomic Policy",
        "Security Interventions",
        LAST_COLUMN,
    ]
    assert [row.month for row in timeline.rows] == [date(YEAR, m, 1) for m in range(1, 13)]
    assert [row.current for row in timeline.rows] == [m == 3 for m in range(1, 13)]
    assert labels(timeline) == {
        ("Security Interventions", 2): ["RUSI session"],
        ("Security Interventions", 6): ["Draft session"],
        ("Macroeconomic Policy", 3): ["Economic policy"],
        (LAST_COLUMN, 3): ["Outreach in Los Angeles"],
        (LAST_COLUMN, 4): ["Outreach in Tokyo"],
        (LAST_COLUMN, 5): ["Draft outreach", "MENA workshop"],
        # A closed group has no column: its meeting is not lost, it goes to the last one.
        (LAST_COLUMN, 7): ["Closed group session"],
        (LAST_COLUMN, 8): ["Cancelled event"],
        (LAST_COLUMN, 9): [f"GSX {YEAR}"],
        (LAST_COLUMN, 12): ["New Year's Eve in Los Angeles"],
    }
    september = timeline.rows[8].cells[2].entries[0]
    assert (september.date, september.kind, september.detail) == (
        date(YEAR, 9, 21),
        MeetingKind.ANNUAL_CONVENING,
        "New York",
    )
    assert september.url == f"/meetings/{world['convening'].public_id}/"
    cancelled = timeline.rows[7].cells[2].entries[0]
    assert cancelled.cancelled and not september.cancelled
    assert timeline.rows[4].cells[2].entries[0].tag == "Draft"
    assert timeline_of(enrolled_reviewer, YEAR + 1).rows[0].empty


def test_a_meeting_is_in_its_venues_month_not_utcs(world, enrolled_reviewer):
    late, early, eve = world["late"], world["early"], world["new year's eve"]
    assert (late.starts_at.astimezone(UTC).month, early.starts_at.astimezone(UTC).month) == (4, 3)
    assert eve.starts_at.astimezone(UTC).year == YEAR + 1
    grid = labels(timeline_of(enrolled_reviewer, YEAR))
    assert grid[(LAST_COLUMN, 3)] == ["Outreach in Los Angeles"]
    assert grid[(LAST_COLUMN, 4)] == ["Outreach in Tokyo"]
    assert grid[(LAST_COLUMN, 12)] == ["New Year's Eve in Los Angeles"]
    assert labels(timeline_of(enrolled_reviewer, YEAR + 1)) == {}


PUBLIC = {
    "Outreach in Los Angeles",
    "Outreach in Tokyo",
    f"GSX {YEAR}",
    "Cancelled event",
    "New Year's Eve in Los Angeles",
}
SIGNED_IN = PUBLIC | {"RUSI session", "Economic policy", "MENA workshop", "Closed group session"}


@pytest.mark.parametrize(
    ("reader", "seen"),
    [
        ("anonymous", PUBLIC),
        ("outsider", SIGNED_IN),
        ("wg_convener", SIGNED_IN | {"Draft session"}),
        ("conveners_group", SIGNED_IN | {"Draft outreach"}),
        ("secretariat", SIGNED_IN | {"Draft session", "Draft outreach"}),
    ],
)
def test_each_reader_sees_what_meetings_visible_to_allows(
    world, wg_convener, enrolled_reviewer, reader, seen
):
    from django.contrib.auth.models import AnonymousUser

    if reader == "conveners_group":
        user = UserFactory(groups=["convener"])
        enrol_totp(user)
    else:
        user = {
            "anonymous": AnonymousUser(),
            "outsider": UserFactory(),
            "wg_convener": wg_convener,
            "secretariat": enrolled_reviewer,
        }[reader]
    grid = labels(timeline_of(user, YEAR))
    assert {label for cell in grid.values() for label in cell} == seen
    client = Client() if reader == "anonymous" else signed_in(user)
    page = client.get(f"/timeline/{YEAR}/").content.decode()
    for title in {"RUSI session", "Draft session", "Draft outreach", "MENA workshop"} - seen:
        assert title not in page
    for title in seen:
        assert escape(title) in page


def test_the_page_strikes_out_cancelled_meetings_and_links_each_one(world, enrolled_reviewer):
    page = Client().get(f"/timeline/{YEAR}/").content.decode()
    cancelled = world["cancelled"]
    assert re.search(
        rf'<s><a href="/meetings/{cancelled.public_id}/"><bdi>Cancelled event</bdi></a></s> '
        r'<span class="tag tag--warning">Cancelled</span>',
        page,
    )
    assert (
        f'<a href="/meetings/{world["late"].public_id}/"><bdi>Outreach in Los Angeles</bdi></a>'
        in page
    )
    assert '<time datetime="2031-03-31">' in page


@pytest.fixture
def publications(world):
    """A source as the recommendations app would register one (the calls it got); unregistered
    afterwards."""
    from dialogues.models import WorkingGroup

    macro = WorkingGroup.objects.get(slug="macroeconomic-policy")
    calls = []

    def source(user, year):
        calls.append((user, year))
        return [
            TimelineEntry(
                date=date(year, 1, 20),
                column=macro.pk,
                label="Working paper on economic policy",
                url="/recommendations/sources/working-paper/",
                kind="publication",
                kind_label="Publication",
            ),
            TimelineEntry(
                date=date(year, 6, 1),
                column=CONVENING,
                label="Review of progress",
                kind="milestone",
            ),
            TimelineEntry(date=date(year, 9, 1), column=99_999, label="Input to the convening"),
            TimelineEntry(date=date(year + 1, 1, 1), column=CONVENING, label="Another year"),
        ]

    register_timeline_source("test.publications", source)
    yield calls
    unregister_timeline_source("test.publications")


def test_a_registered_source_fills_the_right_cells(publications, outsider):
    assert timeline_sources() == ["dialogues.meetings", "test.publications"]
    grid = labels(timeline_of(outsider, YEAR))
    assert publications == [(outsider, YEAR)]
    assert grid[("Macroeconomic Policy", 1)] == ["Working paper on economic policy"]
    assert grid[(LAST_COLUMN, 6)] == ["Review of progress"]
    # A column the reader has none for goes to the last one; another year's entry is left out.
    assert grid[(LAST_COLUMN, 9)] == ["Input to the convening", f"GSX {YEAR}"]
    assert "Another year" not in str(grid)
    page = signed_in(outsider).get(f"/timeline/{YEAR}/").content.decode()
    assert (
        '<a href="/recommendations/sources/working-paper/">'
        "<bdi>Working paper on economic policy</bdi></a>"
    ) in page


def test_the_registry_is_left_as_it_was():
    assert timeline_sources() == ["dialogues.meetings"]


def _raises(user, year):
    raise RuntimeError("down")


def _half_then_raises(user, year):
    yield TimelineEntry(date=date(year, 2, 2), column=CONVENING, label="Half a source")
    raise RuntimeError("down")


def _gives_a_moment(user, year):
    return [TimelineEntry(date=datetime(year, 2, 2, tzinfo=UTC), column=CONVENING, label="x")]


def _gives_tuples(user, year):
    return [(date(year, 2, 2), CONVENING, "Not an entry")]


@pytest.mark.parametrize("source", [_raises, _half_then_raises, _gives_a_moment, _gives_tuples])
def test_a_failing_source_is_logged_and_left_out(world, caplog, source):
    register_timeline_source("test.broken", source)
    try:
        response = Client().get(f"/timeline/{YEAR}/")
    finally:
        unregister_timeline_source("test.broken")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Outreach in Tokyo" in page
    assert "Half a source" not in page and "Not an entry" not in page
    assert "timeline source test.broken failed" in caplog.text


@pytest.mark.parametrize("year", [1999, 2101, 99999])
def test_a_year_out_of_range_is_not_found(db, year):
    assert Client().get(f"/timeline/{year}/").status_code == 404


@pytest.mark.parametrize(
    ("year", "previous", "following"), [(2000, None, 2001), (2031, 2030, 2032), (2100, 2099, None)]
)
def test_the_page_links_the_years_around_it(db, year, previous, following):
    page = Client().get(f"/timeline/{year}/").content.decode()
    links = re.findall(r'<a href="/timeline/(\d+)/" rel="(prev|next)">', page)
    expected = [(str(previous), "prev")] if previous else []
    expected += [(str(following), "next")] if following else []
    assert links == expected


@time_machine.travel(datetime(2029, 5, 10, 12, tzinfo=UTC), tick=False)
def test_without_a_year_the_page_shows_this_year_with_this_month_marked(db):
    response = Client().get("/timeline/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The road to the convening, 2029" in page
    rows = re.findall(r"<tr( class=\"timeline__now\")?>\s*<th scope=\"row\"[^>]*>(\w+)", page)
    assert [month for marked, month in rows if marked] == ["May"]
    assert '<th scope="row" aria-current="date">May' in page


def test_the_page_is_a_table_that_stacks_on_a_phone(world, outsider):
    page = signed_in(outsider).get(f"/timeline/{YEAR}/").content.decode()
    assert '<table class="stack timeline">' in page
    assert (
        '<caption id="timeline-caption">'
        "Meetings and events of 2031, by working group and month</caption>" in page
    )
    headers = re.findall(r'<th scope="col">(?:<a href="[^"]+"><bdi>)?([^<]+)', page)
    assert headers == ["Month", "Macroeconomic Policy", "Security Interventions", LAST_COLUMN]
    assert page.count('<th scope="row"') == 12
    # Every cell names its column for the phone layout; empty ones are empty (hidden there).
    assert page.count('<td data-label="Security Interventions">') == 12
    assert page.count(f'<td data-label="{LAST_COLUMN}"></td>') == 12 - 7
    assert 'role="region" aria-labelledby="timeline-caption" tabindex="0"' in page


def test_the_page_is_right_to_left_in_arabic(world):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(f"/timeline/{YEAR}/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "<bdi>Outreach in Tokyo</bdi>" in page


@pytest.mark.parametrize(
    ("language", "day"),
    [("en", "March 31"), ("fr", "31 mars"), ("es", "31 de marzo"), ("ar", "31 مارس")],
)
def test_days_follow_each_languages_order(world, language, day):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/timeline/{YEAR}/").content.decode()
    assert f'<time datetime="{YEAR}-03-31">{day}</time>' in page


def test_the_timeline_styles_use_logical_properties_only():
    css = Path(settings.BASE_DIR, "static/css/gsx.css").read_text()
    block = css[css.index("/* ---- The road to the convening") : css.index("end of the road")]
    assert "data-label" in block and ".timeline__now" in block
    assert not re.search(r"\b(left|right)\b", block)


def test_the_working_groups_list_links_the_timeline(db):
    page = Client().get("/working-groups/").content.decode()
    assert '<a href="/timeline/">' in page


def test_the_timeline_runs_a_constant_number_of_queries(enrolled_reviewer, outsider):
    def add(groups, meetings, offset):
        for n in range(groups):
            group = working_group_create(
                by=enrolled_reviewer, name=f"Group {offset + n}", slug=f"group-{offset + n}"
            )
            for m in range(meetings):
                new_meeting(
                    enrolled_reviewer,
                    group,
                    status=MeetingStatus.PLANNED,
                    title=f"M{offset + n}-{m}",
                    starts_at=datetime(YEAR, 1 + m % 12, 10, tzinfo=UTC),
                )
            new_meeting(
                enrolled_reviewer,
                status=MeetingStatus.PLANNED,
                title=f"Outreach {offset + n}",
                starts_at=datetime(YEAR, 2, 1 + n, tzinfo=UTC),
            )

    def count(client):
        client.get(f"/timeline/{YEAR}/")  # sessions and caches settle
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/timeline/{YEAR}/").status_code == 200
        return len(queries.captured_queries)

    clients = {"anonymous": Client(), "signed in": signed_in(outsider)}
    add(1, 1, 0)
    few = {name: count(client) for name, client in clients.items()}
    add(4, 6, 10)
    many = {name: count(client) for name, client in clients.items()}
    assert many == few
    # Anonymous: the working groups and the meetings, nothing else.
    assert few["anonymous"] == 2
