"""Arabic search through the index: diacritics, tatweel, letter forms, the article and attached
particles are folded the same way in the stored document and in the query (item 8)."""

import pytest
from django.db import connection
from django.test import Client

from organizations.models import Organization, VisibilityTier
from organizations.search import organizations_search
from tests.conftest import signed_in
from tests.factories import OrganizationFactory
from tests.organizations.search_plans import bitmap_indexes, candidates_plan

pytestmark = pytest.mark.django_db
PUBLIC = VisibilityTier.PUBLIC


def _found(text):
    return sorted(
        organizations_search(Organization.objects.all(), text).values_list("name", flat=True)
    )


@pytest.fixture
def arabic_directory(db):
    names = [
        "جمعية نساء من أجل السلام",  # Women for Peace Association
        "مـــدرسة الحوار",  # School of dialogue, with tatweel
        "ملتقى الشباب",  # Youth forum (alef maqsura)
        "مؤسسة الرحمة",  # Mercy foundation (hamza on waw, ta marbuta)
        "والسلام للتنمية",  # "And peace" for development
    ]
    for index, name in enumerate(names):
        OrganizationFactory(
            name=name, slug=f"arabic-{index}", visibility_tier=VisibilityTier.PUBLIC
        )
    OrganizationFactory(
        name="Coastal Mediators", slug="coastal", visibility_tier=VisibilityTier.PUBLIC
    )
    return names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The article on the query only: النساء finds نساء.
        ("النساء", ["جمعية نساء من أجل السلام"]),
        # Shadda and other harakat are ignored: السّلام finds السلام (and والسلام by its stem).
        ("السّلام", ["جمعية نساء من أجل السلام", "والسلام للتنمية"]),
        # Hamza forms of alef are folded: اجل finds أجل.
        ("اجل", ["جمعية نساء من أجل السلام"]),
        ("أجل", ["جمعية نساء من أجل السلام"]),
        # Tatweel in the name does not hide it, and typed tatweel is ignored too.
        ("مدرسة", ["مـــدرسة الحوار"]),
        ("مـدرسـة", ["مـــدرسة الحوار"]),
        # Alef maqsura and ya are one letter to the search.
        ("ملتقي", ["ملتقى الشباب"]),
        # Ta marbuta and ha; hamza on waw and bare waw.
        ("مؤسسه", ["مؤسسة الرحمة"]),
        ("موسسة", ["مؤسسة الرحمة"]),
        ("رحمه", ["مؤسسة الرحمة"]),
        # An attached و (and) on the stored word: سلام finds والسلام and السلام.
        ("سلام", ["جمعية نساء من أجل السلام", "والسلام للتنمية"]),
        # An attached و on the query word: ونساء finds نساء.
        ("ونساء", ["جمعية نساء من أجل السلام"]),
        # لل (for the) is stripped from the stored word: تنمية finds للتنمية.
        ("تنمية", ["والسلام للتنمية"]),
        # Prefix match still holds for Arabic words being typed.
        ("الحو", ["مـــدرسة الحوار"]),
        # Every word must match.
        ("نساء الشباب", []),
    ],
)
def test_arabic_search_folds_letters_and_articles(arabic_directory, query, expected):
    assert _found(query) == sorted(expected)


def test_a_short_word_keeps_its_first_letter(arabic_directory):
    # و + a two-letter rest is a word of its own (e.g. وطن), never stripped to nothing.
    OrganizationFactory(name="وطن", slug="watan", visibility_tier=VisibilityTier.PUBLIC)
    assert _found("طن") == []
    assert _found("وطن") == ["وطن"]


def test_arabic_search_through_the_directory_page_and_the_api(arabic_directory):
    page = Client().get("/organizations/", {"q": "النساء"})
    assert page.status_code == 200
    assert "جمعية نساء من أجل السلام" in page.content.decode()
    assert "مؤسسة الرحمة" not in page.content.decode()
    api = Client().get("/api/v1/organizations/", {"q": "السّلام"}).json()
    assert sorted(item["name"] for item in api["results"]) == [
        "جمعية نساء من أجل السلام",
        "والسلام للتنمية",
    ]


@pytest.mark.parametrize(
    "query",
    ["\u064b\u064c\u0651", "\u0640\u0640", "\u0651 \u0640", "\u0670"],
    ids=["harakat-and-shadda", "tatweel", "marks-and-tatweel", "superscript-alef"],
)
def test_a_query_of_arabic_marks_only_is_no_search_rather_than_a_500(arabic_directory, query):
    # Normalised, such a word is an empty lexeme: PostgreSQL calls "'':*" a syntax error.
    everyone = sorted(Organization.objects.values_list("name", flat=True))
    page = Client().get("/organizations/", {"q": query})
    assert page.status_code == 200
    assert "جمعية نساء من أجل السلام" in page.content.decode()
    api = Client().get("/api/v1/organizations/", {"q": query})
    assert api.status_code == 200
    assert sorted(item["name"] for item in api.json()["results"]) == everyone
    assert _found(f"{query} النساء") == ["جمعية نساء من أجل السلام"]


def test_latin_search_is_unchanged_by_the_arabic_folding(arabic_directory, directory):
    assert _found("reseau FEM") == ["Réseau des Femmes pour la Paix"]
    assert _found("PRÉVENTION") == ["Réseau des Femmes pour la Paix"]


def test_arabic_search_is_answered_from_the_indexes(arabic_directory):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = candidates_plan(Organization.objects.all(), "النساء السّلام")
    assert bitmap_indexes(plan) == {"organization_search", "organization_name_trgm"}


def test_the_stored_document_holds_the_folded_words_and_their_stems(arabic_directory):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document::text FROM organizations_organization WHERE slug = %s",
            ["arabic-4"],
        )
        (document,) = cursor.fetchone()
    # Words of the name weigh A (the summary's D): a match in the name ranks first.
    assert document == "'السلام':5A 'تنميه':4A 'سلام':3A 'لتنميه':6A 'للتنميه':2A 'والسلام':1A"


def test_the_restricted_organization_is_found_in_arabic_only_by_who_may_see_it(
    directory, restricted_member, outsider
):
    # شبكة الشباب للسلام: "سلام" finds it by the stem of للسلام, for its own members only.
    mine = signed_in(restricted_member).get("/api/v1/organizations/", {"q": "سلام"}).json()
    assert [item["name"] for item in mine["results"]] == ["شبكة الشباب للسلام"]
    theirs = signed_in(outsider).get("/api/v1/organizations/", {"q": "سلام"}).json()
    assert theirs["results"] == []
