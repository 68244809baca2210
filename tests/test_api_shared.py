"""API answers shared between callers who read the same rows (gsx_portal.api_conditional,
organizations.selectors.reader_key), against the real Redis and PostgreSQL. These tests commit,
as those of the page cache: the generation moves when a transaction commits."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from gsx_portal import api_conditional
from organizations.models import (
    Membership,
    Organization,
    VisibilityTier,
)
from organizations.selectors import reader_key
from tests.conftest import (
    answered_before_the_stack,
    bearer,
    enrol_totp,
    joining_while_listing,
    signed_in,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

LIST = "/api/v1/organizations/"


def detail(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/"


@pytest.fixture
def served(monkeypatch):
    """The paths answered from a stored answer, in order: by the view, or before the stack
    (``api_conditional.edge_response``)."""
    hits = answered_before_the_stack(monkeypatch, api_conditional)
    original_answer = api_conditional.ConditionalReadMixin._answer

    def answer(self, request, fetch):
        fetched = []

        def counting_fetch():
            fetched.append(True)
            return fetch()

        response = original_answer(self, request, counting_fetch)
        if not fetched:
            hits.append(request.get_full_path())
        return response

    monkeypatch.setattr(api_conditional.ConditionalReadMixin, "_answer", answer)
    return hits


@pytest.fixture
def world(readers):
    return readers


def _names(response) -> set[str]:
    body = json.loads(response.content)
    rows = body.get("results", [body])
    return {row["name"] for row in rows}


def _statuses(response) -> dict[str, str | None]:
    return {row["name"]: row["vetting_status"] for row in json.loads(response.content)["results"]}


def test_a_callers_second_answer_comes_from_the_store_byte_for_byte(redis_cache, served, world):
    orgs, users = world
    client = bearer(users["plain"])
    for path in (LIST, detail(orgs[VisibilityTier.NETWORK])):
        first, second = client.get(path), client.get(path)
        assert (first.status_code, second.status_code) == (200, 200)
        assert first.content == second.content
        assert first["ETag"] == second["ETag"]
        assert first["Content-Type"] == second["Content-Type"] == "application/json"
        assert first["Vary"] == second["Vary"]
    assert served == [LIST, detail(orgs[VisibilityTier.NETWORK])]


def test_readers_with_one_key_share_and_each_gets_their_own_etag(redis_cache, served, world):
    _orgs, users = world
    first = bearer(users["plain"]).get(LIST)
    second = signed_in(users["other_plain"]).get(LIST)
    assert served == [LIST]
    assert first.content == second.content
    assert first["ETag"] != second["ETag"]  # an ETag is the caller's own
    # ... and the stored answer's validators are those a full answer would carry.
    again = bearer(users["plain"]).get(LIST, headers={"If-None-Match": second["ETag"]})
    assert again.status_code == 200
    mine = signed_in(users["other_plain"]).get(LIST, headers={"If-None-Match": second["ETag"]})
    assert mine.status_code == 304


def test_members_and_the_secretariat_never_share_with_others(redis_cache, served, world):
    orgs, users = world
    network = orgs[VisibilityTier.NETWORK].name
    plain = bearer(users["plain"]).get(LIST)
    admin = bearer(users["admin"]).get(LIST)
    secretariat = bearer(users["secretariat"]).get(LIST)
    assert served == []
    assert _statuses(plain)[network] is None
    assert _statuses(admin)[network] == "draft"  # their own organization's vetting
    assert "Forum Restricted" in _names(secretariat)
    assert "Forum Restricted" not in _names(plain) | _names(admin)
    # Each, asked again, gets their own answer back.
    assert _statuses(bearer(users["other_plain"]).get(LIST))[network] is None
    assert _statuses(bearer(users["admin"]).get(LIST))[network] == "draft"
    assert "Forum Restricted" in _names(bearer(users["secretariat"]).get(LIST))
    assert len(served) == 3


def test_the_reader_key_is_the_one_of_now(redis_cache, served, world):
    orgs, users = world
    client = bearer(users["plain"])
    restricted = detail(orgs[VisibilityTier.RESTRICTED])
    assert client.get(restricted).status_code == 404
    membership = Membership.objects.create(
        user=users["plain"], organization=orgs[VisibilityTier.RESTRICTED]
    )
    assert client.get(restricted).status_code == 200
    assert "Forum Restricted" in _names(client.get(LIST))
    membership.delete()
    assert client.get(restricted).status_code == 404
    assert "Forum Restricted" not in _names(client.get(LIST))
    users["plain"].groups.add(Group.objects.get(name="secretariat"))
    enrol_totp(users["plain"])
    assert "Forum Restricted" in _names(client.get(LIST))


def test_a_change_ends_the_stored_answers(redis_cache, served, world):
    orgs, users = world
    client = bearer(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    etag = client.get(path)["ETag"]
    client.get(LIST)
    Organization.objects.filter(pk=orgs[VisibilityTier.PUBLIC].pk).update(name="Forum Renamed")
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and _names(changed) == {"Forum Renamed"}
    assert "Forum Renamed" in _names(client.get(LIST))
    Organization.objects.filter(pk=orgs[VisibilityTier.PUBLIC].pk).update(
        visibility_tier=VisibilityTier.RESTRICTED
    )
    assert client.get(path).status_code == 404
    assert "Forum Renamed" not in _names(client.get(LIST))
    assert served == []


def test_anonymous_callers_share_only_among_themselves(redis_cache, served, world):
    _orgs, users = world
    bearer(users["plain"]).get(LIST)
    anonymous = Client().get(LIST)
    assert _names(anonymous) == {"Forum Public"}
    assert _names(Client().get(LIST)) == {"Forum Public"}
    assert served == [LIST]


def test_only_canonical_queries_are_stored(redis_cache, served, world):
    orgs, users = world
    client = bearer(users["plain"])
    for query in (
        "?sector=civil_society",
        "?country=YE&sector=civil_society",
        "?sector=civil_society&country=YE",  # not in canonical order
        "?sector=&country=YE",  # an empty parameter
        "?q=forum",
        "?bogus=1",
        "?page=last",
    ):
        for _ in range(2):
            assert client.get(LIST + query).status_code == 200
    path = detail(orgs[VisibilityTier.PUBLIC])
    for _ in range(2):
        client.get(path + "?x=1")
    assert served == [LIST + "?sector=civil_society", LIST + "?country=YE&sector=civil_society"]


def test_other_hosts_and_media_type_parameters_are_answered_in_full(redis_cache, served, world):
    orgs, users = world
    client = bearer(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    for _ in range(2):
        assert client.get(path, headers={"Accept": "application/json; indent=4"}).status_code == 200
        assert client.get(path, HTTP_HOST="testserver:8123").status_code == 200
    assert served == []


def test_a_membership_that_changes_during_a_request_is_not_shared(
    redis_cache, served, world, monkeypatch
):
    """The rows and the key come from one read of the caller's memberships: joining a
    restricted organization while a request runs shows it from the next request on, and never
    to the others of the key the request started with."""
    from organizations.api import directory as api_directory

    orgs, users = world
    restricted = orgs[VisibilityTier.RESTRICTED]
    with joining_while_listing(monkeypatch, api_directory, users["plain"], restricted):
        during = bearer(users["plain"]).get(LIST)
    assert "Forum Restricted" not in _names(during)
    assert "Forum Restricted" not in _names(bearer(users["other_plain"]).get(LIST))
    assert "Forum Restricted" in _names(bearer(users["plain"]).get(LIST))


def test_answers_are_kept_per_language_and_media_type(redis_cache, served, world):
    orgs, users = world
    client = bearer(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    english = client.get(path, headers={"Accept-Language": "en"})
    french = client.get(path, headers={"Accept-Language": "fr"})
    assert english["Content-Language"] == "en" and french["Content-Language"] == "fr"
    browsable = client.get(path, headers={"Accept": "text/html"})
    assert browsable["Content-Type"].startswith("text/html")
    assert served == []


def test_the_reader_key_says_what_decides_the_rows(world):
    orgs, users = world
    assert reader_key(users["plain"]) == reader_key(users["other_plain"]) == "member-of:"
    assert reader_key(users["admin"]) == f"member-of:{orgs[VisibilityTier.NETWORK].pk}"
    assert reader_key(users["secretariat"]) == "secretariat"
