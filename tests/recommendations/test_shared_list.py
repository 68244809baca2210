"""The recommendations' list body shared by signed-in readers of one audience
(recommendations.selectors.recommendations_audience, gsx_portal.page_cache.shared_fragment),
against the real Redis and PostgreSQL; these tests commit, as the page cache's do."""

import re
from datetime import date

import pytest
from django.test import Client

from organizations.models import Membership, VisibilityTier
from recommendations.models import SourceKind
from recommendations.selectors import recommendations_audience
from recommendations.services import recommendation_create, source_document_create
from recommendations.views import browse
from tests.conftest import signed_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

LIST = "/recommendations/"
MAIN = re.compile(r"<main.*</main>", re.S)


@pytest.fixture
def world(readers):
    orgs, users = readers
    secretariat = users["secretariat"]
    source = source_document_create(
        by=secretariat, title="Brief", kind=SourceKind.BRIEF, published_on=date(2017, 3, 1)
    )
    recommendation_create(
        by=secretariat,
        source=source,
        reference="PUB-1",
        title="Published for all",
        text="x",
        addressed_organizations=list(orgs.values()),
        published=True,
    )
    recommendation_create(
        by=secretariat, source=source, reference="DRAFT-1", title="A draft", text="x"
    )
    return orgs, users


@pytest.fixture
def bodies(monkeypatch):
    """The paths whose body was rendered (not taken from the cache), in order."""
    rendered = []
    original = browse._list_body

    def body(request):
        rendered.append(request.get_full_path())
        return original(request)

    monkeypatch.setattr(browse, "_list_body", body)
    return rendered


def test_the_audience_of_each_reader(world):
    _orgs, users = world
    expected = {
        "plain": "network",
        "other_plain": "network",
        "network_member": "network",
        "admin": "network",
        "restricted_member": None,
        "secretariat": None,
        "staff": None,
    }
    assert {name: recommendations_audience(user) for name, user in users.items()} == expected


def test_members_share_the_body_each_with_their_own_frame(redis_cache, bodies, world):
    _orgs, users = world
    first = signed_in(users["plain"]).get(LIST).content.decode()
    second = signed_in(users["network_member"]).get(LIST).content.decode()
    assert bodies == [LIST]
    assert MAIN.search(first)[0] == MAIN.search(second)[0]
    for html in (first, second):
        assert "Forum Network" in html and "Forum Public" in html
        assert "Forum Restricted" not in html and "DRAFT-1" not in html


@pytest.mark.parametrize(
    ("reader", "theirs"), [("restricted_member", "Forum Restricted"), ("secretariat", "DRAFT-1")]
)
def test_readers_who_see_more_never_share_in_either_direction(
    redis_cache, bodies, world, reader, theirs
):
    _orgs, users = world
    signed_in(users["plain"]).get(LIST)
    assert theirs in signed_in(users[reader]).get(LIST).content.decode()
    again = signed_in(users["other_plain"]).get(LIST).content.decode()
    assert theirs not in again
    assert bodies == [LIST, LIST]


def test_anonymous_visitors_never_get_the_signed_in_body(redis_cache, bodies, world):
    _orgs, users = world
    signed_in(users["plain"]).get(LIST)
    anonymous = Client().get(LIST).content.decode()
    assert "Forum Public" in anonymous and "Forum Network" not in anonymous


def test_joining_a_restricted_organization_shows_its_name_at_once(redis_cache, bodies, world):
    orgs, users = world
    client = signed_in(users["plain"])
    assert "Forum Restricted" not in client.get(LIST).content.decode()
    membership = Membership.objects.create(
        user=users["plain"], organization=orgs[VisibilityTier.RESTRICTED]
    )
    assert "Forum Restricted" in client.get(LIST).content.decode()
    membership.delete()
    assert "Forum Restricted" not in client.get(LIST).content.decode()


def test_a_refused_query_is_never_kept(redis_cache, bodies, world):
    _orgs, users = world
    client = signed_in(users["plain"])
    assert client.get(LIST + "?theme=no-such-theme").status_code == 400
    assert client.get(LIST + "?theme=no-such-theme").status_code == 400
    assert bodies == [LIST + "?theme=no-such-theme"] * 2
