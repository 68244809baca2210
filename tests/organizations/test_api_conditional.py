"""Conditional GET on the organization API (DESIGN.md §5): ETag and Last-Modified on the list
and on a profile, 304 to a client that has the current body, 412 to a failed If-Match, and a
new ETag whenever the body would change — never a 304 that confirms a body to someone who
would not get it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from gsx_portal import cache as failover
from organizations.api.directory import OrganizationViewSet
from organizations.models import Organization, Theme, VettingApplication
from organizations.services import organization_update
from tests.conftest import NO_REDIS, bearer, enrol_totp
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/organizations/"
START = datetime(2026, 5, 4, 9, 0, 0, 500_000, tzinfo=UTC)


def detail(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _etag(client, url, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    return response["ETag"]


def _after_change(client, url, etag, **headers):
    """The answer to a client still holding ``etag``: must be the new body, not a 304."""
    response = client.get(url, headers={"If-None-Match": etag, **headers})
    assert response.status_code == 200
    assert response["ETag"] != etag
    return response


@pytest.fixture
def public(public_cso):
    return public_cso


# --- validators and what they answer --------------------------------------------------------


def test_a_list_and_a_profile_carry_an_etag_and_vary(public, outsider):
    for url in (LIST, detail(public)):
        response = Client().get(url)
        assert re.fullmatch(r'"[0-9a-f]{40}"', response["ETag"])
        vary = {value.strip() for value in response["Vary"].split(",")}
        assert {"Accept", "Accept-Language", "Authorization", "Cookie"} <= vary
        # Anonymous bodies may be kept by a cache, but only to be asked about each time.
        assert response["Cache-Control"] == "no-cache"
        # The ledger has just seen this ETag for the first time: no date to vouch for yet.
        assert not response.has_header("Last-Modified")
        token = bearer(outsider).get(url)
        assert token["Cache-Control"] == "no-store, private"
        assert token["ETag"] != response["ETag"]  # another caller


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_current_etag_answers_304_without_a_body(public, outsider, anonymous):
    client = Client() if anonymous else bearer(outsider)
    for url in (LIST, detail(public)):
        etag = _etag(client, url)
        for given in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            response = client.get(url, headers={"If-None-Match": given})
            assert response.status_code == 304, given
            assert response.content == b""
            assert response["ETag"] == etag
            assert "Accept" in response["Vary"]
            assert not response.has_header("Content-Type")
        other = client.get(url, headers={"If-None-Match": '"0123", W/"4567"'})
        assert other.status_code == 200
        assert other["ETag"] == etag
        assert other.json()


def test_a_304_runs_no_more_queries_than_the_body(public, outsider, django_assert_num_queries):
    client = bearer(outsider)
    etag = _etag(client, LIST)
    with django_assert_num_queries(3):  # as the full answer (test_api_output.py)
        assert client.get(LIST, headers={"If-None-Match": etag}).status_code == 304


def test_if_match_compares_strongly(public):
    client = Client()
    url = detail(public)
    etag = _etag(client, url)
    assert client.get(url, headers={"If-Match": etag}).status_code == 200
    assert client.get(url, headers={"If-Match": "*"}).status_code == 200
    for given in (f"W/{etag}", '"other"'):
        refused = client.get(url, headers={"If-Match": given})
        assert refused.status_code == 412
        assert refused.json() == {"detail": "It has changed since the version your request names."}
        assert refused["ETag"] == etag


def test_head_has_the_etag_of_get_and_answers_304(public):
    client = Client()
    for url in (LIST, detail(public)):
        etag = _etag(client, url)
        head = client.head(url)
        assert head.status_code == 200
        assert head["ETag"] == etag
        assert head.content == b""
        assert client.head(url, headers={"If-None-Match": etag}).status_code == 304


def test_the_browsable_api_gets_no_validators(public):
    # Its HTML carries a CSRF token of its own on every response.
    response = Client().get(LIST, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert not response.has_header("ETag")


def test_an_unknown_profile_and_bad_filters_answer_as_before(public):
    client = Client()
    etag = _etag(client, LIST)
    assert client.get(LIST + "?sector=nope", headers={"If-None-Match": etag}).status_code == 400
    missing = "/api/v1/organizations/00000000-0000-0000-0000-000000000000/"
    assert client.get(missing, headers={"If-None-Match": "*"}).status_code == 404


# --- what the ETag depends on: change it, and the old ETag gets the new body ---------------


def test_a_profile_edit_changes_both_etags(public, cso_admin, cso):
    client = bearer(cso_admin)
    list_etag, detail_etag = _etag(client, LIST), _etag(client, detail(cso))
    organization_update(organization=cso, user=cso_admin, summary="Peer mediation on the coast.")
    assert _after_change(client, detail(cso), detail_etag).json()["summary"] == (
        "Peer mediation on the coast."
    )
    _after_change(client, LIST, list_etag)


def test_a_write_that_does_not_touch_updated_at_changes_the_etag(public):
    # The ETag covers every column the body shows, not only the timestamp.
    client = Client()
    list_etag, detail_etag = _etag(client, LIST), _etag(client, detail(public))
    Organization.objects.filter(pk=public.pk).update(
        summary_translations={"en": "Community mediation."}
    )
    body = _after_change(client, detail(public), detail_etag).json()
    assert body["summary_translations"] == {"en": "Community mediation."}
    _after_change(client, LIST, list_etag)


def test_themes_changes_change_the_etag(public):
    client = Client()
    etag = _etag(client, detail(public))
    theme = Theme.objects.order_by("order").first()
    public.themes.set([theme])
    etag = _after_change(client, detail(public), etag)["ETag"]
    list_etag = _etag(client, LIST)
    Theme.objects.filter(pk=theme.pk).update(slug="renamed-theme")
    assert _after_change(client, detail(public), etag).json()["themes"] == ["renamed-theme"]
    _after_change(client, LIST, list_etag)


def test_a_vetting_outcome_and_its_expiry_change_the_etag(public):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        etag = _etag(client, detail(public))
        until = timezone.now() + timedelta(days=1)
        VettingApplication.objects.create(
            organization=public, status="approved", decided_at=timezone.now(), valid_until=until
        )
        Organization.objects.filter(pk=public.pk).update(vetted_until=until)
        response = _after_change(client, detail(public), etag)
        assert response.json()["vetted_until"] is not None
        list_etag, etag = _etag(client, LIST), response["ETag"]
        # Nothing is written when the approval lapses: the clock alone changes the body.
        clock.shift(timedelta(days=1, seconds=1))
        assert _after_change(client, detail(public), etag).json()["vetted_until"] is None
        _after_change(client, LIST, list_etag)


def test_a_visibility_change_changes_the_list_and_hides_the_profile(public, cso):
    cso.visibility_tier = "public"
    cso.save()
    client = Client()
    list_etag, detail_etag = _etag(client, LIST), _etag(client, detail(public))
    Organization.objects.filter(pk=public.pk).update(visibility_tier="restricted")
    assert [row["name"] for row in _after_change(client, LIST, list_etag).json()["results"]] == [
        "Coastal Youth Forum"
    ]
    # Not a 304 for what the caller may no longer see, whatever they send.
    for given in (detail_etag, "*"):
        assert client.get(detail(public), headers={"If-None-Match": given}).status_code == 404


def test_rows_leaving_or_joining_beyond_the_page_change_the_list_etag(public):
    OrganizationFactory.create_batch(50, visibility_tier="public", name="Alpha network")
    client = Client()
    etag = _etag(client, LIST)
    # Last in name order: not on the first page, but the count changes.
    late = OrganizationFactory(visibility_tier="public", name="Zebra peace circle")
    first = _after_change(client, LIST, etag)
    assert first.json()["count"] == 52
    late.delete()
    assert _after_change(client, LIST, first["ETag"]).json()["count"] == 51


def test_the_query_string_and_the_page_have_their_own_etags(public):
    OrganizationFactory.create_batch(50, visibility_tier="public")
    client = Client()
    etags = {
        _etag(client, LIST),
        _etag(client, LIST + "?page=2"),
        _etag(client, LIST + "?sector=civil_society"),
        _etag(client, LIST + "?women_led=true"),
        _etag(client, LIST + "?format=json"),
        _etag(client, LIST, Accept="application/json; indent=2"),
    }
    assert len(etags) == 6


def test_the_language_and_the_time_zone_have_their_own_etags(public, cso_member):
    client = Client()
    assert _etag(client, LIST, **{"Accept-Language": "fr"}) != _etag(
        client, LIST, **{"Accept-Language": "en"}
    )
    session = _signed_in(cso_member)
    etag = _etag(session, LIST)
    cso_member.timezone = "Asia/Kolkata"
    cso_member.save()
    response = _after_change(session, LIST, etag)
    assert response.json()["results"][0]["created_at"].endswith("+05:30")


def test_a_new_representation_version_changes_the_etag(public, monkeypatch):
    client = Client()
    etag = _etag(client, detail(public))
    monkeypatch.setattr(OrganizationViewSet, "representation", "organization-2")
    _after_change(client, detail(public), etag)


# --- callers: a 304 only confirms what this caller would get ---------------------------------


def test_a_member_and_an_outsider_get_different_etags(cso, cso_member, outsider):
    VettingApplication.objects.create(organization=cso, status="submitted")
    member, other = bearer(cso_member), bearer(outsider)
    member_etag = _etag(member, detail(cso))
    assert member.get(detail(cso)).json()["vetting_status"] == "submitted"
    # The outsider, handed the member's ETag, gets their own body: no raw vetting state.
    response = other.get(detail(cso), headers={"If-None-Match": member_etag})
    assert response.status_code == 200
    assert response.json()["vetting_status"] is None
    assert response["ETag"] != member_etag
    # ...and the anonymous ETag of a public profile confirms nothing to a signed-in caller.
    cso.visibility_tier = "public"
    cso.save()
    anonymous_etag = _etag(Client(), detail(cso))
    assert other.get(detail(cso), headers={"If-None-Match": anonymous_etag}).status_code == 200


def test_a_restricted_profile_is_never_confirmed_to_an_outsider(
    restricted_cso, restricted_member, outsider
):
    member_etag = _etag(bearer(restricted_member), detail(restricted_cso))
    for given in (member_etag, "*"):
        response = bearer(outsider).get(detail(restricted_cso), headers={"If-None-Match": given})
        assert response.status_code == 404


def test_joining_an_organization_or_the_secretariat_changes_the_etag(cso, outsider, restricted_cso):
    enrol_totp(outsider)  # for when they join the secretariat
    client = bearer(outsider)
    detail_etag, list_etag = _etag(client, detail(cso)), _etag(client, LIST)
    MembershipFactory(organization=cso, user=outsider)
    assert _after_change(client, detail(cso), detail_etag).json()["vetting_status"] == ""
    list_etag = _after_change(client, LIST, list_etag)["ETag"]
    outsider.groups.add(Group.objects.get(name="secretariat"))
    # The secretariat sees restricted profiles too, and every raw vetting state.
    response = _after_change(client, LIST, list_etag)
    assert {row["name"]: row["vetting_status"] for row in response.json()["results"]} == {
        "Coastal Youth Forum": "",
        "شبكة الشباب للسلام": "",
    }


# --- Last-Modified: the time the current ETag was first served --------------------------------


def test_last_modified_comes_a_second_after_the_etag_was_first_served(public):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        etag = _etag(client, detail(public))
        # Until a whole second has passed, nothing is vouched for.
        assert not client.get(detail(public)).has_header("Last-Modified")
        clock.shift(timedelta(seconds=2))
        response = client.get(detail(public))
        first_second = START.replace(microsecond=0) + timedelta(seconds=1)
        assert response["Last-Modified"] == http_date(first_second.timestamp())
        assert response["ETag"] == etag
        modified = response["Last-Modified"]

        def since(when: str, **headers):
            return client.get(detail(public), headers={"If-Modified-Since": when, **headers})

        assert since(modified).status_code == 304
        assert since(http_date(first_second.timestamp() + 60)).status_code == 304
        assert since(http_date(first_second.timestamp() - 1)).status_code == 200
        assert since("not a date").status_code == 200
        # If-None-Match decides when both are sent.
        assert since(modified, **{"If-None-Match": '"other"'}).status_code == 200

        # A change, read within the same second as the old Last-Modified was sent...
        Organization.objects.filter(pk=public.pk).update(summary="Changed.")
        changed = since(modified)
        assert changed.status_code == 200
        assert not changed.has_header("Last-Modified")
        clock.shift(timedelta(seconds=2))
        later = client.get(detail(public))
        assert later["Last-Modified"] != modified
        assert since(modified).status_code == 200
        assert since(later["Last-Modified"]).status_code == 304


def test_if_unmodified_since_refuses_a_later_body(public):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        client.get(LIST)
        clock.shift(timedelta(seconds=2))
        modified = client.get(LIST)["Last-Modified"]
        assert client.get(LIST, headers={"If-Unmodified-Since": modified}).status_code == 200
        earlier = http_date(START.timestamp() - 3600)
        assert client.get(LIST, headers={"If-Unmodified-Since": earlier}).status_code == 412


@pytest.fixture
def redis_down(settings):
    closed = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    failover._down_until.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": closed,
            "FAILOVER_SECONDS": 30,
        }
    }
    yield
    failover._down_until.clear()
    failover.LocMemCache(f"gsx-redis-fallback:{closed}", {}).clear()


def test_without_redis_there_is_no_last_modified_but_the_etag_works(public, redis_down):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        etag = _etag(client, LIST)
        clock.shift(timedelta(seconds=5))
        response = client.get(LIST)
        # Each process would keep its own ledger: none vouches for a date.
        assert not response.has_header("Last-Modified")
        assert client.get(LIST, headers={"If-None-Match": etag}).status_code == 304
        since = http_date(START.timestamp() + 3600)
        assert client.get(LIST, headers={"If-Modified-Since": since}).status_code == 200


@pytest.fixture
def redis_cache(settings):
    from django.conf import settings as django_settings

    if not django_settings.REDIS_URL:
        pytest.skip(NO_REDIS)
    failover._down_until.clear()
    prefix = f"test-conditional-{datetime.now().timestamp()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": django_settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    from django.core.cache import cache

    client = cache._cache.get_client()
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_the_ledger_in_redis_gives_last_modified(public, redis_cache):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        etag = _etag(client, detail(public))
        clock.shift(timedelta(seconds=2))
        response = client.get(detail(public))
        assert response["ETag"] == etag
        assert response.has_header("Last-Modified")
        since = {"If-Modified-Since": response["Last-Modified"]}
        assert client.get(detail(public), headers=since).status_code == 304
