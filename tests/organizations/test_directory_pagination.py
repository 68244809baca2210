"""Counts capped at LIST_COUNT_CAP (gsx_portal.pagination) on the directory and the API: a long
list says "more than", every page stays reachable, and the count never scans past the cap."""

import re

import pytest
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gsx_portal.pagination import CappedPaginator
from organizations.models import Organization, VisibilityTier

pytestmark = pytest.mark.django_db
DIRECTORY = reverse("organizations:directory")
API = "/api/v1/organizations/"


def _public(count: int) -> None:
    Organization.objects.bulk_create(
        Organization(
            name=f"Listed {n:03}",
            slug=f"listed-{n:03}",
            sector="civil_society",
            visibility_tier=VisibilityTier.PUBLIC,
        )
        for n in range(count)
    )


def _names(page) -> list[str]:
    return [organization.name for organization in page.object_list]


def test_the_count_stops_one_row_past_the_cap():
    _public(12)
    paginator = CappedPaginator(Organization.objects.order_by("name"), 2, cap=5)
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.count_capped, paginator.num_pages) == (5, True, 3)
    assert len(queries) == 1
    assert "LIMIT 6" in queries[0]["sql"]
    assert "ORDER BY" not in queries[0]["sql"]


def test_pages_past_the_cap_are_reachable_and_know_whether_another_follows():
    _public(12)
    rows = Organization.objects.order_by("name")
    everything = [organization.name for organization in rows]
    paginator = CappedPaginator(rows, 2, cap=5)
    for number in range(1, 7):
        page = paginator.page(number)
        assert _names(page) == everything[(number - 1) * 2 : number * 2]
        assert page.has_next() == (number < 6)
        assert page.has_previous() == (number > 1)
        assert (page.start_index(), page.end_index()) == (number * 2 - 1, number * 2)
    assert paginator.page(3).known_pages == 4  # the 6 counted rows fill 3 pages, then "next"
    assert paginator.page(6).known_pages == 6
    with pytest.raises(EmptyPage):
        paginator.page(7)


def test_get_page_past_the_last_row_counts_exactly_and_answers_the_last_page():
    _public(12)
    paginator = CappedPaginator(Organization.objects.order_by("name"), 5, cap=5)
    page = paginator.get_page(99)
    assert (page.number, _names(page)) == (3, ["Listed 010", "Listed 011"])
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (12, False, 3)
    assert not page.has_next()


@pytest.mark.parametrize("number", ["abc", "0", "-3", "2.5", "", None, "9" * 30])
def test_a_page_number_that_makes_no_sense_answers_a_page(number):
    _public(12)
    page = CappedPaginator(Organization.objects.order_by("name"), 5, cap=5).get_page(number)
    assert (page.number, _names(page)) == (1, [f"Listed {n:03}" for n in range(5)])


def test_below_the_cap_it_pages_as_django_does():
    _public(7)
    rows = Organization.objects.order_by("name")
    capped, plain = CappedPaginator(rows, 3, cap=100), Paginator(rows, 3)
    assert (capped.count, capped.count_capped, capped.num_pages) == (7, False, 3)
    for number in (1, 2, 3):
        ours, django = capped.page(number), plain.page(number)
        assert _names(ours) == _names(django)
        assert (ours.has_next(), ours.end_index()) == (django.has_next(), django.end_index())
    with pytest.raises(EmptyPage):
        capped.page(4)


def _heading(body: str) -> str:
    found = re.search(r'<h2 id="results-title">(.*?)</h2>', body, re.S)
    return re.sub(r"[ \n]+", " ", found.group(1)).strip()  # not str.split: keeps no-break spaces


def _pages(body: str) -> str:
    found = re.search(r'<nav class="pagination"[^>]*>(.*?)</nav>', body, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def test_the_directory_says_more_than_the_cap_and_pages_on(settings):
    settings.LIST_COUNT_CAP = 3
    _public(30)
    body = Client().get(DIRECTORY).content.decode()
    assert _heading(body) == "More than 3 organizations"
    assert "narrow the list with the filters or a search" in body
    assert _pages(body) == "Page 1 of 2 or more Next"
    assert body.count('<li class="result">') == 25
    last = Client().get(DIRECTORY, {"page": 2}).content.decode()
    assert _pages(last) == "Previous Page 2 of 2"
    assert last.count('<li class="result">') == 5
    assert "Listed 029" in last


def test_the_directory_formats_the_cap_in_the_readers_language(settings):
    settings.LIST_COUNT_CAP = 1000
    _public(1001)
    english = Client().get(DIRECTORY).content.decode()
    assert _heading(english) == "More than 1,000 organizations"
    french = Client().get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    arabic = Client().get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert _heading(arabic).startswith("أكثر من ")
    assert _heading(french) == "Plus de 1\xa0000 organisations"


def test_an_exact_count_shows_every_page_as_before():
    _public(30)
    body = Client().get(DIRECTORY, {"page": 2}).content.decode()
    assert _heading(body) == "30 organizations"
    assert _pages(body) == "Previous Page 2 of 2"


def test_the_api_caps_its_count_and_says_so(settings):
    settings.LIST_COUNT_CAP = 3
    _public(55)
    first = Client().get(API).json()
    assert (first["count"], first["count_capped"], len(first["results"])) == (3, True, 50)
    assert first["next"] == "http://testserver/api/v1/organizations/?page=2"
    assert first["previous"] is None
    assert list(first) == ["count", "count_capped", "next", "previous", "results"]
    second = Client().get(API, {"page": 2}).json()
    assert (second["count_capped"], second["next"], len(second["results"])) == (True, None, 5)
    assert Client().get(API, {"page": 3}).status_code == 404
    last = Client().get(API, {"page": "last"}).json()
    assert (last["count"], last["count_capped"], len(last["results"])) == (55, False, 5)


def test_the_api_counts_exactly_below_the_cap():
    _public(4)
    response = Client().get(API).json()
    assert (response["count"], response["count_capped"], response["next"]) == (4, False, None)


def test_the_browsable_api_links_pages_past_the_cap(settings):
    settings.LIST_COUNT_CAP = 3
    _public(55)
    # Page 2 lies past the one page the capped count fills (DRF's own links would fail there).
    response = Client().get(API, {"page": 2}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    body = response.content.decode()
    pages = re.search(r'<ul class="pagination"[^>]*>(.*?)</ul>', body, re.S).group(1)
    links = re.findall(r'<li( class="active")?>\s*<a href="([^"]+)"', pages)
    assert links == [
        ("", "http://testserver/api/v1/organizations/"),  # previous
        ("", "http://testserver/api/v1/organizations/"),  # 1
        (' class="active"', "http://testserver/api/v1/organizations/?page=2"),  # 2, no next
    ]


def test_the_schema_describes_count_capped():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    page = schema["components"]["schemas"]["PaginatedOrganizationOutputList"]
    assert page["required"] == ["count", "count_capped", "next", "previous", "results"]
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert list(page["properties"]) == ["count", "count_capped", "next", "previous", "results"]


def test_a_deep_page_reads_its_ids_first_and_pages_as_a_plain_slice():
    # Names repeat: the order of the ids among equal names is part of the directory's order.
    Organization.objects.bulk_create(
        Organization(name=f"Same {n % 4}", slug=f"same-{n:02}", sector="civil_society")
        for n in range(30)
    )
    rows = Organization.objects.filter(sector="civil_society").order_by("name", "pk")
    everything = list(rows.values_list("pk", flat=True))
    paginator = CappedPaginator(rows, 4, cap=10)
    paginator.deep_offset = 8
    with CaptureQueriesContext(connection) as queries:
        pages = [[row.pk for row in paginator.page(number).object_list] for number in range(1, 9)]
    assert pages == [everything[n : n + 4] for n in range(0, 32, 4)]
    page_queries = [q["sql"] for q in queries if "LIMIT" in q["sql"] and "COUNT" not in q["sql"]]
    assert ["IN (SELECT" in sql for sql in page_queries] == [False, False] + [True] * 6


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ({}, '"name" ASC, "organizations_organization"."id" ASC'),
        (
            {"sort": "-updated"},
            '"updated_at" DESC, "organizations_organization"."name" ASC, '
            '"organizations_organization"."id" ASC',
        ),
    ],
)
def test_the_directory_orders_equal_names_by_id(query, order):
    # Names repeat; without the id, which of two equal names ends a page is up to the plan,
    # and the next page could show it again or skip the other.
    _public(30)
    with CaptureQueriesContext(connection) as queries:
        Client().get(DIRECTORY, query)
    pages = [q["sql"] for q in queries if q["sql"].endswith("LIMIT 25")]
    assert len(pages) == 1
    assert pages[0].endswith(f'ORDER BY "organizations_organization".{order} LIMIT 25')


def test_an_exact_count_links_the_first_and_last_pages():
    _public(130)  # six pages of 25
    assert _pages(Client().get(DIRECTORY).content.decode()) == "Page 1 of 6 Next Last page"
    middle = Client().get(DIRECTORY, {"page": 3}).content.decode()
    assert _pages(middle) == "First page Previous Page 3 of 6 Next Last page"
    assert 'href="?page=6">Last page</a>' in middle and 'href="?page=1">First page</a>' in middle
    # Beside its neighbour, the first or last page is linked as Previous or Next only.
    assert _pages(Client().get(DIRECTORY, {"page": 5}).content.decode()) == (
        "First page Previous Page 5 of 6 Next"
    )


def test_a_capped_count_links_no_last_page(settings):
    settings.LIST_COUNT_CAP = 30
    _public(130)
    body = Client().get(DIRECTORY, {"page": 3}).content.decode()
    assert _pages(body) == "First page Previous Page 3 of 4 or more Next"


def test_a_page_past_the_end_says_which_page_it_shows(settings):
    _public(60)
    body = Client().get(DIRECTORY, {"page": 7}).content.decode()
    assert "There is no page 7; this is page 3, the last." in body
    assert _pages(body) == "First page Previous Page 3 of 3"
    assert "There is no page" not in Client().get(DIRECTORY, {"page": 3}).content.decode()
    # Past the rows of a capped count as well, once counted.
    settings.LIST_COUNT_CAP = 30
    assert "There is no page 9; this is page 3, the last." in (
        Client().get(DIRECTORY, {"page": 9}).content.decode()
    )


def test_exact_counts_are_grouped_in_the_readers_language():
    _public(1234)
    assert _heading(Client().get(DIRECTORY).content.decode()) == "1,234 organizations"
    french = Client().get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert _heading(french) == "1\xa0234 organisations"
