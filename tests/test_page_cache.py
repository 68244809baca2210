"""The anonymous page cache (gsx_portal/page_cache.py), against the real Redis and PostgreSQL.

These tests commit (``transaction=True``): the generation moves when a transaction commits, and
the cache stays out of the usual test transaction, which never does.
"""

import gzip
import os
import re
import uuid
from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gsx_portal import cached_pages, page_cache
from organizations.models import Organization, Theme, VisibilityTier
from tests.conftest import NO_REDIS, REDIS_URL, enrol_totp, redis_caches, signed_in
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

DIRECTORY = "/organizations/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture(params=["redis", "file"])
def any_cache(request, settings, tmp_path):
    """The production cache (Redis) and the one used without Redis (files)."""
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip(NO_REDIS)
        prefix = f"test-page-cache-{uuid.uuid4().hex}"
        settings.CACHES = redis_caches(prefix)
        yield request.param
        client = cache._cache.get_client(None, write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": tmp_path / "cache",
            }
        }
        yield request.param


@pytest.fixture
def hits(monkeypatch):
    """The paths served from the cache, in order."""
    served = []
    original = page_cache.StoredPage.response

    def response(self, request):
        served.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(page_cache.StoredPage, "response", response)
    return served


@pytest.fixture
def public_org(db):
    return OrganizationFactory(
        name="Open Peace Network",
        slug="open-peace-network",
        visibility_tier=VisibilityTier.PUBLIC,
        summary="Dialogue between neighbours.",
    )


def _stored_keys() -> list[str]:
    backend = cache._cache if hasattr(cache, "_cache") else None
    if backend is not None and hasattr(backend, "get_client"):
        client = backend.get_client(None)
        prefix = cache.key_prefix
        return [key.decode() for key in client.scan_iter(f"{prefix}:*:page{page_cache.FORMAT}:*")]
    return [name for name in os.listdir(cache._dir) if name.endswith(".djcache")]


def _token(response) -> str:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return TOKEN.search(body.decode())[1]


# --- Served, and to whom --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", DIRECTORY, "/organizations/open-peace-network/"])
def test_an_anonymous_page_is_served_from_the_cache_the_second_time(
    any_cache, hits, public_org, path
):
    first = Client().get(path)
    second = Client().get(path)
    assert (first.status_code, second.status_code) == (200, 200)
    assert hits == [path]
    # The same page but for the token, each visitor's own.
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())
    assert _token(first) != _token(second)


def test_a_hit_reads_only_the_generation(redis_cache, hits, public_org):
    Client().get(DIRECTORY)
    with CaptureQueriesContext(connection) as queries:
        Client().get(DIRECTORY)
    assert hits == [DIRECTORY]
    # (A prepared statement, logged with its parameters.)
    assert [q["sql"] for q in queries.captured_queries] == [
        f"QUERY = '{page_cache.GENERATION_SQL}' - PARAMS = ()"
    ]


def test_signed_in_pages_never_come_from_the_anonymous_cache(
    redis_cache, hits, public_org, cso_member
):
    network = OrganizationFactory(name="Network Only Forum", visibility_tier=VisibilityTier.NETWORK)
    anonymous = Client().get(DIRECTORY).content.decode()
    assert network.name not in anonymous
    member = signed_in(cso_member).get(DIRECTORY).content.decode()
    assert network.name in member
    assert "/accounts/logout/" in member
    assert hits == []
    # ... and the reverse: what a member saw is not stored for anonymous visitors.
    again = Client().get(DIRECTORY).content.decode()
    assert network.name not in again
    assert "/accounts/logout/" not in again
    assert hits == [DIRECTORY]


def test_a_restricted_organization_and_contacts_never_come_from_the_anonymous_cache(
    redis_cache, hits, public_org, cso_admin, cso
):
    path = f"/organizations/{cso.slug}/"
    contacts = reverse("organizations:contacts", args=[cso.slug])
    Organization.objects.filter(pk=cso.pk).update(visibility_tier=VisibilityTier.RESTRICTED)
    assert Client().get(path).status_code == 404
    admin_page = signed_in(cso_admin).get(path)
    assert admin_page.status_code == 200
    assert contacts in admin_page.content.decode()
    assert Client().get(path).status_code == 404
    # Public again: anonymous visitors see the profile, never the admin's buttons.
    Organization.objects.filter(pk=cso.pk).update(visibility_tier=VisibilityTier.PUBLIC)
    signed_in(cso_admin).get(path)
    for _ in range(2):
        anonymous = Client().get(path)
        assert anonymous.status_code == 200
        assert contacts not in anonymous.content.decode()
    assert hits == [path]


def test_a_request_with_a_session_cookie_or_credentials_is_not_served(
    redis_cache, hits, public_org
):
    Client().get(DIRECTORY)
    stale_session = Client()
    stale_session.cookies["sessionid"] = "no-such-session"
    assert stale_session.get(DIRECTORY).status_code == 200
    assert Client(headers={"Authorization": "Bearer gsx_nothing"}).get(DIRECTORY).status_code == 200
    assert hits == []


def test_pending_messages_bypass_the_cache(redis_cache, hits, public_org):
    Client().get(DIRECTORY)
    storage = CookieStorage(HttpRequest())
    client = Client()
    client.cookies[CookieStorage.cookie_name] = storage._encode(
        [Message(constants.INFO, "Your session has expired. Please sign in again.")]
    )
    response = client.get(DIRECTORY)
    assert "Your session has expired." in response.content.decode()
    assert hits == []
    assert "Your session has expired." not in Client().get(DIRECTORY).content.decode()
    assert hits == [DIRECTORY]


def test_api_answers_are_never_stored(redis_cache, public_org):
    for path in ("/api/v1/organizations/", "/api/v1/themes/"):
        assert Client().get(path).status_code == 200
        assert Client().get(path).status_code == 200
    assert _stored_keys() == []


# --- The key: language, query ---------------------------------------------------------------


def test_pages_are_cached_per_language(redis_cache, hits, public_org, settings):
    french, arabic = Client(), Client()
    french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    arabic.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    fr_first, ar_first = french.get(DIRECTORY), arabic.get(DIRECTORY)
    fr_again = Client(headers={"Accept-Language": "fr"}).get(DIRECTORY)
    ar_again = arabic.get(DIRECTORY)
    assert '<html lang="fr" dir="ltr">' in fr_first.content.decode()
    assert '<html lang="ar" dir="rtl">' in ar_first.content.decode()
    assert '<html lang="fr" dir="ltr">' in fr_again.content.decode()
    assert '<html lang="ar" dir="rtl">' in ar_again.content.decode()
    assert (fr_again["Content-Language"], ar_again["Content-Language"]) == ("fr", "ar")
    assert hits == [DIRECTORY, DIRECTORY]


@pytest.mark.parametrize(
    "query",
    [
        "?q=peace",
        "?utm_source=mail",
        "?sector=army",
        "?country=XX",
        "?theme=no-such-theme",
        "?women_led=maybe",
        "?sector=civil_society&sector=government",
        "?page=0",
        "?page=99999",
        "?vetting_status=approved",
        "?updated_since=2026-01-01T00:00:00Z",
    ],
)
def test_junk_searches_and_unknown_parameters_are_not_stored(redis_cache, hits, public_org, query):
    assert Client().get(DIRECTORY + query).status_code in (200, 400)
    assert Client().get(DIRECTORY + query).status_code in (200, 400)
    assert hits == []
    assert _stored_keys() == []


def test_equivalent_filters_share_one_page(redis_cache, hits, public_org):
    theme = Theme.objects.order_by("slug").first()
    first = f"{DIRECTORY}?sector=civil_society&country=SN&theme={theme.slug}&q=&page=1"
    second = f"{DIRECTORY}?theme={theme.slug}&country=SN&sector=civil_society"
    assert Client().get(first).status_code == 200
    assert Client().get(second).status_code == 200
    assert hits == [second]
    assert len(_stored_keys()) == 1


def test_the_canonical_query_keeps_only_valid_filter_values():
    from django.http import QueryDict

    assert cached_pages.directory_query(QueryDict("")) == ""
    assert (
        cached_pages.directory_query(QueryDict("vetted=true&sector=civil_society&page=3&q="))
        == "page=3&sector=civil_society&vetted=true"
    )
    junk_values = (
        "x=",  # an unknown name, even empty: the page shows the query as asked
        "page=21",  # the first pages only
        "q=x",
        "sector=x",
        "x=1",
        "page=1a",
        "page=2%0A",
        "country=France",
        "language=xx",
    )
    for junk in junk_values:
        assert cached_pages.directory_query(QueryDict(junk)) is None, junk


def test_every_directory_filter_is_either_keyed_or_never_cached():
    # A new filter must be given its valid values here, or be left uncached.
    from organizations.filters import OrganizationFilter

    known = set(cached_pages._directory_parameters()) | cached_pages.DIRECTORY_UNCACHED
    assert set(OrganizationFilter.base_filters) <= known


# --- Invalidation ---------------------------------------------------------------------------


def _seen(path: str, text: str) -> bool:
    return text in Client().get(path).content.decode()


def test_a_profile_change_through_the_service_ends_the_cached_pages(
    redis_cache, hits, cso_admin, cso
):
    from organizations.services import organization_update

    Organization.objects.filter(pk=cso.pk).update(visibility_tier=VisibilityTier.PUBLIC)
    cso.refresh_from_db()
    path = f"/organizations/{cso.slug}/"
    for _ in range(2):
        assert not _seen(path, "Mediation in the coastal districts.")
        assert not _seen(DIRECTORY, "Mediation in the coastal districts.")
    assert hits == [path, DIRECTORY]
    organization_update(
        organization=cso, user=cso_admin, summary="Mediation in the coastal districts."
    )
    assert _seen(path, "Mediation in the coastal districts.")
    assert _seen(DIRECTORY, "Mediation in the coastal districts.")
    assert hits == [path, DIRECTORY]


def test_a_bulk_update_and_a_deletion_end_the_cached_pages(any_cache, public_org):
    path = f"/organizations/{public_org.slug}/"
    assert _seen(DIRECTORY, public_org.name)
    Organization.objects.filter(pk=public_org.pk).update(name="Renamed Peace Network")
    assert _seen(DIRECTORY, "Renamed Peace Network")
    assert _seen(path, "Renamed Peace Network")
    Organization.objects.filter(pk=public_org.pk).update(visibility_tier=VisibilityTier.NETWORK)
    assert Client().get(path).status_code == 404
    assert not _seen(DIRECTORY, "Renamed Peace Network")
    Organization.objects.filter(pk=public_org.pk).update(visibility_tier=VisibilityTier.PUBLIC)
    assert _seen(DIRECTORY, "Renamed Peace Network")
    Organization.objects.filter(pk=public_org.pk).delete()
    assert not _seen(DIRECTORY, "Renamed Peace Network")
    assert Client().get(path).status_code == 404


def test_raw_sql_ends_the_cached_pages(redis_cache, public_org):
    assert _seen(DIRECTORY, public_org.name)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE organizations_organization SET name = 'Raw Peace Network' WHERE id = %s",
            [public_org.pk],
        )
    assert _seen(DIRECTORY, "Raw Peace Network")


def test_a_theme_change_in_the_admin_ends_the_cached_pages(redis_cache, public_org):
    theme = Theme.objects.order_by("slug").first()
    public_org.themes.add(theme)
    path = f"/organizations/{public_org.slug}/"
    assert _seen(path, theme.name)
    staff = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(staff)
    response = signed_in(staff).post(
        reverse("admin:organizations_theme_change", args=[theme.pk]),
        {"slug": theme.slug, "names": '{"en": "Listening circles"}', "order": theme.order},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _seen(path, "Listening circles")
    assert _seen(DIRECTORY, "Listening circles")
    public_org.themes.remove(theme)
    assert not _seen(path, "Listening circles")


def test_a_requester_verification_ends_the_cached_profile(redis_cache, hits):
    from tests.organizations.conftest import verify

    ministry = OrganizationFactory(
        name="Ministry of Dialogue", sector="government", visibility_tier=VisibilityTier.PUBLIC
    )
    path = f"/organizations/{ministry.slug}/"
    assert not _seen(path, "Verified by the secretariat")
    verify(ministry)
    assert _seen(path, "Verified by the secretariat")


def test_an_approval_and_its_expiry_by_the_sweep_end_the_cached_pages(
    redis_cache, hits, cso, cso_admin
):
    from organizations.services import vetting_expire_due
    from tests.organizations.conftest import vetting_approved, vetting_submitted

    Organization.objects.filter(pk=cso.pk).update(visibility_tier=VisibilityTier.PUBLIC)
    cso.refresh_from_db()
    first = UserFactory(groups=["secretariat"])
    second = UserFactory(groups=["secretariat"])
    enrol_totp(first)
    enrol_totp(second)
    path = f"/organizations/{cso.slug}/"
    for _ in range(2):
        assert not _seen(path, "Vetted until")
    approval = vetting_approved(vetting_submitted(cso, cso_admin), first, second)
    for _ in range(2):
        assert _seen(path, "Vetted until")
        assert _seen(DIRECTORY, "Vetted until")
    assert hits == [path, path, DIRECTORY]
    # The sweep, run as if its validity had lapsed, marks it expired: the pages follow now.
    assert vetting_expire_due(approval.valid_until + timedelta(days=1)) == 1
    assert not _seen(path, "Vetted until")
    assert not _seen(DIRECTORY, "Vetted until")
    assert hits == [path, path, DIRECTORY]


def test_a_lapsing_approval_ends_the_cached_pages_without_any_write(
    redis_cache, hits, public_org, settings
):
    settings.PAGE_CACHE_SECONDS = 86400
    until = timezone.now() + timedelta(hours=1)
    Organization.objects.filter(pk=public_org.pk).update(vetted_until=until)
    path = f"/organizations/{public_org.slug}/"
    assert _seen(path, "Vetted until")
    assert _seen(path, "Vetted until")
    with time_machine.travel(until + timedelta(seconds=1), tick=False):
        assert not _seen(path, "Vetted until")
        assert not _seen(DIRECTORY, "Vetted until")
    assert hits == [path]


def test_a_page_is_served_no_longer_than_page_cache_seconds(
    redis_cache, hits, public_org, settings
):
    settings.PAGE_CACHE_SECONDS = 60
    Client().get(DIRECTORY)
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        Client().get(DIRECTORY)
    assert hits == []


def test_no_more_than_the_budget_is_stored_per_period(redis_cache, hits, settings):
    settings.PAGE_CACHE_MAX_MB = 1
    settings.PAGE_CACHE_SECONDS = 600
    # About 140 kB each, plain (all but 1 kB of it): three fit in 1 MB, the big one does not.
    small = OrganizationFactory.create_batch(
        3, visibility_tier=VisibilityTier.PUBLIC, description="Words. " * 20_000
    )
    big = OrganizationFactory(visibility_tier=VisibilityTier.PUBLIC, description="x" * 900_000)
    paths = [f"/organizations/{organization.slug}/" for organization in (*small, big)]
    for path in paths:
        Client().get(path)
    assert len(_stored_keys()) == 3
    for path in paths:
        Client().get(path)
    assert hits == paths[:3]


def test_a_page_cache_seconds_of_zero_turns_the_cache_off(redis_cache, hits, public_org, settings):
    settings.PAGE_CACHE_SECONDS = 0
    Client().get(DIRECTORY)
    Client().get(DIRECTORY)
    assert hits == []
    assert _stored_keys() == []


def test_the_tracked_tables_have_their_triggers():
    migration = import_module("gsx_portal.migrations.0003_page_cache_generation")
    assert set(migration.TABLES) <= set(page_cache.TRACKED_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger"
            " WHERE tgname LIKE 'gsx_page_cache_%'"
        )
        triggers = set(cursor.fetchall())
    kinds = ("gsx_page_cache_on_write", "gsx_page_cache_on_update", "gsx_page_cache_on_truncate")
    assert triggers == {(table, kind) for table in page_cache.TRACKED_TABLES for kind in kinds}


TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z_]+)"')


@pytest.mark.parametrize("path", [DIRECTORY, "/organizations/open-peace-network/", "/"])
def test_the_cached_pages_read_only_tracked_tables(redis_cache, public_org, path, settings):
    settings.PAGE_CACHE_SECONDS = 0  # render, to see every query
    public_org.themes.add(Theme.objects.order_by("slug").first())
    for query in (
        "",
        "?sector=civil_society&vetted=true&women_led=false&theme=" + Theme.objects.first().slug,
    ):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(path + (query if path == DIRECTORY else "")).status_code == 200
        read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
        assert read <= set(page_cache.TRACKED_TABLES), read - set(page_cache.TRACKED_TABLES)


# --- CSRF, compression, HEAD, outages -------------------------------------------------------


def test_a_cached_page_carries_the_requesters_own_csrf_token(any_cache, hits, public_org):
    first = Client(enforce_csrf_checks=True)
    first_page = first.get(DIRECTORY)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(DIRECTORY)
    assert hits == [DIRECTORY]
    token = _token(page)
    secret = visitor.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == secret
    assert _token(first_page) not in page.content.decode()
    assert first.cookies["csrftoken"].value not in page.content.decode()
    assert "Cookie" in page["Vary"]
    # The token works: the language switcher accepts the visitor's POST ...
    switched = visitor.post(
        reverse("set_language"), {"language": "fr", "next": DIRECTORY, "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    # ... and not another visitor's.
    stranger = Client(enforce_csrf_checks=True)
    stranger.get("/")
    refused = stranger.post(
        reverse("set_language"), {"language": "fr", "csrfmiddlewaretoken": token}
    )
    assert refused.status_code == 403


def test_the_first_visitor_gets_their_own_token_and_the_stored_page_none(
    any_cache, hits, public_org
):
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/verify/")
    secret = visitor.cookies["csrftoken"].value
    first = visitor.get(DIRECTORY)  # a miss: rendered and stored
    assert hits == []
    assert _unmask_cipher_token(_token(first)) == secret
    again = visitor.get(DIRECTORY)
    assert hits == [DIRECTORY]
    assert _unmask_cipher_token(_token(again)) == secret


def test_text_made_to_look_like_the_primers_token_is_not_taken_for_one(any_cache, hits):
    """A visitor chooses their CSRF cookie: were the page rendered with it, a word on the page
    written to be a token of that secret (an organization's website) would be replaced, on
    every later visitor's page, by that visitor's own token, inside the attacker's link."""
    from django.middleware.csrf import _mask_cipher_secret

    secret = "A" * 32
    bait = _mask_cipher_secret(secret)
    OrganizationFactory(
        name="Bait Network",
        slug="bait-network",
        visibility_tier=VisibilityTier.PUBLIC,
        website=f"https://attacker.example/{bait}",
    )
    primer = Client()
    primer.cookies["csrftoken"] = secret
    primer.get("/organizations/bait-network/")
    visitor = Client()
    page = visitor.get("/organizations/bait-network/")
    assert hits == ["/organizations/bait-network/"]
    body = page.content.decode()
    assert f"https://attacker.example/{bait}" in body
    assert f"https://attacker.example/{_token(page)}" not in body


def test_a_visitor_with_a_csrf_cookie_keeps_it(redis_cache, hits, public_org):
    Client().get(DIRECTORY)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/verify/")
    secret = visitor.cookies["csrftoken"].value
    page = visitor.get(DIRECTORY)
    assert hits == [DIRECTORY]
    assert _unmask_cipher_token(_token(page)) == secret


@pytest.mark.parametrize("path", ["/", DIRECTORY])
def test_a_cached_page_is_sent_compressed_when_asked(redis_cache, hits, public_org, path):
    plain = Client().get(path)
    compressed = Client().get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert hits == [path]
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content) / 2
    body = gzip.decompress(compressed.content).decode()
    assert TOKEN.sub("", body) == TOKEN.sub("", plain.content.decode())
    token = TOKEN.search(body)[1]
    assert token != _token(plain)


def test_a_head_request_is_not_served_from_the_cache(redis_cache, hits, public_org):
    Client().get(DIRECTORY)
    assert Client().head(DIRECTORY).status_code == 405  # require_GET, as before the cache
    assert hits == []


@pytest.fixture
def redis_unreachable(settings):
    from gsx_portal import cache as failover

    closed = "redis://127.0.0.1:9/14"  # nothing listens on port 9
    settings.CACHES = {
        "default": {
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": closed,
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    yield
    failover._down_until.pop(closed, None)
    failover._warned_at.pop(closed, None)
    failover.LocMemCache(f"gsx-redis-fallback:{closed}", {}).clear()


def test_pages_work_while_redis_is_unreachable(redis_unreachable, hits, public_org):
    for _ in range(2):
        assert _seen(DIRECTORY, public_org.name)
    # Answered from the per-process fallback meanwhile, still checked against the generation.
    assert hits == [DIRECTORY]
    Organization.objects.filter(pk=public_org.pk).update(name="Still Fresh Network")
    assert _seen(DIRECTORY, "Still Fresh Network")


class BrokenCache(BaseCache):
    """A cache whose every read and write fails (not an outage the failover knows about)."""

    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        raise RuntimeError("cache broken")

    add = get = set = touch = delete = has_key = clear = get_many = set_many = _fail


def test_pages_work_when_the_cache_fails(settings, public_org):
    settings.CACHES = {"default": {"BACKEND": "tests.test_page_cache.BrokenCache"}}
    for _ in range(2):
        assert _seen(DIRECTORY, public_org.name)
        assert Client().get("/").status_code == 200


def test_without_a_generation_nothing_is_cached(redis_cache, hits, public_org):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM gsx_page_cache_generation")
    try:
        for _ in range(2):
            assert _seen(DIRECTORY, public_org.name)
        assert hits == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO gsx_page_cache_generation VALUES (1, txid_current())")
