"""The recommendations' list page: who sees what (drafts for the secretariat only), bad values
answered with a message naming the field and the typed values kept, canonical addresses as
permalinks, sort orders, search in three languages best match first, pagination, and a
constant number of queries."""

import re
from datetime import date

import pytest
from django.test import Client

from recommendations.models import SourceKind
from recommendations.services import recommendation_create, source_document_create
from recommendations.views import browse
from tests.conftest import signed_in
from tests.recommendations.test_browse_world import make_browse_world

PUBLISHED = ["A-1", "B-1", "C-1"]


@pytest.fixture
def browse_world(reviewer, working_group):
    return make_browse_world(reviewer, working_group)


def _client(request, role) -> Client:
    return Client() if role == "anonymous" else signed_in(request.getfixturevalue(role))


def _references(page: str) -> list[str]:
    return re.findall(r'<bdi class="rec-reference">([^<]+)</bdi>', page)


def _get(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.get("Location"))
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("anonymous", PUBLISHED),
        ("outsider", PUBLISHED),
        ("cso_member", PUBLISHED),
        ("government_user", PUBLISHED),
        ("reviewer", ["A-1", "B-1", "C-1", "D-draft", "E-draft"]),
    ],
)
def test_drafts_are_listed_for_the_secretariat_only(browse_world, request, role, seen):
    client = _client(request, role)
    page = _get(client, "/recommendations/")
    assert _references(page) == seen
    assert page.count(">Draft</span>") == len(seen) - 3
    assert ('name="published"' in page) is (role == "reviewer")
    # Naming a draft's only source is naming something unknown to all but the secretariat.
    unpublished = browse_world["unpublished"].public_id
    expected = 200 if role == "reviewer" else 400
    page = _get(client, f"/recommendations/?source={unpublished}", expected)
    assert _references(page) == (["D-draft"] if role == "reviewer" else [])
    page = _get(client, "/recommendations/?published=false", 200)
    assert _references(page) == (["D-draft", "E-draft"] if role == "reviewer" else [])


def test_signed_in_pages_are_never_stored_by_the_browser(browse_world, outsider):
    response = signed_in(outsider).get("/recommendations/")
    assert response["Cache-Control"] == "no-store, private"


def test_each_result_shows_its_reference_title_source_addressees_statuses_and_themes(
    browse_world,
):
    page = _get(Client(), "/recommendations/?country=KE")
    item = page[page.index('<li class="result">') :]
    item = re.sub(r"\s+", " ", item[: item.index("</li>")])
    a1 = browse_world["old"].recommendations.get(reference="A-1")
    assert f'<a href="/recommendations/{a1.public_id}/">' in item
    assert "Community policing with women officers" in item
    assert "Community policing brief</bdi> (2017)" in item
    assert "Addressed to: Governments, Security sector" in item
    assert "<dt>Reported by the addressee</dt> <dd>Implemented</dd>" in item
    assert "<dt>Assessed by civil society</dt> <dd>Stalled</dd>" in item
    assert '<span class="tag">Community policing</span>' in item


@pytest.mark.parametrize(
    ("query", "field", "label"),
    [
        ("theme=no-such-theme", "theme", "Theme"),
        ("addressee_type=everyone", "addressee_type", "Addressed to"),
        ("organization=women-at-risk", "organization", "Addressed organization"),
        ("self_status=done", "self_status", "Status reported by the addressee"),
        (
            "independent_status=stalled%00x",
            "independent_status",
            "Status assessed by civil society",
        ),
        ("source=not-a-uuid", "source", "Source document"),
        ("working_group=dormant", "working_group", "Working group"),
        ("cycle=gsx-1999", "cycle", "Review cycle"),
        ("country=XX", "country", "Country"),
        ("region=atlantis", "region", "Region"),
        ("year=1789", "year", "Year"),
        ("year=" + "9" * 400, "year", "Year"),
        ("ordering=-reference%3B+drop+table", "ordering", "Sort by"),
        ("q=" + "x" * 201, "q", "Search"),
        ("updated_since=yesterday", "updated_since", "Updated since"),
    ],
)
def test_a_bad_value_is_named_in_an_error_summary(browse_world, query, field, label):
    # The other fields keep what was typed.
    path = f"/recommendations/?{query}" if field == "q" else f"/recommendations/?q=police&{query}"
    client = Client()
    response = client.get(path)
    if response.status_code == 302:  # the canonical order first
        path = response["Location"]
        response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 400
    summary = page[page.index('<div class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert set(re.findall(r'<a href="#id_(\w+)">([^:]+):', summary)) == {(field, label)}
    if field != "q":
        assert 'value="police"' in page
    assert _references(page) == []
    assert "Correct the filters above to see the recommendations." in page


@pytest.mark.parametrize("text", ["\u202epolice", "police\u0301", "🙂", "'\"<b>", "-", '"', "!!"])
def test_odd_but_valid_text_is_searched_not_refused(browse_world, text):
    page = _get(Client(), "/recommendations/?" + _encoded(q=text))
    assert "<b>" not in page
    assert 'name="q"' in page


def _encoded(**params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("?q=&theme=&ordering=&page=1", "/recommendations/"),
        ("?year=2019&addressee_type=donors", "/recommendations/?addressee_type=donors&year=2019"),
        ("?utm_source=mail&country=NG", "/recommendations/?country=NG"),
        ("?country=KE&country=NG", "/recommendations/?country=NG"),
        ("?q=police+women&ordering=", "/recommendations/?q=police+women"),
    ],
)
def test_a_query_is_sent_to_its_canonical_address(browse_world, asked, canonical):
    response = Client().get(f"/recommendations/{asked}")
    assert response.status_code == 302
    assert response["Location"] == canonical
    assert Client().get(canonical).status_code == 200


def test_the_permalink_reproduces_the_view(browse_world):
    path = "/recommendations/?addressee_type=governments&ordering=-date"
    page = _get(Client(), path)
    link = re.search(r'<a href="([^"]+)" rel="bookmark">', page).group(1)
    assert link.replace("&amp;", "&") == path
    assert _references(_get(Client(), link.replace("&amp;", "&"))) == ["B-1", "A-1"]
    assert _references(page) == ["B-1", "A-1"]
    # The page number is not part of the view's permalink.
    page = _get(Client(), "/recommendations/?country=NG&page=2")
    assert re.search(r'<a href="([^"]+)" rel="bookmark">', page).group(1) == (
        "/recommendations/?country=NG"
    )


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["A-1", "B-1", "C-1"]),
        ("reference", ["A-1", "B-1", "C-1"]),
        ("-date", ["B-1", "C-1", "A-1"]),
        ("date", ["A-1", "B-1", "C-1"]),
        ("self_status", ["A-1", "B-1", "C-1"]),
        ("independent_status", ["A-1", "B-1", "C-1"]),
    ],
)
def test_each_sort_order(browse_world, reviewer, ordering, expected):
    path = "/recommendations/" + (f"?ordering={ordering}" if ordering else "")
    assert _references(_get(Client(), path)) == expected


def test_status_sorts_put_what_is_done_first(browse_world, reviewer):
    page = _get(signed_in(reviewer), "/recommendations/?ordering=independent_status")
    # A-1 stalled; the others have no visible assessment (B-1's is hidden).
    assert _references(page) == ["A-1", "B-1", "C-1", "D-draft", "E-draft"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("policed", ["A-1", "B-1"]),  # English and French stemming: "police"
        ("politique", ["B-1"]),
        ("organization", ["A-1"]),
        ("المجتمع", ["C-1"]),
        ('"community policing" -women', []),
    ],
)
def test_search_in_three_languages_through_the_page(browse_world, text, found):
    page = _get(Client(), "/recommendations/?" + _encoded(q=text))
    assert _references(page) == found


def test_search_results_come_best_match_first_unless_sorted(browse_world, reviewer):
    source = source_document_create(
        by=reviewer, title="Mediation", kind=SourceKind.BRIEF, published_on=date(2020, 1, 1)
    )
    for reference, title, text in [
        ("M-1", "Local dialogue", "Support mediation once."),
        ("M-2", "Mediation by women mediators", "Mediation, mediation and mediators."),
    ]:
        recommendation_create(
            by=reviewer, source=source, reference=reference, title=title, text=text, published=True
        )
    page = _get(Client(), "/recommendations/?q=mediation")
    assert _references(page) == ["M-2", "M-1"]
    assert "Best matches first." in page
    assert _references(_get(Client(), "/recommendations/?ordering=reference&q=mediation")) == [
        "M-1",
        "M-2",
    ]


def test_a_large_match_set_is_capped_and_sorted_by_reference(browse_world, monkeypatch):
    monkeypatch.setattr(browse, "SEARCH_COUNT_CAP", 1)
    page = _get(Client(), "/recommendations/?q=police")
    assert "More than 1 recommendations" in page
    assert "Too many matches to rank: sorted by reference." in page
    assert _references(page) == ["A-1", "B-1"]


def _many(reviewer, rows: int, prefix="N"):
    source = source_document_create(
        by=reviewer, title="Many", kind=SourceKind.BRIEF, published_on=date(2022, 2, 2)
    )
    for n in range(rows):
        recommendation_create(
            by=reviewer,
            source=source,
            reference=f"{prefix}-{n:03}",
            title=f"Number {n}",
            text="Words.",
            addressee_types=["donors"],
            published=True,
        )


def test_pages_of_25(browse_world, reviewer):
    _many(reviewer, 30)
    first = _get(Client(), "/recommendations/?year=2022")
    assert "30 recommendations" in first
    assert _references(first) == [f"N-{n:03}" for n in range(25)]
    assert 'href="?year=2022&amp;page=2"' in first
    second = _get(Client(), "/recommendations/?page=2&year=2022")
    assert _references(second) == [f"N-{n:03}" for n in range(25, 30)]
    past = _get(Client(), "/recommendations/?page=99&year=2022")
    assert "There is no page 99; this is page 2, the last." in past
    assert _references(past) == _references(second)
    for junk in ("abc", "0", "-3", "1e3", "9" * 50, "2%00"):
        page = _get(Client(), f"/recommendations/?page={junk}&year=2022")
        assert _references(page) in (_references(first), _references(second)), junk


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("role", ["anonymous", "reviewer"])
def test_a_constant_number_of_queries(
    browse_world, reviewer, request, django_assert_num_queries, rows, role
):
    _many(reviewer, rows)
    client = _client(request, role)
    client.get("/recommendations/")  # the session, the user and their roles, once
    # The count, the page, its themes, the facet counts, then the options that name objects:
    # themes, working groups, cycles, addressed organizations, sources.
    # Signed in, the site's own: the session, the user, their roles, their second factor, and
    # what waits for them in the header.
    expected = 9 if role == "anonymous" else 14
    with django_assert_num_queries(expected):
        page = _get(client, "/recommendations/?addressee_type=donors")
    # B-1 addresses donors too, and E-draft (the secretariat's).
    assert len(_references(page)) == min(rows + (1 if role == "anonymous" else 2), 25)


def test_the_page_reads_right_to_left_and_folds_its_filters(browse_world):
    page = _get(Client(headers={"accept-language": "ar"}), "/recommendations/?country=NG")
    assert '<html lang="ar" dir="rtl">' in page
    # The filters fold into <details> on small screens (open when one is in force), after
    # the search box and the sort, which stay in view; every select has its label.
    form = page[page.index('<form method="get" action="/recommendations/"') :]
    form = form[: form.index("</form>")]
    assert form.index('name="q"') < form.index('name="ordering"') < form.index("<details")
    assert '<details class="filters" open>' in form
    for name in re.findall(r'<select name="(\w+)"', form):
        assert f'<label for="id_{name}">' in form, name
    assert "<bdi>Police de proximité</bdi>" in page


def test_the_main_navigation_links_the_list_after_meetings(db):
    page = _get(Client(), "/")
    nav = page[page.index('<ul class="nav">') :]
    assert nav.index('href="/meetings/"') < nav.index('href="/recommendations/"')


def test_an_organization_named_by_its_id_stays_chosen_and_the_exports_take_the_query(
    browse_world,
):
    ministry = browse_world["ministry"]
    path = f"/recommendations/?organization={ministry.public_id}"  # the cycle page's links
    page = _get(Client(), path)
    assert _references(page) == ["A-1"]
    chosen = f'<option value="{ministry.public_id}" selected>Ministry of Interior (1)</option>'
    assert chosen in page
    query = f"?organization={ministry.public_id}"
    assert f'href="/recommendations/export.csv{query}"' in page
    assert f'href="/recommendations/export.xlsx{query}"' in page
