"""A reviewer of the secretariat signs in with a second factor (by keyboard), assesses an
application, asks for changes; the CSO resubmits; the reviewer approves and the CSO sees it."""

import pytest

from organizations.models import VettingStatus
from tests.browser.pages import Visitor, assert_clean
from tests.browser.steps import choice_label, sign_in, sign_in_by_keyboard
from tests.browser.test_cso_staffer import evidence_fields, status_shown
from tests.browser.world import PASSWORD, cso_with_submitted_application, reviewers
from tests.conftest import TOTP_SECRET
from tests.organizations.conftest import vetting_rate_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGES = "Please describe how your youth clubs choose their facilitators."


def open_application_from_queue(visitor: Visitor, organization_name: str) -> None:
    visitor.follow(visitor.nav("Vetting queue"), "vetting-queue")
    visitor.follow(visitor.page.get_by_role("link", name=organization_name, exact=True), "review")


def rate_every_criterion(visitor: Visitor, rating: str = "met") -> None:
    ratings = visitor.page.locator("select[name^='rating_']")
    for index in range(ratings.count()):
        ratings.nth(index).select_option(rating)
    visitor.page.locator("textarea[name^='note_']").first.fill("Clear, checked with references.")
    visitor.submit("Save the assessment", "review-assessed")


def request_changes(visitor: Visitor) -> None:
    visitor.field("Message to the applicant").fill(CHANGES)
    visitor.submit("Request changes", "review-changes-requested")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.CHANGES_REQUESTED)


def approve(visitor: Visitor) -> None:
    visitor.submit("Approve", "review-approved")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.APPROVED)


def resubmit_as_applicant(visitor: Visitor, slug: str) -> None:
    visitor.goto(f"/organizations/{slug}/", "profile")
    visitor.follow(visitor.link("Vetting"), "vetting-changes-requested")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.CHANGES_REQUESTED)
    assert visitor.page.get_by_text(CHANGES).is_visible()
    evidence_fields(visitor).first.fill(
        "Facilitators are elected each year by the club's members; the secretariat of the forum"
        " trains them for two weeks."
    )
    visitor.submit("Submit the application", "vetting-resubmitted")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.SUBMITTED)


def see_outcome_as_applicant(visitor: Visitor) -> None:
    visitor.page.reload()
    visitor.check("vetting-approved")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.APPROVED)
    assert visitor.button("Download the letter of recognition (PDF)").is_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_reviewer_requests_changes_then_approves(visitors, language):
    first, second = reviewers(language)
    organization, admin, application = cso_with_submitted_application(language)
    # The other reviewer has assessed already: approval needs two.
    vetting_rate_all(application, second)

    reviewer = visitors(language, "a reviewer")
    reviewer.goto("/", "home")
    reviewer.choose_language()
    sign_in_by_keyboard(reviewer, first.email, PASSWORD, TOTP_SECRET)
    reviewer.follow(reviewer.nav("Home"), "reviewer-dashboard")
    open_application_from_queue(reviewer, organization.name)
    rate_every_criterion(reviewer)
    request_changes(reviewer)

    applicant = visitors(language, "the CSO's admin")
    applicant.goto("/", "home")
    applicant.choose_language()
    sign_in(applicant, admin.email, PASSWORD)
    applicant.follow(applicant.nav("Home"), "cso-admin-dashboard")
    applicant.follow(applicant.nav("Notifications"), "cso-admin-notifications")
    resubmit_as_applicant(applicant, organization.slug)

    open_application_from_queue(reviewer, organization.name)
    rate_every_criterion(reviewer)
    approve(reviewer)
    see_outcome_as_applicant(applicant)

    application.refresh_from_db()
    assert application.status == VettingStatus.APPROVED
    assert_clean(reviewer, applicant)
