"""A newcomer from a CSO: creates an account, registers the organization, fills the profile,
adds a contact, and applies for vetting (draft, then submitted)."""

import pytest

from organizations.models import DocumentKind, Organization, Sector, VettingStatus
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
    assert visitor.page.get_by_role("cell", name="Aïssata Traoré", exact=True).is_visible()


def cancel_deleting_contact(visitor: Visitor) -> None:
    """A destructive action asks on a page of its own; Cancel leaves the contact in place."""
    delete = visitor.page.get_by_role("link", name=f"{visitor.t('Delete')} Aïssata Traoré")
    visitor.follow(delete, "confirm-delete-contact")
    assert visitor.page.locator("button.button--danger").count() == 1
    visitor.follow(visitor.link("Cancel"), "contacts")
    assert visitor.page.get_by_role("cell", name="Aïssata Traoré", exact=True).is_visible()
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
    visitor.submit("Save as draft", "vetting-draft")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.DRAFT)
    assert evidence_fields(visitor).first.input_value() == (
        "We are led by women from the communities we serve."
    )


def attach_document(visitor: Visitor) -> None:
    visitor.field("File").set_input_files(
        {"name": "registration.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}
    )
    visitor.field("Kind of document").select_option(
        label=choice_label(visitor, DocumentKind.REGISTRATION)
    )
    visitor.submit("Attach the document", "vetting-document-attached")
    assert visitor.page.get_by_role("link", name="registration.pdf", exact=True).is_visible()


def tiny_pdf() -> bytes:
    """A real one-page PDF (what the upload's content check reads), made here, with its
    cross-reference table's offsets computed."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def submit_application(visitor: Visitor) -> None:
    fields = evidence_fields(visitor)
    for index in range(fields.count()):
        if not fields.nth(index).input_value():
            fields.nth(index).fill(f"Our practice, with examples from 2024 and 2025 ({index}).")
    visitor.submit("Submit the application", "vetting-submitted")
    assert status_shown(visitor) == choice_label(visitor, VettingStatus.SUBMITTED)


def visit_dashboard_and_notifications(visitor: Visitor) -> None:
    visitor.follow(visitor.nav("Home"), "dashboard")
    visitor.follow(visitor.nav("Notifications"), "notifications")


def read_history(visitor: Visitor) -> None:
    visitor.goto(f"/organizations/{Organization.objects.get(name=NAME).slug}/", "profile")
    visitor.follow(visitor.link("History"), "history")


def status_shown(visitor: Visitor) -> str:
    facts = visitor.page.locator("dl.facts")
    term = facts.get_by_text(visitor.t("Status"), exact=True)
    return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_cso_staffer_joins_registers_and_applies_for_vetting(visitors, language):
    visitor = visitors(language, "a new CSO staffer")

    sign_up(
        visitor,
        "Aïssata Traoré",
        "aissata@sahel-mediators.example.org",
        "a long and private pass phrase",
    )
    register_organization(visitor)
    fill_profile(visitor)
    add_contact(visitor)
    cancel_deleting_contact(visitor)
    open_vetting(visitor)
    write_evidence_and_save_draft(visitor)
    attach_document(visitor)
    submit_application(visitor)
    visit_dashboard_and_notifications(visitor)
    read_history(visitor)

    organization = Organization.objects.get(name=NAME)
    application = organization.vetting_applications.get()
    assert application.status == VettingStatus.SUBMITTED
    assert [d.original_name for d in application.documents.all()] == ["registration.pdf"]
    assert_clean(visitor)
