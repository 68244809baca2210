"""The side-by-side review, the reviewers' queue and what the applicant sees of the ratings."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Criterion
from organizations.services import vetting_assess, vetting_start
from organizations.services.vetting_documents import vetting_document_add
from tests.conftest import enrol_totp, signed_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.organizations.conftest import vetting_rate_all, vetting_submitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
    return len(queries)


def _applicant(name: str):
    organization = OrganizationFactory(name=name)
    admin = MembershipFactory(organization=organization, role="admin").user
    return organization, admin


def test_review_page_puts_evidence_and_documents_beside_the_rating_form(
    cso, cso_admin, enrolled_reviewer
):
    application = vetting_start(organization=cso, by=cso_admin)
    vetting_document_add(
        application=application,
        by=cso_admin,
        upload=SimpleUploadedFile("annual-report.pdf", PDF),
        kind="annual_report",
    )
    from tests.organizations.test_vetting import _all_evidence

    _all_evidence(application, cso_admin)
    from organizations.services import vetting_set_state

    vetting_set_state(application=application, to="submitted", by=cso_admin)
    response = signed_in(enrolled_reviewer).get(reverse("organizations:vetting", args=[cso.slug]))
    page = response.content.decode()
    assert response.templates[0].name == "organizations/vetting_review.html"
    row = page[page.index('id="criterion-core-rights"') :]
    row = row[: row.index('class="review-row"', 10)]
    assert "Evidence for core-rights" in row
    assert 'name="rating_core-rights"' in row
    assert 'name="note_core-rights"' in row
    assert "annual-report.pdf" in page
    assert "Annual report" in page


def test_decision_block_lists_what_blocks_approval_then_says_ready(
    cso, cso_admin, enrolled_reviewer, second_reviewer
):
    application = vetting_submitted(cso, cso_admin)
    url = reverse("organizations:vetting", args=[cso.slug])
    vetting_rate_all(application, enrolled_reviewer)
    vetting_rate_all(application, second_reviewer, except_codes=("core-rights",))
    response = signed_in(enrolled_reviewer).get(url)
    assert response.context["rule_failures"] == [
        "Core value rated “Not met” by Reviewer 2: Human rights, women's rights and peace."
    ]
    assert "Not ready to approve:" in response.content.decode()
    vetting_rate_all(application, second_reviewer)
    page = signed_in(enrolled_reviewer).get(url).content.decode()
    assert "Ready to approve." in page
    assert "Not ready to approve:" not in page


def test_decision_block_counts_reviewers_and_names_criteria_not_yet_assessed(
    cso, cso_admin, enrolled_reviewer
):
    application = vetting_submitted(cso, cso_admin)
    core = Criterion.objects.filter(group="core_value").exclude(code="core-inclusion")
    vetting_assess(
        application=application,
        reviewer=enrolled_reviewer,
        ratings={c.pk: ("met", "") for c in core},
    )
    response = signed_in(enrolled_reviewer).get(reverse("organizations:vetting", args=[cso.slug]))
    assert response.context["rule_failures"] == [
        "Needs 2 reviewers of the secretariat who are not members of the organization; has 1.",
        "Core value not assessed yet: Inclusion of women, youth, minorities and marginalized "
        "groups.",
        "No competency is rated met by every reviewer.",
        "No constituency criterion is rated met by every reviewer.",
    ]


def test_the_applicant_sees_ratings_by_reviewer_number_never_names_or_notes(
    cso, cso_admin, cso_member, enrolled_reviewer, second_reviewer
):
    application = vetting_submitted(cso, cso_admin)
    vetting_rate_all(application, second_reviewer, except_codes=("core-rights",), other="partly")
    vetting_rate_all(application, enrolled_reviewer)
    response = signed_in(cso_member).get(reverse("organizations:vetting", args=[cso.slug]))
    page = response.content.decode()
    assert response.context["columns"] == [1, 2]
    row = next(r for r in response.context["rows"] if r.criterion.code == "core-rights")
    # Numbered by who assessed first: the second reviewer of the fixtures is Reviewer 1 here.
    assert [cell.get_rating_display() for cell in row.cells] == ["Partly met", "Met"]
    assert '<th scope="col">Reviewer 1</th><th scope="col">Reviewer 2</th>' in page
    for reviewer in (enrolled_reviewer, second_reviewer):
        assert reviewer.email not in page
        assert reviewer.name not in page
    assert "note by" not in page


def test_applicants_see_no_ratings_before_any_assessment(cso, cso_admin):
    vetting_submitted(cso, cso_admin)
    page = signed_in(cso_admin).get(reverse("organizations:vetting", args=[cso.slug]))
    assert "Ratings of the reviewers" not in page.content.decode()


def test_the_review_page_runs_a_constant_number_of_queries(cso, cso_admin, enrolled_reviewer):
    application = vetting_submitted(cso, cso_admin)
    client = signed_in(enrolled_reviewer)
    url = reverse("organizations:vetting", args=[cso.slug])
    client.get(url)  # the first request of a session records it
    vetting_rate_all(application, enrolled_reviewer)
    one = _queries(client, url)
    for _ in range(3):
        reviewer = UserFactory(groups=["secretariat"])
        enrol_totp(reviewer)
        vetting_rate_all(application, reviewer)
    application.status = "draft"  # documents are added while the application is editable
    application.save(update_fields=["status"])
    for n in range(4):
        vetting_document_add(
            application=application,
            by=cso_admin,
            upload=SimpleUploadedFile(f"doc-{n}.pdf", PDF),
            kind="other",
        )
    application.status = "in_review"
    application.save(update_fields=["status"])
    assert _queries(client, url) == one


def test_the_applicant_page_runs_a_constant_number_of_queries(cso, cso_admin, enrolled_reviewer):
    application = vetting_start(organization=cso, by=cso_admin)
    client = signed_in(cso_admin)
    url = reverse("organizations:vetting", args=[cso.slug])
    client.get(url)
    vetting_document_add(
        application=application, by=cso_admin, upload=SimpleUploadedFile("a.pdf", PDF), kind="other"
    )
    one = _queries(client, url)
    for n in range(5):
        vetting_document_add(
            application=application,
            by=cso_admin,
            upload=SimpleUploadedFile(f"doc-{n}.pdf", PDF),
            kind="other",
        )
    assert _queries(client, url) == one


# --- The queue ---------------------------------------------------------------------------------


def test_queue_shows_days_waiting_reviewers_and_whether_i_assessed(
    enrolled_reviewer, second_reviewer
):
    first_org, first_admin = _applicant("Sahel Women Mediators")
    second_org, second_admin = _applicant("Lake Chad Youth Forum")
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        old = vetting_submitted(first_org, first_admin)
    with time_machine.travel("2026-03-08 10:00Z", tick=False):
        vetting_submitted(second_org, second_admin)
    vetting_rate_all(old, second_reviewer)
    with time_machine.travel("2026-03-11 12:00Z", tick=False):
        response = signed_in(enrolled_reviewer).get(reverse("organizations:vetting_queue"))
    rows = [
        (a.organization.name, a.waiting.days, a.reviewers_count, a.assessed_by_me)
        for a in response.context["applications"]
    ]
    assert rows == [
        ("Sahel Women Mediators", 10, 1, False),
        ("Lake Chad Youth Forum", 3, 0, False),
    ]
    page = response.content.decode()
    assert "10 days" in page and "3 days" in page
    assert "1 of 2" in page


def test_queue_filters_by_status_by_my_assessments_and_orders(enrolled_reviewer):
    names = []
    applications = []
    for name in ("First Org", "Second Org", "Third Org"):
        organization, admin = _applicant(name)
        applications.append(vetting_submitted(organization, admin))
        names.append(name)
    vetting_rate_all(applications[1], enrolled_reviewer)
    client = signed_in(enrolled_reviewer)
    url = reverse("organizations:vetting_queue")

    def shown(**params):
        response = client.get(url, params)
        return [a.organization.name for a in response.context["applications"]]

    assert shown() == names
    assert shown(order="newest") == names[::-1]
    assert shown(assessed="mine") == ["Second Org"]
    assert shown(assessed="not_mine") == ["First Org", "Third Org"]
    assert shown(status="in_review") == ["Second Org"]
    assert shown(status="submitted") == ["First Org", "Third Org"]
    assert shown(status="approved") == names  # not a queue state: the field says so
    assert "Select a valid choice" in client.get(url, {"status": "approved"}).content.decode()


def test_queue_runs_a_constant_number_of_queries(enrolled_reviewer, second_reviewer):
    client = signed_in(enrolled_reviewer)
    url = reverse("organizations:vetting_queue")
    client.get(url)
    organization, admin = _applicant("Only Org")
    vetting_rate_all(vetting_submitted(organization, admin), second_reviewer)
    one = _queries(client, url)
    for n in range(4):
        organization, admin = _applicant(f"Org {n}")
        application = vetting_submitted(organization, admin)
        vetting_rate_all(application, second_reviewer)
        vetting_rate_all(application, enrolled_reviewer)
    assert _queries(client, url) == one


def test_queue_is_for_reviewers_only(cso_admin, outsider):
    for user in (cso_admin, outsider):
        assert signed_in(user).get(reverse("organizations:vetting_queue")).status_code == 403
