"""A search ranks at most SEARCH_CANDIDATES organizations, taken from its indexes best kind of
match first, among those the reader may see; the page says when the results were limited."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.urls import reverse

from organizations.models import Organization, VisibilityTier
from organizations.search import organization_suggestions, organizations_search
from organizations.selectors import organizations_visible_to
from tests.conftest import signed_in
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
DIRECTORY = reverse("organizations:directory")
PUBLIC = VisibilityTier.PUBLIC
LIMITED = "best matches; add words or filters to narrow them."


def _public(name: str, summary: str = "", **fields) -> Organization:
    return OrganizationFactory(name=name, summary=summary, visibility_tier=PUBLIC, **fields)


def _found(text: str, queryset=None) -> list[str]:
    queryset = Organization.objects.all() if queryset is None else queryset
    return list(organizations_search(queryset, text).values_list("name", flat=True))


def _names(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+"><bdi>([^<]+)</bdi>', response.content.decode())


@pytest.fixture
def kinds_of_match(db):
    """One organization per kind of match for "peace", the weakest created first, so that the
    table's order is the reverse of the best one."""
    _public("Peacce Alliance")  # misspelt in the name: trigram similarity only
    _public("Harmony House", "We train peacebuilders.")  # a prefix, in the summary
    _public("Dialogue Centre", "We build peace in Kivu.")  # the whole word, in the summary
    _public("Peacebuilders Network")  # a prefix, in the name
    _public("Peace Forum")  # the whole word, in the name


def test_whole_words_in_the_name_come_first_then_prefixes_then_the_summary_then_misspellings(
    kinds_of_match,
):
    assert _found("peace") == [
        "Peace Forum",
        "Peacebuilders Network",
        "Dialogue Centre",
        "Harmony House",
        "Peacce Alliance",
    ]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (1, ["Peace Forum"]),
        (2, ["Peace Forum", "Peacebuilders Network"]),
        (3, ["Peace Forum", "Peacebuilders Network", "Dialogue Centre"]),
        (4, ["Peace Forum", "Peacebuilders Network", "Dialogue Centre", "Harmony House"]),
    ],
)
def test_the_candidates_are_the_best_kinds_of_match(kinds_of_match, settings, limit, expected):
    settings.SEARCH_CANDIDATES = limit
    assert _found("peace") == expected


def test_a_prefix_is_asked_for_only_when_whole_words_are_too_few(db, settings):
    settings.SEARCH_CANDIDATES = 2
    _public("Peacebuilders Network")
    _public("Peace House")
    _public("Peace Forum")
    assert _found("peace") == ["Peace Forum", "Peace House"]
    # Typed while the word is unfinished, every name is a prefix match: equally good, the first
    # two the index gives are taken (and then ranked).
    assert len(set(_found("peac")) & {"Peace Forum", "Peace House", "Peacebuilders Network"}) == 2
    settings.SEARCH_CANDIDATES = 3
    assert _found("peac") == ["Peace Forum", "Peace House", "Peacebuilders Network"]


def test_every_word_counts_in_the_tiers(db, settings):
    settings.SEARCH_CANDIDATES = 1
    _public("Women for Peace", "Works with young people.")
    _public("Youth for Peace")
    assert _found("youth peace") == ["Youth for Peace"]
    settings.SEARCH_CANDIDATES = 2
    assert _found("young peace") == ["Women for Peace"]


def test_the_candidates_are_taken_among_what_the_reader_may_see(db, settings):
    settings.SEARCH_CANDIDATES = 2
    # Created first, so that the index would give them first.
    hidden = [
        OrganizationFactory(name=f"Peace Shelter {n}", visibility_tier=VisibilityTier.RESTRICTED)
        for n in range(3)
    ]
    _public("Peace Forum")
    _public("Peace House")
    anonymous = organizations_visible_to(AnonymousUser())
    assert _found("peace", anonymous) == ["Peace Forum", "Peace House"]
    member = organizations_visible_to(MembershipFactory(organization=hidden[0]).user)
    assert len(_found("peace", member)) == 2
    assert set(_found("peace", member)) <= {"Peace Shelter 0", "Peace Forum", "Peace House"}
    settings.SEARCH_CANDIDATES = 4
    assert _found("peace", member) == ["Peace Forum", "Peace House", "Peace Shelter 0"]


def test_a_filter_before_the_search_narrows_the_candidates_not_the_results(db, settings):
    settings.SEARCH_CANDIDATES = 1
    _public("Peace Forum", women_led=False)
    _public("Peace House", women_led=True)
    assert _found("peace", Organization.objects.filter(women_led=True)) == ["Peace House"]


def test_pages_of_a_search_neither_share_nor_skip_an_organization(db):
    # Names repeat (the benchmark's do): the order must still be total.
    for n in range(30):
        _public("Peace Forum", slug=f"peace-forum-{n}")
    slugs = [
        re.findall(r'<h3><a href="/organizations/([^/]+)/">', page.content.decode())
        for page in (
            Client().get(DIRECTORY, {"q": "peace"}),
            Client().get(DIRECTORY, {"q": "peace", "page": 2}),
        )
    ]
    assert [len(page) for page in slugs] == [25, 5]
    assert sorted(slugs[0] + slugs[1]) == sorted(f"peace-forum-{n}" for n in range(30))


def test_the_page_says_when_the_results_were_limited(db, settings):
    settings.SEARCH_CANDIDATES = 2
    for name in ("Peace Forum", "Peace House", "Peace Circle"):
        _public(name)
    limited = Client().get(DIRECTORY, {"q": "peace"})
    assert len(_names(limited)) == 2
    assert f"Showing the 2 {LIMITED}" in limited.content.decode()
    assert LIMITED not in Client().get(DIRECTORY, {"q": "circle"}).content.decode()
    # No search, or one of no word: the whole list is shown, not a limited search.
    assert LIMITED not in Client().get(DIRECTORY).content.decode()
    assert LIMITED not in Client().get(DIRECTORY, {"q": "\u0651"}).content.decode()


def test_the_limit_is_written_the_readers_way(db, settings):
    settings.SEARCH_CANDIDATES = 1000
    OrganizationFactory.create_batch(1000, name="Peace Forum", visibility_tier=PUBLIC)
    english = Client().get(DIRECTORY, {"q": "peace"}).content.decode()
    assert f"Showing the 1,000 {LIMITED}" in english
    french = Client().get(DIRECTORY, {"q": "peace"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1\u202f000" in french or "1\xa0000" in french


def test_the_api_counts_the_candidates_only(db, settings, enrolled_reviewer):
    settings.SEARCH_CANDIDATES = 2
    for name in ("Peace Forum", "Peace House", "Peace Circle"):
        _public(name)
    found = signed_in(enrolled_reviewer).get("/api/v1/organizations/", {"q": "peace"}).json()
    assert found["count"] == 2
    assert len(found["results"]) == 2


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def test_what_the_search_sets_for_its_statements_ends_with_them(kinds_of_match):
    _public("Coastal Youth Forum")
    # Inside the test's transaction, as inside any caller's.
    names = ("max_parallel_workers_per_gather", "enable_seqscan")
    before = {name: _setting(name) for name in names}
    assert _found("peace")
    assert organization_suggestions(Organization.objects.all(), "coastel yuoth") == [
        "Coastal Youth Forum"
    ]
    assert _setting("pg_trgm.word_similarity_threshold") == "0.6"
    assert {name: _setting(name) for name in names} == before
    # The search's own threshold is pg_trgm's default: the misspelling is not close enough.
    assert _found("coastel yuoth") == []


def test_the_other_filters_narrow_the_candidates_before_the_search(db, settings):
    """With the search applied first, a filter would keep only the candidates it happens to
    share with the best matches of the whole directory."""
    settings.SEARCH_CANDIDATES = 2
    for n in range(3):
        _public(f"Peace Forum {n}", sector="civil_society")
    _public("Peace Ministry", sector="government")
    _public("Peace Office", sector="government")
    response = Client().get(DIRECTORY, {"q": "peace", "sector": "government"})
    assert sorted(_names(response)) == ["Peace Ministry", "Peace Office"]
    api = Client().get("/api/v1/organizations/", {"q": "peace", "sector": "government"})
    assert sorted(row["name"] for row in api.json()["results"]) == [
        "Peace Ministry",
        "Peace Office",
    ]
