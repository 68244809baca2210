"""The recommendations' list in the anonymous page cache: it reads only the tables whose writes
end stored pages, a second anonymous visit is served from the cache, and a publication shows
at once. These tests commit (the generation moves at commit)."""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gsx_portal import page_cache
from gsx_portal.cached_pages import recommendation_list_permalink, recommendation_list_query
from recommendations.models import Recommendation
from recommendations.services import recommendation_publish
from tests.conftest import enrol_totp
from tests.factories import UserFactory
from tests.recommendations.test_browse_world import make_browse_world

TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z_]+)"')
PATHS = [
    "/recommendations/",
    "/recommendations/?addressee_type=governments&country=NG&ordering=-date",
    "/recommendations/?cycle=gsx-2027&theme=community-policing&year=2017",
    "/recommendations/?organization=ministry-of-interior&self_status=none",
]


@pytest.fixture
def committed_world(migration_data):
    from dialogues.services import working_group_create

    secretariat = UserFactory(email="s@secretariat.example", groups=["secretariat"])
    enrol_totp(secretariat)
    convener = UserFactory(email="c@convener.example")
    group = working_group_create(
        by=secretariat, name="Security Interventions", slug="security", conveners=[convener]
    )
    return {**make_browse_world(secretariat, group), "secretariat": secretariat}


def _references(page: str) -> list[str]:
    return re.findall(r'<bdi class="rec-reference">([^<]+)</bdi>', page)


@pytest.mark.django_db(transaction=True)
def test_the_list_reads_only_tracked_tables(committed_world, settings):
    settings.PAGE_CACHE_SECONDS = 0  # render, to see every query
    for path in [*PATHS, "/recommendations/?q=police"]:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(path).status_code == 200, path
        read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
        assert read <= set(page_cache.TRACKED_TABLES), (path, read - set(page_cache.TRACKED_TABLES))


@pytest.mark.django_db(transaction=True)
def test_a_second_visit_is_served_from_the_cache_until_a_publication(
    redis_cache, committed_world, monkeypatch
):
    served = []
    original = page_cache.StoredPage.response

    def response(self, request):
        served.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(page_cache.StoredPage, "response", response)
    for path in PATHS:
        first = Client().get(path)
        second = Client().get(path)
        assert first.status_code == second.status_code == 200, path
        assert _references(first.content.decode()) == _references(second.content.decode())
    assert served == PATHS
    # Neither a search nor a refused value is stored.
    served.clear()
    for path in ("/recommendations/?q=police", "/recommendations/?theme=no-such-theme"):
        Client().get(path)
        Client().get(path)
    assert served == []
    draft = Recommendation.objects.get(reference="E-draft")
    recommendation_publish(recommendation=draft, by=committed_world["secretariat"])
    page = Client().get("/recommendations/").content.decode()
    assert _references(page) == ["A-1", "B-1", "C-1", "E-draft"]
    assert served == []
    assert _references(Client().get("/recommendations/").content.decode())[-1] == "E-draft"
    assert served == ["/recommendations/"]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("", ""),
        ("page=1", ""),
        ("addressee_type=governments&country=NG", "addressee_type=governments&country=NG"),
        ("year=2019&ordering=-date&page=2", "ordering=-date&page=2&year=2019"),
        ("theme=community-policing&cycle=gsx-2027", "cycle=gsx-2027&theme=community-policing"),
        ("q=peace", None),
        ("q=&published=&updated_since=", ""),
        ("published=false", None),
        ("country=XX", None),
        ("year=1789", None),
        ("self_status=done", None),
        ("ordering=-reference", None),
        ("page=999", None),
        ("utm=1", None),
        ("theme=a&theme=b", None),
        ("source=" + "x" * 61, None),
    ],
)
def test_the_lists_cache_keys(query, key):
    assert recommendation_list_query(QueryDict(query)) == key


def test_the_permalink_and_the_cache_key_share_one_form():
    query = QueryDict("year=2019&q=&theme=community-policing&utm=1&page=1&ordering=-date")
    pairs = recommendation_list_permalink(query)
    assert pairs == [("ordering", "-date"), ("theme", "community-policing"), ("year", "2019")]
    assert recommendation_list_query(query) is None  # an unknown parameter: not cached
    canonical = QueryDict("&".join(f"{name}={value}" for name, value in pairs))
    key = "ordering=-date&theme=community-policing&year=2019"
    assert recommendation_list_query(canonical) == key
