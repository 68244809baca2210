"""The dashboard: exact counts of current statuses by theme and addressee type from each side,
the change between the last two closed cycles (or a plain sentence when there are fewer), each
chart's table equal to its data, SVG well-formed, a constant number of queries, and the
anonymous page served from the page cache until a tracked table changes."""

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gsx_portal import page_cache
from organizations.models import Theme
from recommendations.models import CycleState, ImplementationStatus
from recommendations.services import review_cycle_transition, source_document_create
from tests.conftest import signed_in
from tests.recommendations.test_cycles_pages import (
    ROLES,
    _gap_table,
    _org,
    add_recommendation,
    build_world,
    client_for,
    make_convening,
    report,
)

URL = "/recommendations/dashboard/"
IS = ImplementationStatus
# The columns of every status table: the six statuses, no update yet, the total.
HEAD = [
    "Not started",
    "In progress",
    "Partially implemented",
    "Implemented",
    "Stalled",
    "No longer relevant",
    "No update yet",
    "Total",
]


@pytest.fixture
def convening(reviewer):
    return make_convening(reviewer)


@pytest.fixture
def world(reviewer, convening):
    return build_world(reviewer, convening)


def tables(html: str) -> dict[str, list[tuple[str, list[str]]]]:
    """Each table of the page by its caption: rows of (header cell, data cells)."""
    found = {}
    for caption, body in re.findall(
        r"<caption>(.*?)</caption>(.*?)</table>", html.replace("&#x27;", "'"), re.S
    ):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            head = re.findall(r"<th[^>]*>(.*?)</th>", row, re.S)
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            strip = [re.sub(r"<[^>]+>", "", c).strip() for c in head]
            rows.append((" | ".join(strip), [c.strip() for c in cells]))
        found[re.sub(r"<[^>]+>", "", caption).strip()] = rows
    return found


def _n(*counts):
    return [str(c) for c in (*counts, sum(counts))]


def test_the_dashboard_counts_current_statuses_exactly(world):
    html = Client().get(URL).content.decode()
    found = tables(html)
    policing = Theme.objects.get(slug="community-policing").name
    self_, indep = "Self-report by the addressee", "Independent assessment by civil society"
    # r1 (policing, governments): self in progress (the finance ministry's earlier report is
    # older), assessed stalled; r2 (no theme; governments and donors): its self-report is
    # hidden, so none; r3 (policing, no type): none. The draft never counts.
    assert found[f"By theme: {self_}"] == [
        (" | ".join(["Row", *HEAD]), []),
        (policing, _n(0, 1, 0, 0, 0, 0, 1)),
        ("Without a theme", _n(0, 0, 0, 0, 0, 0, 1)),
    ]
    assert found[f"By theme: {indep}"][1:] == [
        (policing, _n(0, 0, 0, 0, 1, 0, 1)),
        ("Without a theme", _n(0, 0, 0, 0, 0, 0, 1)),
    ]
    assert found[f"By addressee type: {self_}"][1:] == [
        ("Governments", _n(0, 1, 0, 0, 0, 0, 1)),
        ("Donors", _n(0, 0, 0, 0, 0, 0, 1)),
        ("Addressees not stated", _n(0, 0, 0, 0, 0, 0, 1)),
    ]
    assert found[f"By addressee type: {indep}"][1:] == [
        ("Governments", _n(0, 0, 0, 0, 1, 0, 1)),
        ("Donors", _n(0, 0, 0, 0, 0, 0, 1)),
        ("Addressees not stated", _n(0, 0, 0, 0, 0, 0, 1)),
    ]
    # One closed cycle: said plainly, no change chart.
    assert "Only one review cycle has closed (<bdi>GSX 2026</bdi>)" in html
    assert "moves between statuses" not in html


def test_each_svg_is_well_formed_and_matches_its_table(world):
    html = Client().get(URL).content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 4
    found = tables(html)
    for markup in svgs:
        assert "style=" not in markup
        svg = ET.fromstring(markup)  # noqa: S314 (our own markup)
        ns = {"svg": "http://www.w3.org/2000/svg"}
        title = svg.find("svg:title", ns).text
        rows = found[title][1:]
        bars = [g for g in svg.findall("svg:g", ns) if g.get("class") != "chart__legend"]
        assert len(bars) == len(rows)
        for bar, (_label, cells) in zip(bars, rows, strict=True):
            drawn = {
                r.get("data-category"): int(r.get("data-count"))
                for r in bar.findall("svg:rect", ns)
            }
            assert sum(drawn.values()) == int(cells[-1])
            assert sorted(drawn.values()) == sorted(int(c) for c in cells[:-1] if c != "0")


def test_the_change_between_the_last_two_closed_cycles(world, reviewer):
    # Published after the earlier cycle closed: "not published yet" then.
    add_recommendation(reviewer, world["source"], "R-4", [world["safety"]])
    review_cycle_transition(cycle=world["cycle"], to=CycleState.CLOSED, by=reviewer)
    html = Client().get(URL).content.decode()
    found = tables(html)
    self_, indep = "Self-report by the addressee", "Independent assessment by civil society"
    assert found[f"{self_}: GSX 2026 and GSX 2027"][1:] == [
        ("GSX 2026", _n(1, 0, 0, 0, 0, 0, 2)),
        ("GSX 2027", _n(0, 1, 0, 0, 0, 0, 3)),
    ]
    assert found[f"{indep}: GSX 2026 and GSX 2027"][1:] == [
        ("GSX 2026", _n(0, 0, 0, 0, 0, 0, 3)),
        ("GSX 2027", _n(0, 0, 0, 0, 1, 0, 3)),
    ]
    moves = found[f"{self_}: GSX 2026 and GSX 2027: moves between statuses"]
    assert moves[0][0] == " | ".join(["Rows: GSX 2026; columns: GSX 2027", *HEAD[:-1]])
    assert moves[1:] == [
        ("Not started", ["0", "1", "0", "0", "0", "0", "0"]),
        ("No update yet", ["0", "0", "0", "0", "0", "0", "2"]),
        ("Not published yet", ["0", "0", "0", "0", "0", "0", "1"]),
    ]
    assert found[f"{indep}: GSX 2026 and GSX 2027: moves between statuses"][1:] == [
        ("No update yet", ["0", "0", "0", "0", "1", "0", "2"]),
        ("Not published yet", ["0", "0", "0", "0", "0", "0", "1"]),
    ]


def test_without_a_closed_cycle_it_says_so(db):
    html = Client().get(URL).content.decode()
    assert "No review cycle has closed yet" in html
    assert "No published recommendation yet." in html
    assert "<svg" not in html


@pytest.mark.parametrize("role", ROLES)
def test_every_reader_sees_the_same_numbers(role, request, world):
    html = client_for(role, request).get(URL).content.decode()
    assert tables(html) == tables(Client().get(URL).content.decode())


def test_the_page_is_mirrored_in_arabic(world):
    html = Client(headers={"accept-language": "ar"}).get(URL).content.decode()
    assert 'dir="rtl"' in html
    assert html.count('direction="rtl"') == 4


@pytest.mark.parametrize("n", [1, 6])
def test_the_dashboard_runs_a_constant_number_of_queries(
    n, reviewer, convening, django_assert_num_queries
):
    source = source_document_create(
        by=reviewer, title="S", kind="brief", published_on=date(2017, 1, 1)
    )
    themes = list(Theme.objects.order_by("slug")[:n])
    for i in range(n):
        add_recommendation(
            reviewer,
            source,
            f"Q-{i}",
            [_org(f"Ministry {i}")],
            themes=themes[: i + 1],
            addressee_types=["governments", "donors"][: 1 + i % 2],
        )
    for year in (2025, 2026):
        from recommendations.services import review_cycle_create

        cycle = review_cycle_create(
            by=reviewer,
            name=f"GSX {year}",
            convening=convening,
            opens_on=date(year, 1, 1),
            closes_on=date(year, 2, 1),
        )
        review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
        review_cycle_transition(cycle=cycle, to=CycleState.CLOSED, by=reviewer)
    client = Client()
    # Statuses by theme and the themes; by addressee type; the closed cycles; their counts;
    # the moves.
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.content.decode().count("<svg") == 6


def test_a_signed_in_page_is_not_kept_by_the_browser(world, outsider):
    response = signed_in(outsider).get(URL)
    assert response["Cache-Control"] == "no-store, private"


def _served(monkeypatch) -> list:
    served = []
    original = page_cache.StoredPage.response

    def response(self, request):
        served.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(page_cache.StoredPage, "response", response)
    return served


def _tables_read(queries) -> set[str]:
    return {
        table
        for q in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"?([a-z]+_[a-z_]+)"?', q["sql"])
    } - {page_cache.GENERATION_TABLE}


@pytest.mark.django_db(transaction=True)
def test_the_anonymous_page_comes_from_the_cache_until_a_change(
    redis_cache, migration_data, monkeypatch
):
    from recommendations.models import Recommendation, SourceDocument

    served = _served(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(URL).status_code == 200
    # Everything it read is followed by the cache's triggers.
    read = _tables_read(queries)
    assert read <= set(page_cache.TRACKED_TABLES), read - set(page_cache.TRACKED_TABLES)
    Client().get(URL)
    assert served == [URL]
    source = SourceDocument.objects.create(title="S", kind="brief", published_on=date(2020, 1, 1))
    Recommendation.objects.create(
        source=source, reference="N-1", title="T", text="X", published=True
    )
    assert "<svg" in Client().get(URL).content.decode()
    assert served == [URL]


@pytest.mark.django_db(transaction=True)
def test_the_cycles_anonymous_pages_come_from_the_cache_until_a_change(
    redis_cache, migration_data, monkeypatch, reviewer
):
    world = build_world(reviewer, make_convening(reviewer))
    served = _served(monkeypatch)
    paths = [
        reverse("recommendations:cycles"),
        reverse("recommendations:cycle", args=[world["cycle"].public_id]),
        reverse("recommendations:cycle", args=[world["earlier"].public_id]),
    ]
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(path).status_code == 200
        read = _tables_read(queries)
        assert read <= set(page_cache.TRACKED_TABLES), read - set(page_cache.TRACKED_TABLES)
        Client().get(path)
    assert served == paths
    # A new self-report changes the open cycle's counts: the stored pages end.
    r3 = world["recommendations"][2]
    safety = world["safety"]
    report(world["people"][safety.pk], r3, safety)
    html = Client().get(paths[1]).content.decode()
    assert served == paths
    # The safety ministry now lacks only r2 (its report there is hidden); ties by name.
    assert _gap_table(html) == [
        ("Ministry of Finance", "1", "1"),
        ("Ministry of Safety", "1", "3"),
        ("An organization not listed for you", "1", "1"),
    ]
