"""The directory's folding filters with counts per option, country names in any language as
search words, and "Did you mean" (items 9 and 11)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Organization, VisibilityTier
from tests.conftest import signed_in
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
DIRECTORY = reverse("organizations:directory")


def _option(body: str, name: str, value: str) -> str | None:
    """The label of one option of the filter ``name``, or None when it is not offered."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, name
    found = re.search(rf'<option value="{value}"[^>]*>([^<]*)</option>', select.group(1))
    return found.group(1) if found else None


def _names(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+"><bdi>([^<]+)</bdi>', response.content.decode())


def test_filter_options_show_how_many_results_each_keeps(directory, outsider):
    body = signed_in(outsider).get(DIRECTORY).content.decode()
    # The outsider sees the public and the network organization, not the restricted one.
    assert _option(body, "sector", "civil_society") == "Civil society (2)"
    assert _option(body, "sector", "government") == "Government (0)"
    assert _option(body, "women_led", "true") == "Yes (1)"
    assert _option(body, "women_led", "false") == "No (1)"
    assert _option(body, "youth_led", "true") == "Yes (1)"
    assert _option(body, "region", "sub_saharan_africa") == "Sub-Saharan Africa (2)"
    assert _option(body, "vetted", "false") == "No (2)"
    assert _option(body, "language", "fr") == "French (1)"
    assert _option(body, "language", "sw") == "Swahili (1)"
    assert _option(body, "sector", "") == "Any"


def test_filter_counts_never_reveal_an_organization_the_reader_cannot_see(
    directory, outsider, restricted_member
):
    # The restricted organization works in Yemen (Middle East and North Africa), in Arabic.
    theirs = signed_in(outsider).get(DIRECTORY).content.decode()
    assert _option(theirs, "region", "middle_east_north_africa") == (
        "Middle East and North Africa (0)"
    )
    assert _option(theirs, "language", "ar") is None  # no result speaks it: not offered
    mine = signed_in(restricted_member).get(DIRECTORY).content.decode()
    assert _option(mine, "region", "middle_east_north_africa") == (
        "Middle East and North Africa (1)"
    )
    assert _option(mine, "language", "ar") == "Arabic (1)"
    anonymous = Client().get(DIRECTORY).content.decode()
    assert _option(anonymous, "sector", "civil_society") == "Civil society (1)"


def test_filter_counts_follow_the_filters_in_force(directory, outsider):
    body = signed_in(outsider).get(DIRECTORY, {"women_led": "true"}).content.decode()
    assert _option(body, "sector", "civil_society") == "Civil society (1)"
    assert _option(body, "youth_led", "true") == "Yes (0)"
    # A chosen language stays offered even when no result speaks it.
    body = signed_in(outsider).get(DIRECTORY, {"language": "zu"}).content.decode()
    assert _option(body, "language", "zu") == "Zulu (0)"


def test_filters_fold_away_and_open_when_one_is_in_force(directory):
    closed = Client().get(DIRECTORY).content.decode()
    assert '<details class="filters">' in closed
    assert '<summary class="filters__toggle">Filters</summary>' in closed
    opened = Client().get(DIRECTORY, {"women_led": "true", "q": "paix"}).content.decode()
    assert '<details class="filters" open>' in opened
    assert '<summary class="filters__toggle">Filters (1 in use)</summary>' in opened
    # The search box stays outside the folded filters, and alone it does not unfold them.
    searched = Client().get(DIRECTORY, {"q": "paix"}).content.decode()
    assert '<details class="filters">' in searched
    assert searched.index('name="q"') < searched.index('<details class="filters">')
    invalid = Client().get(DIRECTORY, {"sector": "army"}).content.decode()
    assert '<details class="filters" open>' in invalid


@pytest.mark.parametrize("rows", [1, 30])
def test_filtered_directory_runs_a_constant_number_of_queries(
    django_assert_num_queries, rows, outsider
):
    for n in range(rows):
        OrganizationFactory(name=f"Org {n:03}", visibility_tier="network", women_led=True)
    client = signed_in(outsider)
    client.get(reverse("home"))  # the first request of a session records it
    # session, user, the user's roles (one query for the MFA, secretariat and navigation
    # checks), the search in its own savepoint (savepoint, query terms, candidates, rollback,
    # release), count, option counts (one query, themes included), page, themes of the page,
    # themes of the filter form, the header's counts: the same for one row and many
    with django_assert_num_queries(14):
        response = client.get(DIRECTORY, {"women_led": "true", "q": "org"})
    assert f"Yes ({rows})" in response.content.decode()


@pytest.fixture
def in_chad(db):
    return [
        OrganizationFactory(
            name="Sahel Women Mediators",
            slug="sahel-women-mediators",
            visibility_tier=VisibilityTier.PUBLIC,
            countries=["TD", "NE"],
            summary="Mediation between herders and farmers.",
        ),
        OrganizationFactory(
            name="Lake Basin Forum",
            slug="lake-basin-forum",
            visibility_tier=VisibilityTier.PUBLIC,
            headquarters_country="TD",
        ),
        OrganizationFactory(
            name="Dakar Peace Circle",
            slug="dakar-peace-circle",
            visibility_tier=VisibilityTier.PUBLIC,
            headquarters_country="SN",
        ),
    ]


@pytest.mark.parametrize("query", ["Tchad", "tchad", "Chad", "تشاد", "República del Chad"])
def test_a_country_named_in_any_language_finds_who_works_there(in_chad, query):
    response = Client().get(DIRECTORY, {"q": query})
    assert sorted(_names(response)) == ["Lake Basin Forum", "Sahel Women Mediators"]


def test_a_country_and_other_words_need_both(in_chad):
    # Working in Chad *and* "herders" in the text; or both words in the text.
    response = Client().get(DIRECTORY, {"q": "Tchad herders"})
    assert _names(response) == ["Sahel Women Mediators"]
    api = Client().get("/api/v1/organizations/", {"q": "السنغال"}).json()
    assert [item["name"] for item in api["results"]] == ["Dakar Peace Circle"]


def test_nothing_found_suggests_countries_in_the_readers_language(in_chad):
    response = Client().get(DIRECTORY, {"q": "Tchat"}, HTTP_ACCEPT_LANGUAGE="fr")
    body = response.content.decode()
    assert _names(response) == []
    assert '<a href="?q=Tchad"><bdi>Tchad</bdi></a>' in body


def test_nothing_found_suggests_organizations_the_reader_can_see(directory, outsider):
    response = signed_in(outsider).get(DIRECTORY, {"q": "coastel yuoth"})
    body = response.content.decode()
    assert _names(response) == []
    assert '<a href="?q=Coastal%20Youth%20Forum"><bdi>Coastal Youth Forum</bdi></a>' in body


def test_suggestions_never_reveal_an_organization_the_reader_cannot_see(directory, outsider):
    hidden = OrganizationFactory(
        name="Coastal Youth Shelter",
        slug="coastal-youth-shelter",
        visibility_tier=VisibilityTier.RESTRICTED,
    )
    theirs = signed_in(outsider).get(DIRECTORY, {"q": "coastel yuoth"}).content.decode()
    assert "Coastal Youth Forum" in theirs
    assert "Shelter" not in theirs
    member = MembershipFactory(organization=hidden).user
    mine = signed_in(member).get(DIRECTORY, {"q": "coastel yuoth"}).content.decode()
    assert "<bdi>Coastal Youth Shelter</bdi></a></li>" in mine
    assert "Shelter" not in Client().get(DIRECTORY, {"q": "coastel yuoth"}).content.decode()


def test_no_suggestion_when_results_are_found_or_nothing_is_close(directory):
    found = Client().get(DIRECTORY, {"q": "paix"}).content.decode()
    assert "Did you mean" not in found
    nothing = Client().get(DIRECTORY, {"q": "zzzzqqq"}).content.decode()
    assert "Did you mean" not in nothing


def test_options_carry_no_counts_above_the_limit(directory, outsider, settings):
    settings.DIRECTORY_OPTION_COUNTS_LIMIT = 1
    body = signed_in(outsider).get(DIRECTORY).content.decode()  # two results
    assert _option(body, "sector", "civil_society") == "Civil society"
    assert _option(body, "women_led", "true") == "Yes"
    assert _option(body, "theme", "youth") == "Youth"
    # Not counted, so not left out either: every language is offered.
    assert _option(body, "language", "zu") == "Zulu"
    assert not re.search(r"<option [^>]*>[^<]*\(\d+\)</option>", body)
    assert "once the list has 1 results or fewer" in body
    narrowed = signed_in(outsider).get(DIRECTORY, {"women_led": "true"}).content.decode()
    assert _option(narrowed, "sector", "civil_society") == "Civil society (1)"
    assert "results or fewer" not in narrowed


@pytest.mark.parametrize("rows", [1, 30])
def test_the_directory_without_option_counts_runs_a_constant_number_of_queries(
    django_assert_num_queries, rows, settings
):
    settings.DIRECTORY_OPTION_COUNTS_LIMIT = 0
    for n in range(rows):
        OrganizationFactory(name=f"Org {n:03}", visibility_tier="public")
    # count, page, themes of the page, themes of the filter form
    with django_assert_num_queries(4):
        response = Client().get(DIRECTORY)
    assert response.content.decode().count('<li class="result">') == min(rows, 25)


def test_the_country_filter_reads_every_stored_form_of_the_countries():
    def organization(slug, headquarters="", countries=()):
        return OrganizationFactory(
            name=slug.title(),
            slug=slug,
            visibility_tier=VisibilityTier.PUBLIC,
            headquarters_country=headquarters,
            countries=list(countries),
        )

    organization("seat-only", headquarters="NE")  # countries stored as ""
    organization("one", countries=["NE"])  # "NE"
    organization("several", headquarters="TD", countries=["TD", "NE", "ML"])  # "ML,NE,TD"
    organization("neighbours", countries=["NG", "EG"])  # "EG,NG": the same letters, not NE
    organization("nowhere")
    stored = dict(Organization.objects.values_list("slug", "countries"))
    assert (stored["seat-only"], stored["several"], stored["neighbours"]) == (
        "",
        "ML,NE,TD",
        "EG,NG",
    )

    def found(code):
        response = Client().get(DIRECTORY, {"country": code})
        return sorted(
            re.findall(r'<a href="/organizations/([a-z-]+)/"><bdi>', response.content.decode())
        )

    assert found("NE") == ["one", "seat-only", "several"]
    assert found("TD") == ["several"]
    assert found("EG") == ["neighbours"]
    assert found("GN") == []
    assert list(
        Organization.objects.filter(countries__codes__contains=["ML"]).values_list(
            "slug", flat=True
        )
    ) == ["several"]


def test_option_counts_cover_vetting_themes_and_a_search():
    from datetime import timedelta

    from django.utils import timezone

    from organizations.models import Theme

    youth, education = Theme.objects.get(slug="youth"), Theme.objects.get(slug="education")
    now = timezone.now()
    for slug, vetted_until, themes in [
        ("vetted-peace", now + timedelta(days=30), [youth, education]),
        ("lapsed-peace", now - timedelta(days=1), [youth]),
        ("never-peace", None, []),
        ("other", None, [education]),
    ]:
        OrganizationFactory(
            name=slug.replace("-", " ").title(),
            slug=slug,
            visibility_tier=VisibilityTier.PUBLIC,
            vetted_until=vetted_until,
        ).themes.set(themes)
    body = Client().get(DIRECTORY).content.decode()
    assert (_option(body, "vetted", "true"), _option(body, "vetted", "false")) == (
        "Yes (1)",
        "No (3)",
    )
    assert (_option(body, "theme", "youth"), _option(body, "theme", "education")) == (
        "Youth (2)",
        "Education (2)",
    )
    assert _option(body, "theme", "community-policing") == "Community policing (0)"
    searched = Client().get(DIRECTORY, {"q": "peace"}).content.decode()
    assert _option(searched, "theme", "education") == "Education (1)"
    assert _option(searched, "vetted", "false") == "No (2)"
