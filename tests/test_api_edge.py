"""Shared API answers given before the middleware stack (gsx_portal.api_conditional.edge_response,
called by CachedPageMiddleware): the same answer, header for header, as the stack gives, and
only to a caller the stack would give it to now, against the real Redis and PostgreSQL
(committing tests, as those of the page cache)."""

import gzip
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gsx_portal import api_conditional
from gsx_portal.cache import take
from organizations.models import ApiToken, Organization, VisibilityTier
from organizations.services import api_token_create, api_token_revoke
from tests.conftest import answered_before_the_stack, enrol_totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

LIST = "/api/v1/organizations/"
# Headers whose values differ between any two answers, or that only the stack's 200 carries.
PER_RESPONSE = {"date"}


@pytest.fixture
def edge(monkeypatch):
    """The paths answered before the stack, in order."""
    return answered_before_the_stack(monkeypatch, api_conditional)


@pytest.fixture
def world(readers):
    return readers


def detail(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/"


def token_client(user, **headers) -> tuple[Client, ApiToken]:
    token, secret = api_token_create(user=user, name="edge", can_write=False)
    return Client(headers={"Authorization": f"Bearer {secret}", **headers}), token


def _without(headers: dict, names: set) -> dict:
    return {name: value for name, value in headers.items() if name not in names}


def _headers(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in PER_RESPONSE}


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_the_edge_answers_as_the_stack_does(redis_cache, edge, world, encoding):
    orgs, users = world
    client, _ = token_client(users["plain"], **{"Accept-Encoding": encoding})
    for path in (detail(orgs[VisibilityTier.NETWORK]), LIST):
        stack = client.get(path)
        answered = client.get(path)
        assert edge[-1] == path
        assert (stack.status_code, answered.status_code) == (200, 200)
        if encoding == "gzip":
            # Compressed once when stored, where the stack pads each compression with random
            # bytes against BREACH, which needs a secret the browser sends by itself (a token
            # is not; the edge never answers a session): the same body, not the same bytes.
            assert answered["Content-Encoding"] == stack["Content-Encoding"] == "gzip"
            assert answered["ETag"].startswith('W/"')
            assert gzip.decompress(answered.content) == gzip.decompress(stack.content)
            assert int(answered["Content-Length"]) == len(answered.content)
            skip = {"content-length"}
        else:
            assert answered.content == stack.content
            skip = set()
        assert _without(_headers(answered), skip) == _without(_headers(stack), skip)
        # A 304 to the client that has it, with the same validators.
        again = client.get(path, headers={"If-None-Match": answered["ETag"]})
        # (Uncompressed, so strong, as the stack's 304.)
        assert again.status_code == 304
        assert again["ETag"] == answered["ETag"].removeprefix("W/")
        assert edge[-1] == path
    assert len(edge) == 4


def test_the_edge_reads_the_token_with_its_roles_and_the_generation_in_one_query(
    redis_cache, edge, world
):
    orgs, users = world
    client, _ = token_client(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    assert edge == [path]
    assert len(queries.captured_queries) == 1
    assert "organizations_apitoken" in queries.captured_queries[0]["sql"]


def test_a_revoked_token_is_refused_not_answered(redis_cache, edge, world):
    orgs, users = world
    client, token = token_client(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    client.get(path), client.get(path)
    assert edge == [path]
    api_token_revoke(token=token)
    assert client.get(path).status_code == 401
    assert edge == [path]


def test_an_account_deactivated_since_is_refused(redis_cache, edge, world):
    orgs, users = world
    client, _ = token_client(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    client.get(path), client.get(path)
    type(users["plain"]).objects.filter(pk=users["plain"].pk).update(is_active=False)
    assert client.get(path).status_code == 401
    assert edge == [path]


def test_a_caller_who_became_privileged_must_enrol_first(redis_cache, edge, world):
    orgs, users = world
    client, _ = token_client(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    client.get(path), client.get(path)
    users["plain"].groups.add(Group.objects.get(name="secretariat"))
    refused = client.get(path)
    assert refused.status_code == 403
    assert edge == [path]
    enrol_totp(users["plain"])
    assert client.get(path).status_code == 200


def test_a_member_who_left_is_answered_as_who_they_are_now(redis_cache, edge, world):
    orgs, users = world
    member = users["restricted_member"]
    client, _ = token_client(member)
    path = detail(orgs[VisibilityTier.RESTRICTED])
    client.get(path), client.get(path)
    assert edge == [path]
    member.memberships.all().delete()
    gone = client.get(path)
    assert gone.status_code == 404
    assert Organization.objects.filter(pk=orgs[VisibilityTier.RESTRICTED].pk).exists()


def test_a_token_whose_use_is_due_goes_through_the_stack_which_records_it(redis_cache, edge, world):
    orgs, users = world
    client, token = token_client(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    client.get(path), client.get(path)
    assert edge == [path]
    long_ago = timezone.now() - timedelta(hours=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    assert client.get(path).status_code == 200
    assert edge == [path]
    token.refresh_from_db()
    assert token.last_used_at > long_ago
    client.get(path)
    assert edge == [path, path]


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Match": '"nope"'},
        {"Accept": "application/json; indent=4"},
        {"Accept": "text/html"},
    ],
)
def test_what_the_stack_answers_otherwise_goes_through_it(redis_cache, edge, world, headers):
    orgs, users = world
    client, _ = token_client(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    client.get(path)
    client.get(path, headers=headers)
    assert edge == []


def test_a_session_is_never_answered_before_the_stack(redis_cache, edge, world):
    from tests.conftest import signed_in

    orgs, users = world
    path = detail(orgs[VisibilityTier.PUBLIC])
    session = signed_in(users["plain"])
    session.get(path), session.get(path)
    assert edge == []


def test_anonymous_callers_are_answered_too(redis_cache, edge, world):
    orgs, _ = world
    path = detail(orgs[VisibilityTier.PUBLIC])
    first, second = Client().get(path), Client().get(path)
    assert edge == [path]
    assert _headers(first) == _headers(second) and first.content == second.content
    assert "no-store" not in second["Cache-Control"]
    # A restricted profile is never stored for them, so never answered.
    assert Client().get(detail(orgs[VisibilityTier.RESTRICTED])).status_code == 404
    assert Client().get(detail(orgs[VisibilityTier.RESTRICTED])).status_code == 404
    assert edge == [path]


def test_each_request_is_counted_once_wherever_it_is_answered(
    redis_cache, edge, world, monkeypatch
):
    from gsx_portal.api_auth import ClientRateThrottle

    monkeypatch.setattr(ClientRateThrottle, "rate", "3/hour", raising=False)
    orgs, users = world
    client, _ = token_client(users["plain"])
    path = detail(orgs[VisibilityTier.PUBLIC])
    statuses = [client.get(path).status_code for _ in range(2)]
    # Counted before the stack, then the answer lapsed: the stack does not count it again.
    Organization.objects.filter(pk=orgs[VisibilityTier.PUBLIC].pk).update(name="Renamed")
    statuses.append(client.get(path).status_code)
    refused = client.get(path)
    assert statuses == [200, 200, 200]
    assert edge == [path]
    # Refused before the stack: the stack answers the 429, with the same wait.
    assert refused.status_code == 429 and 1190 <= int(refused["Retry-After"]) <= 1200


def test_the_bucket_lets_exactly_its_size_through_at_once(redis_cache):
    """Eight threads at once for a bucket of five: five pass, in Redis's one script."""
    key = f"bucket-test:{redis_cache}"
    waits = []
    start = threading.Barrier(8)

    def one():
        start.wait()
        waits.append(cache.take_from_bucket(key, interval=60.0, period=300.0, now=1000.0))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(wait is None for wait in waits) == 5
    assert sorted(w for w in waits if w is not None) == [60.0, 60.0, 60.0]
    # One place again after the interval, not before.
    assert cache.take_from_bucket(key, interval=60.0, period=300.0, now=1059.0) == 1.0
    assert cache.take_from_bucket(key, interval=60.0, period=300.0, now=1060.0) is None


def test_the_per_process_bucket_counts_alike():
    from django.core.cache.backends.locmem import LocMemCache

    local = LocMemCache("bucket-test", {})
    passed = [take(local, "k", interval=10.0, period=30.0, now=100.0) for _ in range(4)]
    assert passed == [None, None, None, 10.0]
    assert take(local, "k", interval=10.0, period=30.0, now=110.0) is None


def test_a_compressible_answer_varies_on_accept_encoding_whatever_was_recorded(
    redis_cache, edge, world
):
    """The headers recorded from a short answer (sent uncompressed, without Vary:
    Accept-Encoding) must not strip it from a longer one the edge compresses."""
    _orgs, users = world
    client, _ = token_client(users["plain"], **{"Accept-Encoding": "gzip"})
    client.get(LIST)  # stored
    client.get(LIST + "?country=AQ")  # no rows: the list view's last full answer is short
    answered = client.get(LIST)
    assert edge[-1] == LIST
    assert answered["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answered["Vary"]


def test_the_anonymous_throttle_counts_per_address_not_per_forwarded_header(
    redis_cache, world, monkeypatch
):
    from gsx_portal.api_auth import AnonymousRateThrottle

    monkeypatch.setattr(AnonymousRateThrottle, "rate", "3/hour", raising=False)
    statuses = [
        Client(headers={"X-Forwarded-For": f"10.0.0.{i}"}).get(LIST).status_code for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
