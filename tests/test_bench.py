"""`make bench`: the runner's pure parts, and the hello-world view absent by default."""

import math

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from bench.report import (
    BEGIN,
    END,
    Row,
    WrkResult,
    parse_duration_ms,
    parse_wrk,
    render_table,
    replace_section,
)
from gsx_portal.bench import QueryCountMiddleware, hello, with_bare_hello

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:40000/organizations/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    61.20ms   12.01ms 140.33ms   80.12%
    Req/Sec    32.50      8.11    50.00     70.00%
  Latency Distribution
     50%   59.80ms
     75%   66.10ms
     90%   75.00ms
     99%  120.50ms
  195 requests in 3.01s, 8.50MB read
  Non-2xx or 3xx responses: 2
Requests/sec:     64.78
Transfer/sec:      2.82MB
"""


def test_parse_wrk_reads_the_script_percentiles_and_errors():
    output = WRK_OUTPUT + "GSX-LATENCY-US 59800 98250 120500\nGSX-ERRORS 2 1\n"
    assert parse_wrk(output) == WrkResult(64.78, 59.8, 98.25, 120.5, 3, 195)


def test_parse_wrk_without_the_script_has_no_p95():
    result = parse_wrk(WRK_OUTPUT)
    assert (result.p50_ms, result.p99_ms, result.failed, result.requests) == (59.8, 120.5, 2, 195)
    assert math.isnan(result.p95_ms)


def test_parse_wrk_rejects_output_without_latency_distribution():
    with pytest.raises(ValueError, match="latency distribution"):
        parse_wrk("  10 requests in 1.00s, 1KB read\nRequests/sec: 10.00\n")


@pytest.mark.parametrize(
    ("text", "ms"), [("812.00us", 0.812), ("1.50ms", 1.5), ("2.00s", 2000.0), ("1.00m", 60000.0)]
)
def test_parse_duration_ms_converts_wrk_units(text, ms):
    assert parse_duration_ms(text) == pytest.approx(ms)


def _row(**changes):
    values = {
        "page": "home",
        "path": "/",
        "result": WrkResult(50.0, 20.0, 30.0, 40.0, 0, 500),
        "hello_rps": 200.0,
        "cpu_ms": 12.345,
        "queries": 3,
        "body_bytes": 4096,
        "compressed": True,
    }
    return Row(**{**values, **changes})


def test_render_table_gives_ratio_to_hello_and_context():
    table = render_table(
        [_row(), _row(page="API list", path="/api/", queries=None, cpu_ms=None, compressed=False)],
        machine="box (2 cores)",
        date="2026-11-25 18:00 UTC",
        commit="abc1234",
        settings="3 organizations",
    )
    lines = table.splitlines()
    assert lines[0] == (
        "Measured 2026-11-25 18:00 UTC on box (2 cores), commit `abc1234`; 3 organizations."
    )
    assert lines[4] == "| home (`/`) | 50.0 | 0.250 | 12.35 | 20.0 | 30.0 | 40.0 | 3 | 4096 | 0 |"
    assert lines[5] == (
        "| API list (`/api/`) | 50.0 | 0.250 | n/a | 20.0 | 30.0 | 40.0 | n/a "
        "| 4096 (not compressed) | 0 |"
    )


def test_replace_section_replaces_only_the_marked_part():
    document = f"# Performance\n\nintro\n\n{BEGIN}\nold table\n{END}\n\n## After\n"
    assert replace_section(document, "new table\n") == (
        f"# Performance\n\nintro\n\n{BEGIN}\nnew table\n{END}\n\n## After\n"
    )


def test_replace_section_appends_when_markers_are_missing():
    assert replace_section("# Performance\n", "t\n") == f"# Performance\n\n{BEGIN}\nt\n{END}\n"


@pytest.mark.django_db
def test_hello_world_is_absent_by_default(client):
    assert settings.BENCH is False
    assert client.get("/bench/hello/").status_code == 404
    assert "gsx_portal.bench.QueryCountMiddleware" not in settings.MIDDLEWARE


def test_hello_world_view_says_hello():
    response = hello(RequestFactory().get("/bench/hello/"))
    assert (response.status_code, response.content) == (200, b"hello")


@pytest.mark.django_db
def test_query_count_middleware_counts_the_requests_queries():
    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
        return HttpResponse("ok")

    response = QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"


# What bench/prepare.py passes for the recommendations' pages.
RECOMMENDATION_DATA = {
    "recommendation": "7e3a0000-0000-4000-8000-000000000000",
    "theme": "community-policing",
    "recommendation_words": {"en": "policing", "fr": "médiatrices", "ar": "الوسيطات"},
}


def test_bench_pages_selects_by_words_and_searches_run_with_one_client():
    from bench.run import is_search, pages, selected

    data = {
        "session_cookie": "sessionid=x",
        "token": "t",
        "sector": "civil_society",
        "country": "NE",
        "slug": "s",
        "public_id": "p",
        "meeting": "m",
        "year": 2027,
        **RECOMMENDATION_DATA,
    }
    every = pages(data)
    assert selected(every, "") == every
    chosen = [page for page, _path, _headers in selected(every, "search, API detail")]
    assert chosen == ["API detail (token)"] + [p for p, _, _ in every if p.startswith("search")]
    assert all(is_search(page) for page in chosen[1:]) and not is_search(chosen[0])


def test_the_bench_server_lifts_the_api_throttle_that_production_keeps(monkeypatch):
    from bench.run import server_env
    from gsx_portal.env import env_rate

    env = server_env("postgres://postgres@127.0.0.1:5432/gsx_bench", 8123)
    # Hundreds of requests a second for seconds on end, from one token and one address.
    assert env["API_THROTTLE_RATE"] == env["API_ANON_THROTTLE_RATE"] == "1000000/s"
    for name in ("API_THROTTLE_RATE", "API_ANON_THROTTLE_RATE"):
        monkeypatch.setenv(name, env[name])
        assert env_rate(name, "1/min") == "1000000/s"
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "client": "600/min",
        "anonymous": "120/min",
    }


urlpatterns = [path("bench/hello/", hello)]


@pytest.mark.django_db
def test_hello_world_is_served_without_middleware(settings):
    """DESIGN.md §7's yardstick: one view, no middleware; every other path goes to the portal."""
    settings.ROOT_URLCONF = __name__
    passed = []

    def portal(environ, start_response):
        passed.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"portal"]

    application = with_bare_hello(portal)
    answers = {}

    def start_response(status, headers, exc_info=None):
        answers["status"], answers["headers"] = status, dict(headers)

    environ = RequestFactory().get("/bench/hello/").environ
    body = b"".join(application(environ, start_response))
    assert (answers["status"], body) == ("200 OK", b"hello")
    # No middleware ran: none of the headers the portal's stack adds to every answer.
    for header in ("X-Frame-Options", "Content-Security-Policy", "Vary", "Cache-Control"):
        assert header not in answers["headers"], header
    assert passed == []
    b"".join(application(RequestFactory().get("/organizations/").environ, start_response))
    assert passed == ["/organizations/"]


def test_bench_measures_the_dialogues_pages():
    from bench.run import pages

    data = {
        "session_cookie": "sessionid=x",
        "token": "t",
        "sector": "civil_society",
        "country": "NE",
        "slug": "s",
        "public_id": "p",
        "meeting": "0b5d4b00-0000-4000-8000-000000000000",
        "year": 2027,
        **RECOMMENDATION_DATA,
    }
    measured = {page: (path, headers) for page, path, headers in pages(data)}
    meeting = "/meetings/0b5d4b00-0000-4000-8000-000000000000/"
    assert measured["meeting page, anonymous"] == (meeting, {})
    assert measured["meeting page, signed in"] == (meeting, {"Cookie": "sessionid=x"})
    assert measured["timeline, anonymous"] == ("/timeline/2027/", {})
    assert measured["timeline, signed in"] == ("/timeline/2027/", {"Cookie": "sessionid=x"})
    assert measured["meetings list, anonymous"] == ("/meetings/", {})
    assert measured["meetings list, signed in"] == ("/meetings/", {"Cookie": "sessionid=x"})
    path, headers = measured["API meetings list (token)"]
    assert (path, headers["Authorization"]) == ("/api/v1/meetings/", "Bearer t")


def test_pages_without_a_route_are_named_not_measured():
    from bench.run import without_missing_routes

    chosen = [
        ("meetings list, anonymous", "/meetings/", {}),
        ("timeline, anonymous", "/timeline/2027/", {}),
        ("API meetings list (token)", "/api/v1/meetings/?page=2", {"Authorization": "x"}),
    ]
    kept, skipped = without_missing_routes(chosen, ["/meetings/", "/api/v1/meetings/"])
    assert kept == [("timeline, anonymous", "/timeline/2027/", {})]
    assert skipped == [
        ("meetings list, anonymous", "/meetings/"),
        ("API meetings list (token)", "/api/v1/meetings/?page=2"),
    ]
    table = render_table(
        [_row()], machine="box", date="d", commit="c", settings="s", skipped=skipped[:1]
    )
    assert table.splitlines()[-1] == (
        "Not measured, no such route in this commit: meetings list, anonymous (`/meetings/`)."
    )
    assert "Not measured" not in render_table(
        [_row()], machine="b", date="d", commit="c", settings="s"
    )


def test_prepare_finds_which_routes_are_missing():
    from bench.prepare import missing_routes

    assert missing_routes(("/timeline/2027/", "/meetings/mine/", "/no/such/route/")) == [
        "/no/such/route/"
    ]


@pytest.mark.django_db
def test_prepare_picks_a_public_event_that_has_begun(enrolled_reviewer):
    from datetime import UTC, datetime, timedelta

    from bench.prepare import pick_meeting
    from dialogues.models import MeetingKind, MeetingStatus
    from tests.dialogues.conftest import new_meeting

    now = datetime.now(UTC)
    begun = new_meeting(
        enrolled_reviewer, status=MeetingStatus.PLANNED, starts_at=now - timedelta(days=3)
    )
    new_meeting(enrolled_reviewer, status=MeetingStatus.PLANNED, starts_at=now + timedelta(days=3))
    new_meeting(enrolled_reviewer, starts_at=now - timedelta(days=1))  # a draft
    new_meeting(
        enrolled_reviewer,
        status=MeetingStatus.PLANNED,
        kind=MeetingKind.WORKSHOP,  # not public
        starts_at=now - timedelta(days=1),
    )
    assert pick_meeting() == begun


def test_bench_measures_the_recommendations_pages():
    from bench.run import is_search, pages

    data = {
        "session_cookie": "sessionid=x",
        "token": "t",
        "sector": "civil_society",
        "country": "NE",
        "slug": "s",
        "public_id": "p",
        "meeting": "m",
        "year": 2027,
        **RECOMMENDATION_DATA,
    }
    measured = {page: (path, headers) for page, path, headers in pages(data)}
    # In the list's canonical order (names sorted): any other order would measure a redirect.
    faceted = "/recommendations/?addressee_type=governments&theme=community-policing"
    assert measured["recommendations, two facets, anonymous"] == (faceted, {})
    assert measured["recommendations, two facets, signed in"] == (
        faceted,
        {"Cookie": "sessionid=x"},
    )
    searches = [
        path for page, (path, _h) in measured.items() if page.startswith("search recommendations")
    ]
    assert searches == [
        "/recommendations/?q=policing",
        "/recommendations/?q=m%C3%A9diatrices",
        "/recommendations/?q=%D8%A7%D9%84%D9%88%D8%B3%D9%8A%D8%B7%D8%A7%D8%AA",
    ]
    assert all(is_search(page) for page in measured if page.startswith("search recommendations"))
    assert measured["recommendation detail, anonymous"] == (
        "/recommendations/7e3a0000-0000-4000-8000-000000000000/",
        {},
    )
    assert measured["recommendations dashboard, anonymous"] == ("/recommendations/dashboard/", {})
    path, headers = measured["API recommendations list (token)"]
    assert (path, headers["Authorization"]) == ("/api/v1/recommendations/", "Bearer t")


@pytest.mark.django_db
def test_prepare_picks_a_published_recommendation_for_governments_and_its_theme():
    from bench.data import generate
    from bench.prepare import pick_recommendation
    from bench.words import SEARCHED
    from recommendations.models import Recommendation

    generate(orgs=40, seed=2, meetings=20, participations=50, recommendations=200, updates=60)
    recommendation, theme = pick_recommendation()
    assert recommendation.published and "governments" in recommendation.addressee_types
    assert theme in set(recommendation.themes.values_list("slug", flat=True))
    # The list with both facets has what it filters for; the searched words are in the texts.
    faceted = Recommendation.objects.filter(
        published=True, themes__slug=theme, addressee_types__contains=["governments"]
    )
    assert recommendation in faceted
    for word in SEARCHED.values():
        assert Recommendation.objects.filter(text__contains=word).exists(), word
