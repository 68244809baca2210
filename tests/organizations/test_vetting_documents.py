from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from organizations.models import Membership, VettingDocument, VettingStatus
from organizations.services import vetting_set_state, vetting_start
from organizations.services.vetting_documents import vetting_document_add
from tests.conftest import signed_in
from tests.factories import MembershipFactory, OrganizationFactory
from tests.organizations.conftest import vetting_submitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def draft(cso, cso_admin):
    return vetting_start(organization=cso, by=cso_admin)


def _upload(client, organization, name, content, content_type="application/pdf", **fields):
    return client.post(
        reverse("organizations:vetting", args=[organization.slug]),
        {
            "action": "upload",
            "kind": "registration",
            "description": "Certificate of 2019",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            **fields,
        },
    )


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _add(application, user, content=PDF, name="certificate.pdf"):
    return vetting_document_add(
        application=application,
        by=user,
        upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
        kind="registration",
    )


def test_document_upload_accepts_a_pdf_and_stores_it_privately_under_a_random_name(
    draft, cso, cso_admin, private_root
):
    response = _upload(signed_in(cso_admin), cso, "certificate.pdf", PDF)
    assert response.status_code == 302
    document = VettingDocument.objects.get()
    assert (document.application, document.kind, document.description) == (
        draft,
        "registration",
        "Certificate of 2019",
    )
    assert (document.original_name, document.content_type, document.size) == (
        "certificate.pdf",
        "application/pdf",
        len(PDF),
    )
    [stored] = _files(private_root)
    assert stored.read_bytes() == PDF
    assert "certificate" not in stored.name
    assert stored.is_relative_to(private_root)
    with pytest.raises(ValueError, match="no URL"):
        document.file.url  # noqa: B018


def test_document_upload_accepts_an_image_by_its_content_whatever_its_name(draft, cso, cso_admin):
    _upload(signed_in(cso_admin), cso, "scan.pdf", PNG, content_type="application/pdf")
    assert VettingDocument.objects.get().content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "kept"),
    [
        ("report.html", PDF + HTML, "report.html.pdf"),
        ("photo.svg", PNG, "photo.svg.png"),
        ("scan.JPEG", PDF, "scan.JPEG.pdf"),
        ("\u202egnp.exe", PDF, "gnp.exe.pdf"),
        ("..\\..\\etc\\passwd", PDF, "passwd.pdf"),
        ("a\r\nSet-Cookie: x=1.pdf", PDF, "aSet-Cookie: x=1.pdf"),
        ("ملف\u200cها.pdf", PDF, "ملف\u200cها.pdf"),
        ("...", PDF, "document.pdf"),
        ("x" * 300 + ".pdf", PDF, "x" * 196 + ".pdf"),
    ],
    ids=["html", "svg", "jpeg", "rlo", "backslashes", "crlf", "zwnj", "dots", "long"],
)
def test_document_name_carries_the_extension_of_its_content_and_no_control_characters(
    draft, cso, cso_admin, name, content, kept
):
    # The service's door (the API's multipart parser and a browser both pass names through).
    document = _add(draft, cso_admin, content=content, name=name)
    assert document.original_name == kept
    url = reverse("organizations:vetting_document", args=[cso.slug, document.public_id])
    response = signed_in(cso_admin).get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert "\n" not in response["Content-Disposition"]


def test_document_stored_under_an_unsafe_name_downloads_under_a_safe_one(draft, cso, cso_admin):
    document = _add(draft, cso_admin, content=PDF + HTML)
    VettingDocument.objects.filter(pk=document.pk).update(original_name="invoice.html")
    url = reverse("organizations:vetting_document", args=[cso.slug, document.public_id])
    response = signed_in(cso_admin).get(url)
    assert response["Content-Disposition"] == 'attachment; filename="invoice.html.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF + HTML


@pytest.mark.parametrize("content", [HTML, EXE, b""], ids=["html", "exe", "empty"])
def test_document_upload_refuses_a_pdf_that_is_not_one(
    draft, cso, cso_admin, private_root, content
):
    response = _upload(signed_in(cso_admin), cso, "report.pdf", content)
    assert response.status_code == 200
    page = response.content.decode()
    # At the field, described by its error, and in the summary; nothing stored.
    assert 'id="id_file_error"' in page
    assert 'aria-describedby="id_file_helptext id_file_error"' in page
    if content:
        assert "The file is not a PDF, PNG, JPEG or WebP image (checked by its content)." in page
    assert "Certificate of 2019" in page  # what was typed stays
    assert VettingDocument.objects.count() == 0
    assert _files(private_root) == []


def test_document_upload_refuses_a_file_over_the_size_limit(
    draft, cso, cso_admin, settings, private_root
):
    settings.VETTING_DOCUMENT_MAX_BYTES = len(PDF) - 1
    response = _upload(signed_in(cso_admin), cso, "certificate.pdf", PDF)
    assert "The file is larger than" in response.content.decode()
    assert VettingDocument.objects.count() == 0
    assert _files(private_root) == []


def test_document_upload_far_over_the_limit_keeps_little_on_disk_and_says_so_at_the_field(
    draft, cso, cso_admin, settings, tmp_path, monkeypatch
):
    # Nothing in front of gunicorn limits a body: the upload handler caps what reaches the disk.
    settings.VETTING_DOCUMENT_MAX_BYTES = 4096
    settings.FILE_UPLOAD_MAX_BYTES = 8192
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file through the temporary-file handler
    from django.core.files.uploadedfile import TemporaryUploadedFile

    kept = []
    close = TemporaryUploadedFile.close

    def spy(self):
        self.file.seek(0, 2)
        kept.append((self.size, self.file.tell()))
        return close(self)

    monkeypatch.setattr(TemporaryUploadedFile, "close", spy)
    big = PDF + b"0" * (2 * 1024 * 1024)
    response = _upload(signed_in(cso_admin), cso, "certificate.pdf", big)
    assert response.status_code == 200
    assert "The file is larger than 4.0\xa0KB." in response.content.decode()
    assert VettingDocument.objects.count() == 0
    assert kept == [(len(big), 8192)]


def test_document_upload_refuses_more_than_the_maximum_count(draft, cso, cso_admin, settings):
    settings.VETTING_DOCUMENTS_MAX_COUNT = 2
    _add(draft, cso_admin)
    _add(draft, cso_admin)
    response = _upload(signed_in(cso_admin), cso, "third.pdf", PDF)
    assert "An application can carry at most 2 documents." in response.content.decode()
    assert VettingDocument.objects.count() == 2


def test_document_upload_is_refused_once_the_application_is_submitted(cso, cso_admin):
    application = vetting_submitted(cso, cso_admin)
    response = _upload(signed_in(cso_admin), cso, "certificate.pdf", PDF)
    assert "The application can no longer be changed." in response.content.decode()
    assert application.documents.count() == 0


def test_document_download_for_members_and_reviewers_with_safe_headers(
    draft, cso, cso_admin, cso_member, enrolled_reviewer
):
    document = _add(draft, cso_admin, name="rapport annuel.pdf")
    url = reverse("organizations:vetting_document", args=[cso.slug, document.public_id])
    for user in (cso_admin, cso_member, enrolled_reviewer):
        response = signed_in(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="rapport annuel.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store, private"


def test_document_download_is_404_for_other_organizations_and_former_members(
    draft, cso, cso_admin, cso_member, outsider, enrolled_government_user
):
    document = _add(draft, cso_admin)
    url = reverse("organizations:vetting_document", args=[cso.slug, document.public_id])
    other_member = MembershipFactory(organization=OrganizationFactory()).user
    for user in (other_member, outsider, enrolled_government_user):
        assert signed_in(user).get(url).status_code == 404
    client = signed_in(cso_member)
    Membership.objects.filter(user=cso_member, organization=cso).delete()
    assert client.get(url).status_code == 404


def test_document_of_another_organization_is_404_through_ones_own_slug(
    draft, cso_admin, public_cso
):
    document = _add(draft, cso_admin)
    own = MembershipFactory(organization=public_cso).user
    url = reverse("organizations:vetting_document", args=[public_cso.slug, document.public_id])
    assert signed_in(own).get(url).status_code == 404


def test_document_download_sends_anonymous_visitors_to_sign_in(draft, cso, cso_admin):
    document = _add(draft, cso_admin)
    url = reverse("organizations:vetting_document", args=[cso.slug, document.public_id])
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_document_removal_asks_for_confirmation_then_deletes_the_file(
    draft, cso, cso_admin, private_root, django_capture_on_commit_callbacks
):
    document = _add(draft, cso_admin)
    url = reverse("organizations:vetting_document_remove", args=[cso.slug, document.public_id])
    client = signed_in(cso_admin)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove the document" in confirm.content.decode()
    assert VettingDocument.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert VettingDocument.objects.count() == 0
    assert _files(private_root) == []


def test_document_removal_is_refused_to_members_who_may_not_edit_and_after_submission(
    cso, cso_admin, cso_member
):
    application = vetting_start(organization=cso, by=cso_admin)
    document = _add(application, cso_admin)
    url = reverse("organizations:vetting_document_remove", args=[cso.slug, document.public_id])
    assert signed_in(cso_member).post(url).status_code == 403
    from tests.organizations.test_vetting import _all_evidence

    _all_evidence(application, cso_admin)
    vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=cso_admin)
    refused = signed_in(cso_admin).post(url)
    assert refused.status_code == 400
    assert "The application can no longer be changed." in refused.content.decode()
    assert VettingDocument.objects.count() == 1


def test_documents_are_erased_from_disk_with_the_organization(
    draft, cso, cso_admin, private_root, django_capture_on_commit_callbacks
):
    _add(draft, cso_admin)
    _add(draft, cso_admin, content=PNG, name="photo.png")
    assert len(_files(private_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        cso.delete()
    assert VettingDocument.objects.count() == 0
    assert _files(private_root) == []


def test_a_rolled_back_erasure_keeps_the_files(draft, cso, cso_admin, private_root):
    from django.db import transaction

    _add(draft, cso_admin)
    with pytest.raises(RuntimeError), transaction.atomic():
        draft.delete()
        raise RuntimeError
    assert VettingDocument.objects.count() == 1
    assert len(_files(private_root)) == 1


def test_private_files_are_not_served_by_any_url(draft, cso, cso_admin, private_root, settings):
    _add(draft, cso_admin)
    [stored] = _files(private_root)
    relative = stored.relative_to(private_root).as_posix()
    client = signed_in(cso_admin)
    for prefix in ("/media/", "/static/", "/private/", "/"):
        assert client.get(prefix + relative).status_code == 404
    assert not Path(settings.PRIVATE_MEDIA_ROOT).is_relative_to(settings.STATIC_ROOT)
    assert not Path(settings.PRIVATE_MEDIA_ROOT).is_relative_to(settings.MEDIA_ROOT)


def test_settings_refuse_a_private_root_inside_a_served_folder(settings):
    import os
    import subprocess
    import sys

    inside = Path(settings.BASE_DIR) / "static" / "private"
    result = subprocess.run(
        [sys.executable, "-c", "import gsx_portal.settings"],
        env={**os.environ, "DEBUG": "1", "PRIVATE_MEDIA_ROOT": str(inside)},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 1
    assert f"PRIVATE_MEDIA_ROOT={inside} lies inside" in result.stderr
