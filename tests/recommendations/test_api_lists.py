"""The recommendations API's lists: their filters (the list page's FilterSet for
recommendations), bad values answered 400 naming the parameter, ``updated_since``, pages,
ETags and 304s, query counts constant for one row and many, and the schema."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Theme
from recommendations.models import AddresseeResponse, CycleState, ImplementationStatus, Perspective
from recommendations.services import (
    follow,
    implementation_update_add,
    recommendation_create,
    recommendation_publish,
    response_record,
    review_cycle_create,
    review_cycle_transition,
    source_document_create,
)
from tests.factories import MembershipFactory, OrganizationFactory
from tests.recommendations.api_world import API, REFERENCE, make_world


@pytest.fixture
def world(reviewer, outsider, cso_member, government_user, working_group):
    return make_world(
        secretariat=reviewer,
        outsider=outsider,
        cso_member=cso_member,
        government_user=government_user,
        working_group=working_group,
    )


def _get(client, path, **params):
    return client.get(f"{API}/{path}", params)


def _references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


# --- Filters --------------------------------------------------------------------------------------

BOTH = ["PVE-CP-2017/POL-2a", "PVE-CP-2017/POL-2b"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"theme": "community-policing"}, [REFERENCE]),
        ({"addressee_type": "security_sector"}, BOTH),
        ({"addressee_type": "governments"}, [REFERENCE]),
        ({"self_status": "in_progress"}, [REFERENCE]),
        ({"independent_status": "stalled"}, [REFERENCE]),
        ({"independent_status": "none"}, ["PVE-CP-2017/POL-2b"]),
        ({"cycle": "gsx-2027"}, [REFERENCE]),
        ({"country": "NG"}, [REFERENCE]),
        ({"country": "JO"}, []),
        ({"year": "2017"}, BOTH),
        ({"q": "women officers"}, BOTH),
        ({"q": "policing"}, BOTH),
        ({"q": "\x00policing"}, BOTH),  # NUL is dropped from the query string
        ({"ordering": "self_status"}, BOTH),
    ],
)
def test_recommendation_filters(world, params, expected):
    assert _references(_get(world.client("outsider"), "recommendations/", **params)) == expected


def test_recommendations_filter_by_organization_source_and_group(world):
    client = world.client("outsider")
    ministry = _get(client, "recommendations/", organization=str(world.ministry.public_id))
    assert _references(ministry) == [REFERENCE]
    source = _get(client, "recommendations/", source=str(world.source.public_id))
    assert _references(source) == BOTH
    assert _references(_get(client, "recommendations/", working_group=world.group.slug)) == BOTH
    # An organization the reader may not see, or a draft's source, is no choice at all.
    hidden = _get(client, "recommendations/", organization=str(world.at_risk.public_id))
    assert hidden.status_code == 400 and list(hidden.json()) == ["organization"]
    draft = _get(client, "recommendations/", source=str(world.draft_source.public_id))
    assert draft.status_code == 400 and list(draft.json()) == ["source"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("recommendations/", {"theme": "no-such-theme"}, "theme"),
        ("recommendations/", {"self_status": "finished"}, "self_status"),
        ("recommendations/", {"addressee_type": "aliens"}, "addressee_type"),
        ("recommendations/", {"source": "not-a-uuid"}, "source"),
        ("recommendations/", {"updated_since": "yesterday"}, "updated_since"),
        ("recommendations/", {"year": "99999999999999999999"}, "year"),
        ("recommendations/", {"cycle": "gsx-1999"}, "cycle"),
        ("recommendations/", {"ordering": "popularity"}, "ordering"),
        ("recommendations/", {"q": "x" * 201}, "q"),
        ("source-documents/", {"kind": "novel"}, "kind"),
        ("source-documents/", {"year": "0"}, "year"),
        ("source-documents/", {"working_group": "no-such-group"}, "working_group"),
        ("responses/", {"recommendation": "no spaces here"}, "recommendation"),
        ("responses/", {"organization": "not-a-uuid"}, "organization"),
        ("responses/", {"status": "maybe"}, "status"),
        ("implementation-updates/", {"perspective": "gossip"}, "perspective"),
        ("implementation-updates/", {"status": "done"}, "status"),
        ("implementation-updates/", {"cycle": "gsx-1999"}, "cycle"),
        ("implementation-updates/", {"reporting_organization": "1"}, "reporting_organization"),
        ("implementation-updates/", {"updated_since": "2026-13-01"}, "updated_since"),
        ("implementation-updates/", {"recommendation": "x" * 101}, "recommendation"),
        ("review-cycles/gsx-2027/snapshot/", {"perspective": "gossip"}, "perspective"),
    ],
)
def test_bad_filter_values_answer_400_naming_the_parameter(world, path, params, field):
    response = _get(world.client("outsider"), path, **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    "path",
    ["recommendations/", "source-documents/", "responses/", "implementation-updates/", "follows/"],
)
@pytest.mark.parametrize("page", ["99999999999999999999", "2", "-1", "abc"])
def test_pages_past_the_end_answer_404_never_500(world, path, page):
    response = _get(world.client("outsider"), path, page=page)
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_updates_filter_by_recommendation_side_status_cycle_and_organization(world):
    client = world.client("outsider")

    def summaries(**params):
        response = _get(client, "implementation-updates/", **params)
        assert response.status_code == 200, response.content
        return [row["summary"] for row in response.json()["results"]]

    both = ["No training seen in the provinces we work in.", "Training began in two provinces."]
    assert summaries(recommendation=REFERENCE) == both
    assert summaries(recommendation="PVE-CP-2017/POL-2b") == []
    assert summaries(perspective="self_report") == both[1:]
    assert summaries(status="stalled") == both[:1]
    assert summaries(cycle="gsx-2027") == both
    assert summaries(cycle=str(world.cycle.public_id)) == both
    assert summaries(reporting_organization=str(world.cso.public_id)) == both[:1]
    assert summaries(addressee=str(world.ministry.public_id)) == both


def test_updated_since_follows_responses_and_updates(world):
    later = datetime.now(tz=UTC) + timedelta(days=1)
    client = world.client("outsider")
    since = later.isoformat()
    assert _references(_get(client, "recommendations/", updated_since=since)) == []
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        row = AddresseeResponse.objects.get(
            recommendation=world.published, organization=world.ministry
        )
        response_record(response=row, by=world.people["government_user"], status="noted")
    assert _references(_get(client, "recommendations/", updated_since=since)) == [REFERENCE]
    responses = _get(client, "responses/", updated_since=since).json()["results"]
    assert [r["status"] for r in responses] == ["noted"]
    assert _get(client, "implementation-updates/", updated_since=since).json()["count"] == 0


# --- Conditional requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "recommendations/",
        f"recommendations/{REFERENCE}/",
        "source-documents/",
        "responses/",
        "implementation-updates/",
        "review-cycles/",
        "review-cycles/gsx-2027/",
    ],
)
def test_lists_and_details_answer_304_until_what_they_show_changes(world, path):
    client = world.client("outsider")
    first = _get(client, path)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = client.get(f"{API}/{path}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    row = AddresseeResponse.objects.get(recommendation=world.published, organization=world.ministry)
    response_record(response=row, by=world.people["government_user"], status="supported")
    implementation_update_add(
        by=world.people["government_user"],
        recommendation=world.published,
        perspective=Perspective.SELF_REPORT,
        reporting_organization=world.ministry,
        status=ImplementationStatus.IMPLEMENTED,
        summary="Done.",
    )
    secretariat = world.people["secretariat"]
    if path.startswith("review-cycles"):
        review_cycle_transition(cycle=world.cycle, to=CycleState.CLOSED, by=secretariat)
    if path.startswith("source-documents"):  # the draft's source is shown once it is published
        recommendation_publish(recommendation=world.draft, by=secretariat)
    changed = client.get(f"{API}/{path}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_etag_changes_when_an_organization_becomes_visible(world):
    path = f"recommendations/{REFERENCE}/"
    client = world.client("outsider")
    etag = _get(client, path)["ETag"]
    MembershipFactory(organization=world.at_risk, user=world.people["outsider"])
    changed = client.get(f"{API}/{path}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    names = {a["organization"]["name"] for a in changed.json()["addressees"]}
    assert "Quiet Shelter Network" in names


# --- Query counts ---------------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/{path}")
    assert response.status_code == 200, response.content
    return len(queries)


LISTS = (
    "recommendations/",
    "source-documents/",
    "responses/",
    "implementation-updates/",
    "review-cycles/",
    "review-cycles/gsx-2027/snapshot/",
    "follows/",
)


def _more_rows(world, n: int) -> None:
    secretariat = world.people["secretariat"]
    official = world.people["government_user"]
    theme = Theme.objects.get(slug="community-policing")
    for i in range(n):
        source = source_document_create(
            by=secretariat,
            title=f"Brief {i}",
            kind="brief",
            published_on=date(2018, 1, 1 + i),
            working_group=world.group,
            publishers=[OrganizationFactory(), world.at_risk],
        )
        recommendation = recommendation_create(
            by=secretariat,
            source=source,
            reference=f"PVE-X-{i}",
            title=f"Recommendation {i}",
            text="Text.",
            themes=[theme],
            addressed_organizations=[world.ministry, world.at_risk, OrganizationFactory()],
            published=True,
        )
        implementation_update_add(
            by=official,
            recommendation=recommendation,
            perspective=Perspective.SELF_REPORT,
            reporting_organization=world.ministry,
            status=ImplementationStatus.IN_PROGRESS,
            summary=f"Report {i}.",
        )
        for user in (secretariat, world.people["outsider"], official):
            follow(by=user, recommendation=recommendation)
        review_cycle_create(
            by=secretariat,
            name=f"GSX 2030-{i}",
            convening=world.convening,
            opens_on=date(2030, 1, 1),
            closes_on=date(2030, 2, i + 1),
        )


def _close(world):
    review_cycle_transition(cycle=world.cycle, to=CycleState.CLOSED, by=world.people["secretariat"])


@pytest.mark.parametrize("role", ["anonymous", "outsider", "secretariat"])
def test_each_list_runs_as_many_queries_for_one_row_as_for_many(world, role):
    client = world.client(role)
    lists = [path for path in LISTS if not (role == "anonymous" and path == "follows/")]
    follow(by=world.people["secretariat"], theme=Theme.objects.get(slug="community-policing"))
    follow(by=world.people["outsider"], theme=Theme.objects.get(slug="community-policing"))
    _close(world)
    for path in lists:
        _queries(client, path)  # the token's first use is recorded once
    few = {path: _queries(client, path) for path in lists}
    _more_rows(world, 5)
    # The snapshot of a closed cycle does not grow: read another one, closed with more rows.
    for path in lists:
        if path.endswith("snapshot/"):
            continue
        assert len(client.get(f"{API}/{path}").json()["results"]) >= 5, path
    assert {path: _queries(client, path) for path in lists if "snapshot" not in path} == {
        path: count for path, count in few.items() if "snapshot" not in path
    }


def test_the_snapshot_runs_as_many_queries_for_one_row_as_for_many(world):
    client = world.client("outsider")
    later = review_cycle_create(
        by=world.people["secretariat"],
        name="GSX 2028",
        convening=world.convening,
        opens_on=date(2028, 1, 1),
        closes_on=date(2028, 2, 1),
    )
    _close(world)
    _queries(client, "review-cycles/gsx-2027/snapshot/")
    few = _queries(client, "review-cycles/gsx-2027/snapshot/")
    _more_rows(world, 5)
    review_cycle_transition(cycle=later, to=CycleState.OPEN, by=world.people["secretariat"])
    review_cycle_transition(cycle=later, to=CycleState.CLOSED, by=world.people["secretariat"])
    assert client.get(f"{API}/review-cycles/gsx-2028/snapshot/").json()["count"] == 14
    assert _queries(client, "review-cycles/gsx-2028/snapshot/") == few


# --- Schema ---------------------------------------------------------------------------------------


def test_the_schema_describes_every_recommendations_route_and_filter():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    expected = {
        "/api/v1/source-documents/": ["get"],
        "/api/v1/source-documents/{public_id}/": ["get"],
        "/api/v1/recommendations/": ["get"],
        "/api/v1/recommendations/{key}/": ["get"],
        "/api/v1/responses/": ["get"],
        "/api/v1/responses/{public_id}/": ["get"],
        "/api/v1/responses/{public_id}/record/": ["post"],
        "/api/v1/implementation-updates/": ["get", "post"],
        "/api/v1/implementation-updates/{public_id}/": ["get"],
        "/api/v1/implementation-updates/{public_id}/hide/": ["post"],
        "/api/v1/review-cycles/": ["get"],
        "/api/v1/review-cycles/{key}/": ["get"],
        "/api/v1/review-cycles/{key}/open/": ["post"],
        "/api/v1/review-cycles/{key}/close/": ["post"],
        "/api/v1/review-cycles/{key}/snapshot/": ["get"],
        "/api/v1/follows/": ["get", "post"],
        "/api/v1/follows/{key}/": ["delete", "get"],
    }
    assert {path: sorted(paths[path]) for path in expected} == expected
    filters = {p["name"] for p in paths["/api/v1/recommendations/"]["get"]["parameters"]}
    assert filters >= {
        *("q", "theme", "addressee_type", "organization", "self_status", "independent_status"),
        *("source", "working_group", "cycle", "country", "region", "year", "updated_since"),
        *("ordering", "page"),
    }
    updates = {p["name"] for p in paths["/api/v1/implementation-updates/"]["get"]["parameters"]}
    assert updates == {
        *("recommendation", "perspective", "status", "cycle", "reporting_organization"),
        *("addressee", "updated_since", "page"),
    }
