"""The letter of recognition: in the language chosen at download, with the recognised name,
a stable reference, the signatory from the settings and the document's metadata (item 13)."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import trans_real
from pypdf import PdfReader

from organizations.letters import letter_reference, recognition_letter_pdf
from tests.conftest import signed_in
from tests.organizations.conftest import vetting_approved, vetting_submitted

pytestmark = pytest.mark.django_db

APPROVED_AT = dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)


@pytest.fixture
def approval(cso, cso_admin, enrolled_reviewer, second_reviewer, settings):
    settings.LETTER_SIGNATORY_NAME = "Ngozi Adebayo"
    settings.LETTER_SIGNATORY_TITLE = "Head of the Secretariat"
    with time_machine.travel(APPROVED_AT, tick=False):
        application = vetting_submitted(cso, cso_admin)
        return vetting_approved(application, enrolled_reviewer, second_reviewer)


def _download(user, organization, **query):
    url = reverse("organizations:recognition_letter", args=[organization.slug])
    return signed_in(user).get(url, query)


def _text(pdf: bytes) -> str:
    # Lines joined with spaces: the PDF wraps long sentences at the page's width.
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def _catalog_language(pdf: bytes) -> str:
    return str(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"])


def test_letter_reference_is_stable_and_dated(approval):
    reference = letter_reference(approval)

    assert re.fullmatch(r"GSX-2026-[A-HJ-NP-Z2-9]{6}", reference)
    assert letter_reference(type(approval).objects.get(pk=approval.pk)) == reference


def test_letter_carries_name_reference_signatory_and_body(approval, cso, cso_admin):
    response = _download(cso_admin, cso, language="en")
    text = _text(response.content)

    assert response["Content-Disposition"] == (
        'attachment; filename="gsx-recognition-coastal-youth-forum-en.pdf"'
    )
    assert f"Reference: {letter_reference(approval)}" in text
    assert "The secretariat of the Global Solutions Exchange confirms that Coastal Youth Forum" in (
        text
    )
    assert (
        "has been vetted against the criteria of the Better Peace Tool (core values and "
        "commitments, competencies and nature of constituency) and is recognised as a civil "
        "society partner."
    ) in text
    assert "Approved on: March 9, 2026" in text
    assert "Ngozi Adebayo Head of the Secretariat" in text
    assert f"Verification code: {approval.verification_code}" in text


def test_letter_metadata_names_title_author_subject_and_language(approval, cso, cso_admin):
    pdf = _download(cso_admin, cso, language="en").content
    metadata = PdfReader(io.BytesIO(pdf)).metadata

    assert (metadata.title, metadata.author, metadata.subject) == (
        "Letter of recognition: Coastal Youth Forum",
        "Ngozi Adebayo, Head of the Secretariat",
        f"Recognition of a vetted civil society organization, reference "
        f"{letter_reference(approval)}",
    )
    assert _catalog_language(pdf) == "en"


def test_letter_is_in_the_language_chosen_at_download(approval, cso, cso_admin, monkeypatch):
    # Translations come in one pass later; until then, a French catalogue entry stands in.
    catalog = trans_real.translation("fr")._catalog
    french = {
        "The secretariat of the Global Solutions Exchange confirms that": (
            "Le secrétariat du Global Solutions Exchange confirme que"
        )
    }
    monkeypatch.setattr(catalog, "_catalogs", [french, *catalog._catalogs])

    pdf = _download(cso_admin, cso, language="fr").content
    text = _text(pdf)

    assert "Le secrétariat du Global Solutions Exchange confirme que Coastal Youth Forum" in text
    assert "confirms that" not in text
    assert "9 mars 2026" in text  # the date in French, from Django's locale formats
    assert _catalog_language(pdf) == "fr"


def test_letter_defaults_to_the_readers_language_and_ignores_unknown_ones(approval, cso, cso_admin):
    cso_admin.language = "es"
    cso_admin.save()

    unknown = _download(cso_admin, cso, language="xx")
    default = _download(cso_admin, cso)

    assert _catalog_language(unknown.content) == "es"
    assert _catalog_language(default.content) == "es"
    assert "9 de marzo de 2026" in _text(default.content)


def test_arabic_letter_is_declared_arabic_and_keeps_its_reference(approval):
    pdf = recognition_letter_pdf(approval, "ar")

    assert _catalog_language(pdf) == "ar"
    assert letter_reference(approval) in _text(pdf)


def test_verify_page_shows_the_letters_reference(approval, client):
    body = client.get(reverse("organizations:verify_letter", args=[approval.verification_code]))

    assert (
        f'The letter\'s reference: <span dir="ltr">{letter_reference(approval)}</span>'
        in body.content.decode()
    )
