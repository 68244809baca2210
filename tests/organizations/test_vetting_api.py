import pytest

from organizations.models import Criterion, VettingApplication
from tests.conftest import bearer, enrol_totp, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_vetting_workflow_through_the_api(
    cso, cso_admin, cso_member, enrolled_reviewer, outsider
):
    second = UserFactory(email="ravi@secretariat.example", groups=["secretariat"])
    enrol_totp(second)
    base = f"/api/v1/organizations/{cso.public_id}/vetting/"
    applicant = bearer(cso_admin)
    assert _post(applicant, base + "start/").json()["status"] == "draft"
    incomplete = _post(applicant, base + "submit/")
    assert incomplete.status_code == 400
    # What is missing, keyed by the criterion (core values) or the group it belongs to.
    assert sorted(incomplete.json()) == [
        "competency",
        "constituency",
        "core-gender-sensitivity",
        "core-inclusion",
        "core-independence",
        "core-non-violence",
        "core-rights",
    ]
    assert incomplete.json()["core-rights"] == [
        "Describe your evidence for the core value: Human rights, women's rights and peace."
    ]
    bad = _post(applicant, base + "evidence/", {"evidence": {"no-such-criterion": "x"}})
    assert bad.status_code == 400 and list(bad.json()) == ["evidence"]
    evidence = {c.code: f"Evidence {c.code}" for c in Criterion.objects.all()}
    _post(applicant, base + "evidence/", {"evidence": evidence})
    assert _post(applicant, base + "submit/").json()["status"] == "submitted"

    ratings = {
        "ratings": {c.code: {"rating": "met", "note": "fine"} for c in Criterion.objects.all()}
    }
    assert _post(bearer(cso_member), base + "assess/", ratings).status_code == 403
    assert _post(bearer(enrolled_reviewer), base + "assess/", ratings).status_code == 200
    refused = _post(bearer(enrolled_reviewer), base + "approve/")
    assert refused.status_code == 400
    assert refused.json()["detail"] == [
        "Needs 2 reviewers of the secretariat who are not members of the organization; has 1."
    ]
    _post(bearer(second), base + "assess/", ratings)
    assert _post(bearer(second), base + "approve/").json()["status"] == "approved"

    member_view = bearer(cso_member).get(base).json()
    assert member_view["status"] == "approved"
    assert set(member_view["assessments"][0]) == {"criterion", "rating", "reviewer_number"}
    assert {a["reviewer_number"] for a in member_view["assessments"]} == {1, 2}
    reviewer_view = bearer(enrolled_reviewer).get(base).json()
    assert reviewer_view["assessments"][0]["note"] == "fine"
    assert bearer(outsider).get(base).status_code == 404


def test_outsiders_cannot_start_or_see_a_vetting(cso, outsider):
    base = f"/api/v1/organizations/{cso.public_id}/vetting/"
    assert _post(bearer(outsider), base + "start/").status_code == 403
    assert VettingApplication.objects.count() == 0
    assert signed_in(outsider).get(base).status_code == 404


def test_supporting_documents_through_the_api(
    cso, cso_admin, enrolled_reviewer, outsider, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    base = f"/api/v1/organizations/{cso.public_id}/vetting/"
    applicant = bearer(cso_admin)
    _post(applicant, base + "start/")
    refused = applicant.post(
        base + "documents/",
        {"kind": "other", "file": SimpleUploadedFile("x.pdf", b"<html><body>no</body></html>")},
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "file": ["The file is not a PDF, PNG, JPEG or WebP image (checked by its content)."]
    }
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    uploaded = applicant.post(
        base + "documents/",
        {
            "kind": "annual_report",
            "description": "2025",
            "file": SimpleUploadedFile("report.pdf", pdf),
        },
    )
    assert uploaded.status_code == 200
    [document] = uploaded.json()["documents"]
    assert {k: document[k] for k in ("kind", "description", "name", "content_type", "size")} == {
        "kind": "annual_report",
        "description": "2025",
        "name": "report.pdf",
        "content_type": "application/pdf",
        "size": len(pdf),
    }
    url = base + f"documents/{document['id']}/"
    download = bearer(enrolled_reviewer).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf
    assert download["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert bearer(outsider).get(url).status_code == 404
    assert bearer(outsider).delete(url).status_code == 404
    assert applicant.delete(url).status_code == 204
    assert applicant.get(base).json()["documents"] == []


def test_the_api_shows_an_old_change_request_to_reviewers_only_after_resubmission(
    cso, cso_admin, enrolled_reviewer
):
    from organizations.services import vetting_set_state
    from tests.organizations.conftest import vetting_submitted

    application = vetting_submitted(cso, cso_admin)
    vetting_set_state(
        application=application,
        to="changes_requested",
        by=enrolled_reviewer,
        message="Name your partners.",
    )
    base = f"/api/v1/organizations/{cso.public_id}/vetting/"
    assert bearer(cso_admin).get(base).json()["message"] == "Name your partners."
    vetting_set_state(application=application, to="submitted", by=cso_admin)
    assert bearer(cso_admin).get(base).json()["message"] == ""
    assert bearer(enrolled_reviewer).get(base).json()["message"] == "Name your partners."
