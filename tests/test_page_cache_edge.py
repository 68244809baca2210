"""Hits of the anonymous page cache answered before the middleware stack
(gsx_portal.middleware.CachedPageMiddleware, page_cache.edge_response): the same answer, header
for header, as the whole stack gives, against the real Redis and PostgreSQL (committing tests)."""

import gzip
import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gsx_portal import page_cache
from organizations.models import Organization, VisibilityTier
from tests.conftest import answered_before_the_stack
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')
PATHS = ["/", "/organizations/", "/organizations/?sector=civil_society", "/organizations/harbour/"]
CSRF_COOKIE = "a" * 32


@pytest.fixture
def edge(monkeypatch):
    """The paths answered before the stack, in order."""
    return answered_before_the_stack(monkeypatch, page_cache)


@pytest.fixture(autouse=True)
def harbour(db):
    return OrganizationFactory(
        name="Harbour Dialogue", slug="harbour", visibility_tier=VisibilityTier.PUBLIC
    )


def _client(variant: str) -> Client:
    client = Client(
        headers={
            "gzip": {"Accept-Encoding": "gzip"},
            "french": {"Accept-Language": "fr"},
        }.get(variant, {})
    )
    if variant == "arabic-cookie":
        client.cookies["django_language"] = "ar"
    if variant == "csrf-cookie":
        client.cookies["csrftoken"] = CSRF_COOKIE
    if variant == "bad-csrf-cookie":
        client.cookies["csrftoken"] = "not a token!"
    return client


def _body(response) -> bytes:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return TOKEN.sub(b"TOKEN", body)


def _headers(response) -> dict:
    headers = dict(response.headers)
    if headers.get("Content-Encoding") == "gzip":
        # Each gzip header carries a file name of random length (Heal the BREACH).
        headers.pop("Content-Length")
    return headers


def _cookies(response) -> dict:
    return {
        # "expires" is the time of the answer plus max-age, which is compared.
        name: {key: value for key, value in morsel.items() if value and key != "expires"}
        for name, morsel in response.cookies.items()
    }


def _answer(client, path, secure):
    return client.get(path, secure=secure)


VARIANTS = ["plain", "gzip", "french", "arabic-cookie", "csrf-cookie", "bad-csrf-cookie"]


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_hit_before_the_stack_is_the_stacks_answer(
    redis_cache, edge, monkeypatch, variant, secure
):
    for path in PATHS:
        _answer(_client(variant), path, secure)  # rendered, stored, headers recorded
        fast = _answer(_client(variant), path, secure)
        assert edge == [path], (path, edge)
        edge.clear()
        with monkeypatch.context() as stack_only:
            stack_only.setattr(page_cache, "edge_response", lambda request: None)
            full = _answer(_client(variant), path, secure)
        assert fast.status_code == full.status_code == 200
        assert _headers(fast) == _headers(full), path
        assert _cookies(fast) == _cookies(full), path
        assert _body(fast) == _body(full), path
        # The visitor's own secret is kept (and its cookie renewed); a bad one is replaced.
        kept = fast.cookies["csrftoken"].value == CSRF_COOKIE
        assert kept == (variant == "csrf-cookie")


def test_a_hit_before_the_stack_reads_only_the_generation(redis_cache, edge):
    Client().get("/organizations/")
    with CaptureQueriesContext(connection) as queries:
        Client().get("/organizations/")
    assert edge == ["/organizations/"]
    # (A prepared statement, logged with its parameters.)
    assert [q["sql"] for q in queries.captured_queries] == [
        f"QUERY = '{page_cache.GENERATION_SQL}' - PARAMS = ()"
    ]


def test_a_change_ends_hits_before_the_stack_too(redis_cache, edge, harbour):
    Client().get("/organizations/harbour/")
    Organization.objects.filter(pk=harbour.pk).update(visibility_tier=VisibilityTier.RESTRICTED)
    assert Client().get("/organizations/harbour/").status_code == 404
    assert edge == []


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"headers": {"Authorization": "Bearer gsx_x"}},
        {"headers": {"Cookie": "sessionid=abc"}},
        {"headers": {"Cookie": "messages=abc"}},
        {"path": "/organizations/?q=harbour"},
        {"path": "/organizations/?bogus=1"},
        {"path": "/organizations/?sector=civil%00society"},
        {"headers": {"Host": "elsewhere.example"}},
        {"method": "head"},
    ],
)
def test_requests_the_stack_may_treat_otherwise_go_through_it(redis_cache, edge, request_kwargs):
    path = request_kwargs.get("path", "/organizations/")
    Client().get(path.split("?")[0])
    Client().get(path.split("?")[0])
    edge.clear()
    client = Client(headers=request_kwargs.get("headers", {}))
    getattr(client, request_kwargs.get("method", "get"))(path)
    assert edge == []


def test_the_home_page_is_kept_in_process_until_it_lapses(redis_cache, edge, monkeypatch, settings):
    """It shows no data: once read, a process asks the cache for it no more until it lapses."""
    import time_machine

    reads = []
    real = page_cache.cache

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def get(self, key, *args, **kwargs):
            reads.append(key)
            return real.get(key, *args, **kwargs)

    Client().get("/")  # rendered and stored by the stack, which records its headers
    monkeypatch.setattr(page_cache, "cache", Counting())
    first, again, third = Client().get("/"), Client().get("/"), Client().get("/")
    assert edge == ["/", "/", "/"]
    assert len(reads) == 1
    assert _body(first) == _body(again) == _body(third)
    with time_machine.travel(time.time() + settings.PAGE_CACHE_SECONDS + 5, tick=False):
        reads.clear()
        Client().get("/")
        assert reads  # lapsed: asked again


def test_headers_recorded_for_one_host_or_scheme_serve_no_other(redis_cache, edge, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    Client().get("/organizations/")
    Client().get("/organizations/", HTTP_HOST="localhost")  # through the stack: records its own
    Client().get("/organizations/", secure=True)  # likewise
    assert edge == []
    Client().get("/organizations/", HTTP_HOST="localhost")
    assert edge == ["/organizations/"]


def test_too_many_query_fields_are_left_to_the_stack(redis_cache, edge):
    Client().get("/organizations/")
    response = Client().get("/organizations/?" + "q=&" * 1001)
    assert edge == []
    assert response.status_code == 400
    assert "Content-Security-Policy" in response.headers  # the stack's answer, with its headers
