"""A government user of a verified ministry signs in with a second factor, finds a CSO in the
directory and asks for an introduction, then finds the request among those sent."""

import pytest

from organizations.models import IntroductionRequest
from tests.browser.pages import Visitor, assert_clean
from tests.browser.steps import sign_in
from tests.browser.world import PASSWORD, approved_cso, verified_government_user
from tests.conftest import TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PURPOSE = "We would like to invite your mediators to the regional consultation on prevention."


def ask_for_introduction(visitor: Visitor, organization_name: str) -> None:
    visitor.follow(visitor.nav("Organizations"), "directory")
    visitor.follow(
        visitor.page.get_by_role("link", name=organization_name, exact=True), "cso-profile"
    )
    visitor.follow(visitor.link("Request an introduction"), "introduction-new")
    visitor.field("Purpose").fill(PURPOSE)
    visitor.submit("Send the request", "introduction-sent")
    visitor.follow(visitor.nav("Introductions"), "introductions-sent")
    assert visitor.page.get_by_role("link", name=organization_name).first.is_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_government_user_asks_for_an_introduction(visitors, language):
    organization, _ = approved_cso()
    user = verified_government_user(language)

    visitor = visitors(language, "a government user")
    visitor.goto("/", "home")
    visitor.choose_language()
    sign_in(visitor, user.email, PASSWORD, secret=TOTP_SECRET)
    visitor.follow(visitor.nav("Home"), "government-dashboard")
    ask_for_introduction(visitor, organization.name)

    introduction = IntroductionRequest.objects.get()
    assert (introduction.organization_id, introduction.purpose) == (organization.pk, PURPOSE)
    assert_clean(visitor)
