"""The directory's body shared by signed-in readers of one audience
(gsx_portal.page_cache.shared_fragment, organizations.selectors.visibility_audience), against
the real Redis and PostgreSQL. These tests commit, as those of the anonymous page cache."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gsx_portal import page_cache
from organizations.models import Membership, Organization, User, VisibilityTier
from organizations.selectors import organizations_visible_to, visibility_audience
from organizations.views import directory as directory_views
from tests.conftest import enrol_totp, joining_while_listing, signed_in
from tests.test_page_cache import DIRECTORY, TABLE, TOKEN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture
def bodies(monkeypatch):
    """The paths whose body was rendered (not taken from the cache), in order."""
    rendered = []
    original = directory_views._directory_body

    def body(request, **kwargs):
        rendered.append(request.get_full_path())
        return original(request, **kwargs)

    monkeypatch.setattr(directory_views, "_directory_body", body)
    return rendered


@pytest.fixture
def world(readers):
    return readers


def _names(html: str, orgs) -> set[str]:
    return {org.name for org in orgs.values() if org.name in html}


def test_the_audience_holds_to_the_visibility_selector(world):
    _orgs, users = world
    network = set(
        Organization.objects.filter(
            visibility_tier__in=[VisibilityTier.PUBLIC, VisibilityTier.NETWORK]
        )
    )
    expected = {
        "plain": "network",
        "other_plain": "network",
        "network_member": "network",
        "admin": "network",
        "restricted_member": None,
        "secretariat": None,
        "staff": None,
    }
    for name, user in users.items():
        audience = visibility_audience(user)
        assert audience == expected[name], name
        if audience == "network":
            assert set(organizations_visible_to(user)) == network, name
        else:
            assert set(organizations_visible_to(user)) != network, name


def test_readers_of_one_audience_share_the_body_each_with_their_own_frame(
    redis_cache, bodies, world
):
    orgs, users = world
    first = signed_in(users["plain"]).get(DIRECTORY).content.decode()
    second = signed_in(users["network_member"]).get(DIRECTORY).content.decode()
    assert bodies == [DIRECTORY]  # the second came from the cache
    for html in (first, second):
        assert _names(html, orgs) == {"Forum Public", "Forum Network"}
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(first)[0] == main.search(second)[0]
    # The frame is each reader's own: signed in, with their own token in the sign-out form.
    tokens = [TOKEN.search(html)[1] for html in (first, second)]
    assert "Sign out" in first and "Sign out" in second
    assert tokens[0] != tokens[1]
    assert TOKEN.search(main.search(first)[0]) is None  # no token in the shared part


def test_a_shared_hit_costs_the_frame_and_the_generation_only(redis_cache, bodies, world):
    _orgs, users = world
    signed_in(users["plain"]).get(DIRECTORY)
    client = signed_in(users["other_plain"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DIRECTORY).status_code == 200
    read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
    assert "organizations_organization_themes" not in read  # no list was fetched
    assert bodies == [DIRECTORY]


@pytest.mark.parametrize("reader", ["restricted_member", "secretariat", "staff"])
def test_readers_who_see_more_never_share_in_either_direction(redis_cache, bodies, world, reader):
    _orgs, users = world
    signed_in(users["plain"]).get(DIRECTORY)
    theirs = signed_in(users[reader]).get(DIRECTORY).content.decode()
    assert "Forum Restricted" in theirs
    again = signed_in(users["other_plain"]).get(DIRECTORY).content.decode()
    assert "Forum Restricted" not in again
    assert bodies == [DIRECTORY, DIRECTORY]  # theirs rendered for them alone


def test_anonymous_visitors_never_get_the_signed_in_body(redis_cache, bodies, world):
    orgs, users = world
    signed_in(users["plain"]).get(DIRECTORY)
    anonymous = Client().get(DIRECTORY).content.decode()
    assert _names(anonymous, orgs) == {"Forum Public"}
    assert "Register an organization" not in anonymous.split("<main")[1].split("</main>")[0]
    # ... and the anonymous page does not become the signed-in body.
    member = signed_in(users["other_plain"]).get(DIRECTORY).content.decode()
    assert "Forum Network" in member


def test_the_audience_is_the_one_of_now(redis_cache, bodies, world):
    """Joining a restricted organization, or the secretariat, shows its rows on the next page;
    leaving it hides them again."""
    orgs, users = world
    client = signed_in(users["plain"])
    assert "Forum Restricted" not in client.get(DIRECTORY).content.decode()
    membership = Membership.objects.create(
        user=users["plain"], organization=orgs[VisibilityTier.RESTRICTED]
    )
    assert "Forum Restricted" in client.get(DIRECTORY).content.decode()
    membership.delete()
    assert "Forum Restricted" not in client.get(DIRECTORY).content.decode()
    users["plain"].groups.add(Group.objects.get(name="secretariat"))
    enrol_totp(users["plain"])
    assert "Forum Restricted" in client.get(DIRECTORY).content.decode()


def test_a_profile_change_ends_the_shared_body(redis_cache, bodies, world):
    orgs, users = world
    client = signed_in(users["plain"])
    client.get(DIRECTORY)
    Organization.objects.filter(pk=orgs[VisibilityTier.NETWORK].pk).update(name="Forum Renamed")
    assert "Forum Renamed" in client.get(DIRECTORY).content.decode()
    # A network profile made restricted leaves the shared body at once.
    Organization.objects.filter(pk=orgs[VisibilityTier.PUBLIC].pk).update(
        visibility_tier=VisibilityTier.RESTRICTED
    )
    assert "Forum Public" not in client.get(DIRECTORY).content.decode()
    assert len(bodies) == 3


def test_the_shared_body_is_kept_per_language_and_query(redis_cache, bodies, world, settings):
    _orgs, users = world
    client = signed_in(users["plain"])
    client.get(DIRECTORY)
    User.objects.filter(pk=users["plain"].pk).update(language="fr")  # the account's language
    french = client.get(DIRECTORY).content.decode()
    assert '<html lang="fr" dir="ltr">' in french and "Inscrire une organisation" in french
    User.objects.filter(pk=users["other_plain"].pk).update(language="ar")
    arabic = signed_in(users["other_plain"]).get(DIRECTORY).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic and "Inscrire" not in arabic
    client.get(DIRECTORY + "?sector=civil_society")
    # Searches and unknown parameters are rendered every time, never stored.
    client.get(DIRECTORY + "?q=forum")
    client.get(DIRECTORY + "?q=forum")
    client.get(DIRECTORY + "?bogus=1")
    assert len(bodies) == 7


def test_the_body_reads_the_tracked_tables_and_the_memberships_only(world, settings):
    """The generation moves with the tracked tables. Memberships and roles are read too, but
    only decide the audience (asked afresh on every request) and, within "network", cannot
    change the rows: every organization of a "network" reader is public or network already."""
    from organizations.rules import roles_now

    settings.PAGE_CACHE_SECONDS = 0
    _orgs, users = world
    with CaptureQueriesContext(connection) as queries:
        directory_views._directory_body(_request_of(users["plain"]))
    read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
    # The roles query's tables, whatever roles the apps registered (dialogues: conveners).
    with CaptureQueriesContext(connection) as roles_query:
        roles_now(users["plain"])
    roles = {table for q in roles_query.captured_queries for table in TABLE.findall(q["sql"])}
    assert "auth_group" in roles
    assert read <= {*page_cache.TRACKED_TABLES, "organizations_membership", *roles}, read


def _request_of(user):
    from django.test import RequestFactory

    request = RequestFactory().get(DIRECTORY)
    request.user = user
    return request


def test_a_membership_that_changes_during_a_request_is_not_shared(
    redis_cache, bodies, world, monkeypatch
):
    """The shared body is rendered for the audience's rows, not the user's live memberships:
    joining a restricted organization while the page renders never reaches other readers."""
    orgs, users = world
    restricted = orgs[VisibilityTier.RESTRICTED]
    with joining_while_listing(monkeypatch, directory_views, users["plain"], restricted):
        signed_in(users["plain"]).get(DIRECTORY)
    assert "Forum Restricted" not in signed_in(users["other_plain"]).get(DIRECTORY).content.decode()
    assert "Forum Restricted" in signed_in(users["plain"]).get(DIRECTORY).content.decode()
