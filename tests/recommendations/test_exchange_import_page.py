"""The import page: upload, the dry run's report, the import of the kept file; refused
uploads and tokens never fail with a 500."""

from django.urls import reverse

from organizations.models import Sector
from recommendations.models import Recommendation
from tests.conftest import signed_in
from tests.factories import OrganizationFactory
from tests.recommendations.test_import import GOOD, csv_file, line


def _upload(client, data: bytes, name: str = "recommendations.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("recommendations:import"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_import_page_reports_problems_and_imports_nothing(reviewer):
    client = signed_in(reviewer)
    response = _upload(client, csv_file(line(reference="OK-1"), line(countries="XX")))
    assert response.status_code == 200
    assert [(p.line, p.column) for p in response.context["report"].problems] == [(3, "countries")]
    assert response.context["token"] == ""
    assert "Not ISO 3166 country codes: XX." in response.content.decode()
    assert Recommendation.objects.count() == 0


def test_import_page_dry_run_then_import(reviewer, db):
    OrganizationFactory(slug="ministry", sector=Sector.GOVERNMENT)
    client = signed_in(reviewer)
    checked = _upload(client, GOOD)
    assert checked.status_code == 200
    assert len(checked.context["report"].created) == 3
    assert Recommendation.objects.count() == 0
    token = checked.context["token"]
    # Another member of the secretariat cannot use the token: it is bound to who uploaded.
    from tests.conftest import enrol_totp
    from tests.factories import UserFactory

    colleague = UserFactory(groups=["secretariat"])
    enrol_totp(colleague)
    other = signed_in(colleague).post(reverse("recommendations:import_confirm"), {"token": token})
    assert other.status_code == 302 and Recommendation.objects.count() == 0
    done = client.post(reverse("recommendations:import_confirm"), {"token": token})
    assert done.status_code == 200
    assert done.templates[0].name == "recommendations/import_done.html"
    assert Recommendation.objects.count() == 3
    again = client.post(reverse("recommendations:import_confirm"), {"token": token})
    assert again.status_code == 302
    assert again["Location"] == reverse("recommendations:import")


def test_import_page_refuses_odd_uploads_without_500(reviewer):
    client = signed_in(reviewer)
    response = _upload(client, b"\xff\xfe\x00garbage")
    assert response.status_code == 200
    assert response.context["report"].problems[0].line == 0
    response = client.post(reverse("recommendations:import"), {})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    response = client.post(reverse("recommendations:import_confirm"), {"token": "\x00" * 43})
    assert response.status_code == 302


def test_import_page_shows_the_first_problems_and_says_how_many_more(reviewer, monkeypatch):
    monkeypatch.setattr("recommendations.views.imports.PROBLEMS_SHOWN", 1)
    data = csv_file(line(reference="OK-1", countries="XX"), line(reference="OK-2", regions="x"))
    response = _upload(signed_in(reviewer), data)
    assert [(p.line, p.column) for p in response.context["problems"]] == [(2, "countries")]
    assert len(response.context["report"].problems) == 2
    assert "And 1 more problem:" in response.content.decode()
