"""A newcomer from a CSO: creates an account, registers the organization, fills the profile,
adds a contact, and applies for vetting (draft, then submitted)."""

import pytest

from organizations.models import Organization, Sector, VettingStatus
from tests.browser.pages import Visitor, assert_clean
from tests.browser.steps import choice_label, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Sahel Women Mediators"


# Form fields are found by their labels, which for model fields are the fields' verbose names
# (lower case in the catalogues, capitalised by the form).


def register_organization(visitor: Visitor) -> None:
    visitor.follow(visitor.nav("Organizations"), "directory")
    visitor.follow(visitor.link("Register an organization"), "register-organization")
    visitor.field("name").fill(NAME)
    visitor.field("sector").select_option(label=choice_label(visitor, Sector.CIVIL_SOCIETY))
    visitor.field("summary").fill("Women mediators in cross-border communities.")
    visitor.submit("Save", "profile")
    assert visitor.page.get_by_role("heading", level=1).inner_text().startswith(NAME)


def fill_profile(visitor: Visitor) -> None:
    visitor.follow(visitor.link("Edit the profile"), "edit-profile")
    visitor.field("description").fill(
        "Since 2015 we train women mediators in the border villages of the Sahel."
    )
    visitor.field("website").fill("https://sahel-mediators.example.org")
    visitor.submit("Save", "profile-filled")


def add_contact(visitor: Visitor) -> None:
    visitor.follow(visitor.link("Contacts"), "contacts")
    visitor.field("name").fill("Aïssata Traoré")
    visitor.field("role").fill("Coordinator")
    visitor.field("email").fill("aissata@sahel-mediators.example.org")
    visitor.field("phone").fill("+223 20 22 33 44")
    visitor.submit("Save", "contacts-added")
    assert visitor.page.get_by_role("cell", name="Aïssata Traoré").is_visible()
    visitor.follow(visitor.link("Back to the profile"), "profile")


def open_vetting(visitor: Visitor) -> None:
    visitor.follow(visitor.link("Vetting"), "vetting")
    visitor.submit("Start an application", "vetting-started")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.DRAFT)


def evidence_fields(visitor: Visitor):
    # One text box per criterion, labelled with the criterion's title.
    return visitor.page.locator("form textarea[name^='criterion_']")


def write_evidence_and_save_draft(visitor: Visitor) -> None:
    evidence_fields(visitor).first.fill("We are led by women from the communities we serve.")
    visitor.submit("Save", "vetting-draft")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.DRAFT)
    assert evidence_fields(visitor).first.input_value() == (
        "We are led by women from the communities we serve."
    )


def submit_application(visitor: Visitor) -> None:
    fields = evidence_fields(visitor)
    for index in range(fields.count()):
        if not fields.nth(index).input_value():
            fields.nth(index).fill(f"Our practice, with examples from 2024 and 2025 ({index}).")
    visitor.submit("Save and submit", "vetting-submitted")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.SUBMITTED)


def status_shown(visitor: Visitor) -> str:
    facts = visitor.page.locator("dl.facts")
    term = facts.get_by_text(visitor.t("Status"), exact=True)
    return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_cso_staffer_joins_registers_and_applies_for_vetting(visitors, language):
    visitor = visitors(language, "a new CSO staffer")

    sign_up(visitor, "aissata@sahel-mediators.example.org", "a long and private pass phrase")
    visitor.choose_language()  # saved on the new account, which starts in English
    register_organization(visitor)
    fill_profile(visitor)
    add_contact(visitor)
    open_vetting(visitor)
    write_evidence_and_save_draft(visitor)
    submit_application(visitor)

    organization = Organization.objects.get(name=NAME)
    assert organization.vetting_applications.get().status == VettingStatus.SUBMITTED
    assert_clean(visitor)
