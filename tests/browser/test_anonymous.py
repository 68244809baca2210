"""Anonymous visitors: the home page, the directory search, a profile, a letter's check."""

import pytest

from tests.browser.pages import Visitor, assert_clean
from tests.browser.world import approved_cso

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_home(visitor: Visitor) -> None:
    visitor.goto("/", "home")
    visitor.choose_language()
    visitor.check("home")
    expect_heading(visitor, "Global Solutions Exchange")


def search_directory(visitor: Visitor, words: str) -> None:
    # By keyboard: type in the search box and press Enter to apply the filters.
    visitor.follow(visitor.nav("Organizations"), "directory")
    search = visitor.field("Search")
    search.fill(words)
    with visitor.page.expect_navigation():
        search.press("Enter")
    visitor.check("directory-search")


def filter_directory(visitor: Visitor, country_code: str) -> None:
    # The filters fold away on a phone; a filter in force keeps them open.
    visitor.field("Country").select_option(country_code)
    visitor.follow(visitor.button("Apply"), "directory-filters")
    assert visitor.page.locator("details.filters").get_attribute("open") is not None


def open_profile(visitor: Visitor, name: str) -> None:
    visitor.follow(visitor.page.get_by_role("link", name=name, exact=True), "profile")
    # The heading is the name, followed by the acronym when there is one.
    assert visitor.page.get_by_role("heading", level=1).inner_text().startswith(name)


def verify_letter(visitor: Visitor, code: str, expected: str, status: int = 200) -> None:
    visitor.goto(
        f"/verify/{code}/", "verify-letter" if status == 200 else "verify-letter-unknown", status
    )
    assert visitor.page.get_by_text(visitor.t(expected)).is_visible()


def expect_heading(visitor: Visitor, text: str) -> None:
    assert visitor.page.get_by_role("heading", level=1).inner_text().strip() == visitor.t(text)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_anonymous_visitor_finds_an_organization_and_checks_its_letter(visitors, language):
    organization, application = approved_cso()
    visitor = visitors(language, "an anonymous visitor")

    open_home(visitor)
    search_directory(visitor, "Femmes")
    filter_directory(visitor, "SN")
    open_profile(visitor, organization.name)
    verify_letter(visitor, application.verification_code, "Genuine and valid.")
    verify_letter(
        visitor,
        "NOT-A-REAL-CODE",
        "No letter of recognition was issued with this "
        "code. The letter is not genuine, or the code was mistyped.",
        status=404,
    )

    assert_clean(visitor)
