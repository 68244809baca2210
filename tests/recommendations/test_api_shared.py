"""The recommendations API's answers shared between the callers of one audience
(``recommendations.api.common.SharedWithAnonymousMixin``: anonymous clients; members who see
what any member sees), against the real Redis and PostgreSQL: given from the stored answer
without reading the tables again, never across audiences, and ended by a committed change.
These tests commit, as those of the page cache."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gsx_portal import page_cache
from recommendations.models import AddresseeResponse
from recommendations.selectors import recommendations_audience
from recommendations.services import recommendation_publish, response_record
from tests.recommendations.api_world import API, REFERENCE, make_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture
def world(migration_data, reviewer, outsider, cso_member, government_user, working_group):
    return make_world(
        secretariat=reviewer,
        outsider=outsider,
        cso_member=cso_member,
        government_user=government_user,
        working_group=working_group,
    )


def _reads(client, path, table: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/{path}", headers={"Accept": "application/json", **headers})
    return response, any(f'"{table}"' in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("recommendations/", "recommendations_recommendation"),
        (f"recommendations/{REFERENCE}/", "recommendations_recommendation"),
        ("source-documents/", "recommendations_sourcedocument"),
        ("responses/", "recommendations_addresseeresponse"),
        ("implementation-updates/", "recommendations_implementationupdate"),
        ("review-cycles/", "recommendations_reviewcycle"),
    ],
)
def test_anonymous_answers_are_shared_until_a_committed_change(redis_cache, world, path, table):
    first, read = _reads(Client(), path, table)
    assert first.status_code == 200 and read
    second, read_again = _reads(Client(), path, table)
    assert not read_again
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert _reads(Client(), path, table, **{"If-None-Match": first["ETag"]})[0].status_code == 304
    # A filtered list, or a signed-in caller (another audience), is answered in full.
    assert _reads(Client(), f"{path}?updated_since=2000-01-01T00:00:00Z", table)[1]
    assert _reads(world.client("outsider"), path, table)[1]
    row = AddresseeResponse.objects.get(recommendation=world.published, organization=world.ministry)
    response_record(response=row, by=world.people["government_user"], status="supported")
    recommendation_publish(recommendation=world.draft, by=world.people["secretariat"])
    changed, read_after = _reads(Client(), path, table)
    assert read_after
    assert changed.status_code == 200


def test_members_share_answers_the_secretariat_and_the_restricted_never(redis_cache, world):
    """Signed-in callers who see what any member sees share one answer (their token or
    session aside); the secretariat (drafts) and a member of the organization at risk (its
    name) are answered for themselves, in both directions."""
    path, table = "recommendations/", "recommendations_recommendation"
    assert recommendations_audience(world.people["outsider"]) == "network"
    assert recommendations_audience(world.people["cso_member"]) == "network"
    first, read = _reads(world.client("outsider"), path, table)
    second, read_again = _reads(world.client("cso_member"), path, table)
    assert read and not read_again
    assert second.content == first.content
    assert "PVE-ED-2026/PRG-1" not in first.content.decode()
    own, read_own = _reads(world.client("secretariat"), path, table)
    assert read_own and "PVE-ED-2026/PRG-1" in own.content.decode()
    assert recommendations_audience(world.people["at_risk_member"]) is None
    assert _reads(world.client("at_risk_member"), path, table)[1]  # answered for them
    again, _ = _reads(world.client("outsider"), path, table)
    assert "PVE-ED-2026/PRG-1" not in again.content.decode()


def test_a_shared_list_never_shows_a_draft_or_a_hidden_update(redis_cache, world):
    Client().get(f"{API}/recommendations/", headers={"Accept": "application/json"})
    Client().get(f"{API}/implementation-updates/", headers={"Accept": "application/json"})
    secretariat = world.client("secretariat")
    own = secretariat.get(f"{API}/recommendations/").json()["results"]
    assert "PVE-ED-2026/PRG-1" in [row["reference"] for row in own]
    anonymous = Client().get(f"{API}/recommendations/").json()["results"]
    assert [row["reference"] for row in anonymous] == [REFERENCE, "PVE-CP-2017/POL-2b"]
    updates = Client().get(f"{API}/implementation-updates/").json()["results"]
    assert len(updates) == 2 and all(row["hidden"] is None for row in updates)


TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z_]+)"')
# Read by every request besides its answer: the page cache's generation.
NOT_ANSWER = {page_cache.GENERATION_TABLE}


def test_the_shared_answers_read_only_tracked_tables(world, settings):
    settings.PAGE_CACHE_SECONDS = 0  # answer in full, to see every query
    paths = [
        "recommendations/",
        f"recommendations/{REFERENCE}/",
        "source-documents/",
        f"source-documents/{world.source.public_id}/",
        "responses/",
        "implementation-updates/",
        "review-cycles/",
        "review-cycles/gsx-2027/",
    ]
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(f"{API}/{path}").status_code == 200, path
        read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
        assert any(table.startswith("recommendations_") for table in read), (path, read)
        untracked = read - set(page_cache.TRACKED_TABLES) - NOT_ANSWER
        assert not untracked, (path, untracked)
