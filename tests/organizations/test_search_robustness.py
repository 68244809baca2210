"""Search and filters never answer 500, whatever is typed (item 13 of the second security pass)."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from organizations.models import Organization
from tests.conftest import signed_in
from tests.organizations.search_plans import bitmap_indexes, candidates_plan

pytestmark = pytest.mark.django_db

# Letters that unaccent turns into tsquery syntax, NUL, controls and bidi marks.
TRICKY = [
    "\u02bc",  # Hausa modifier letter apostrophe, unaccented to '
    "\u0149",  # ŉ → 'n
    "\u02d0",  # modifier letter triangular colon, unaccented to :
    "\u2474",  # ⑴ → (1)
    "\x00",
    "\x01",
    "\x1b",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "'",
    "\\",
    ":*",
    "&|!()<->",
    "%",
]
ARBITRARY = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=3), max_size=8).map("".join),
)
FILTERS = [
    "q",
    "sector",
    "country",
    "region",
    "theme",
    "women_led",
    "youth_led",
    "language",
    "vetting_status",
    "updated_since",
    "sort",
]
PROPERTY = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


RFP = ["Réseau des Femmes pour la Paix"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hausa\u02bc", []),
        ("\u0149", []),
        ("a\u02d0", RFP),  # the lexeme a, a prefix of "au"
        ("\u2474", []),  # unaccented to (1): the lexeme 1
        ("\u02bc \u02bc", []),
        ("réseau \u2474", RFP),
        ("a\\b", []),
        ("'", RFP),
        ("x'y", []),
        ("a\x00b", []),
        ("\x00", RFP),
    ],
)
def test_search_with_letters_unaccent_maps_to_query_syntax_answers(directory, text, expected):
    response = Client().get("/organizations/", {"q": text})
    assert response.status_code == 200
    api = Client().get("/api/v1/organizations/", {"q": text})
    assert api.status_code == 200
    assert [item["name"] for item in api.json()["results"]] == expected


def test_search_still_matches_prefixes_and_accents_after_quoting(directory, enrolled_reviewer):
    client = signed_in(enrolled_reviewer)
    names = [
        item["name"]
        for item in client.get("/api/v1/organizations/", {"q": "RÉS fem"}).json()["results"]
    ]
    assert names == ["Réseau des Femmes pour la Paix"]


def test_search_with_a_quote_inside_a_word_finds_the_word(directory, enrolled_reviewer):
    # \u0149 unaccents to 'n: quoted, it is the lexeme n, not a syntax error.
    Organization.objects.filter(name="Coastal Youth Forum").update(summary="Dan \u0149 Hausa\u02bc")
    names = [
        item["name"]
        for item in signed_in(enrolled_reviewer)
        .get("/api/v1/organizations/", {"q": "Hausa\u02bc"})
        .json()["results"]
    ]
    assert names == ["Coastal Youth Forum"]


@pytest.mark.parametrize(
    "path",
    [
        "/verify/%00/",
        "/organizations/%00/",
        "/organizations/coastal-youth-forum%00/",
        "/api/v1/organizations/%00/",
        "/%00",
    ],
)
def test_nul_in_the_path_answers_404(directory, path):
    assert Client().get(path).status_code == 404


def test_nul_in_the_query_string_is_ignored(directory):
    page = Client().get("/organizations/?q=%00&sector=civil%00_society")
    assert page.status_code == 200
    assert "Réseau des Femmes pour la Paix" in page.content.decode()
    api = Client().get("/api/v1/organizations/?q=r%00eseau&sector%00=civil_society")
    assert api.status_code == 200
    assert [item["name"] for item in api.json()["results"]] == ["Réseau des Femmes pour la Paix"]


def test_search_is_still_answered_from_its_indexes_for_several_words(directory):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = candidates_plan(Organization.objects.all(), "réseau \u2474 fem")
    assert bitmap_indexes(plan) == {"organization_search", "organization_name_trgm"}


@PROPERTY
@given(parameter=st.sampled_from(FILTERS), value=ARBITRARY)
@example(parameter="q", value="\u02bc")
@example(parameter="updated_since", value="\x00")
def test_directory_page_never_answers_500(directory, parameter, value):
    response = Client().get("/organizations/", {parameter: value})
    assert response.status_code == 200, (parameter, value)


@PROPERTY
@given(parameter=st.sampled_from(FILTERS), value=ARBITRARY)
@example(parameter="q", value="\u2474")
@example(parameter="country", value="\x00")
def test_api_list_answers_200_or_400_naming_the_parameter(directory, parameter, value):
    response = Client().get("/api/v1/organizations/", {parameter: value})
    assert response.status_code in (200, 400), (parameter, value, response.status_code)
    if response.status_code == 400:
        assert list(response.json()) == [parameter], (parameter, value)


@PROPERTY
@given(value=ARBITRARY)
def test_signed_in_search_never_answers_500(directory, enrolled_reviewer, value):
    client = signed_in(enrolled_reviewer)
    assert client.get("/organizations/", {"q": value}).status_code == 200
    assert client.get("/api/v1/organizations/", {"q": value}).status_code in (200, 400)
