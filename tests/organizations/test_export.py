import csv
import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Contact
from tests.conftest import signed_in_recently

pytestmark = pytest.mark.django_db


def _rows(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_follows_the_filter_and_visibility_and_never_has_contacts(
    outsider, directory, caplog
):
    Contact.objects.create(
        organization=directory["public"],
        name="Asha Mwangi",
        email="asha@cso.example",
        shareable=True,
    )
    with caplog.at_level(logging.INFO, logger="gsx.security"):
        response = signed_in_recently(outsider).get(
            reverse("organizations:export") + "?sector=civil_society"
        )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _rows(response)
    assert sorted(row["Name"] for row in rows) == [
        "Coastal Youth Forum",
        "Réseau des Femmes pour la Paix",
    ]
    text = str(rows)
    assert "Asha" not in text and "asha@cso.example" not in text
    assert rows[0].keys() >= {"id", "Name", "Sector", "country_codes", "vetting_status_code"}
    assert "directory.exported" in caplog.text


def test_export_neutralises_spreadsheet_formulas(outsider, public_cso):
    public_cso.summary = '=HYPERLINK("http://evil")'
    public_cso.save()
    rows = _rows(signed_in_recently(outsider).get(reverse("organizations:export")))
    assert rows[0]["Summary"].startswith("'=")


def test_export_needs_a_signed_in_user_and_valid_filters(outsider, directory):
    response = Client().get(reverse("organizations:export"))
    assert response.status_code == 302
    bad = signed_in_recently(outsider).get(reverse("organizations:export") + "?sector=army")
    assert bad.status_code == 400
    assert b"sector" in bad.content


@pytest.mark.parametrize("rows", [1, 50])
def test_export_runs_a_constant_number_of_queries(outsider, django_assert_num_queries, rows):
    from tests.factories import OrganizationFactory

    for n in range(rows):
        OrganizationFactory(name=f"Org {n}", visibility_tier="public")
    client = signed_in_recently(outsider)
    client.get(reverse("home"))  # the first request of a session records it
    # session, user, the user's roles (one query for the MFA and secretariat checks), allauth's
    # recent-authentication check (one per kind of second factor), organizations, their themes
    with django_assert_num_queries(8):
        response = client.get(reverse("organizations:export"))
        assert len(_rows(response)) == rows


HOSTILE = {
    '=HYPERLINK("http://evil")': '\'=HYPERLINK("http://evil")',
    "  +cmd|' /C calc'!A0": "'  +cmd|' /C calc'!A0",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "-2+3": "'-2+3",
    "\t=1+1": "'\t'=1+1",
    "Peace Forum; =cmd()": "Peace Forum;' =cmd()",
    "Peace Forum;-1+1": "Peace Forum;'-1+1",
    "Line one\n=two": "Line one\n'=two",
    "Peace, Justice - and Dialogue": "Peace, Justice - and Dialogue",
}


def test_export_quotes_every_field_and_neutralises_formulas_inside_fields(outsider):
    from tests.factories import OrganizationFactory

    for name in HOSTILE:
        OrganizationFactory(name=name, summary=name, visibility_tier="public")
    response = signed_in_recently(outsider).get(reverse("organizations:export"))
    text = b"".join(response.streaming_content).decode()
    header = text.splitlines()[0]
    assert header.startswith('"Name","Acronym","Sector",')
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted((row["Name"], row["Summary"]) for row in rows) == sorted(
        (safe, safe) for safe in HOSTILE.values()
    )
    for row in rows:
        assert row["Year founded"] == "" and row["Acronym"] == ""
    assert '"",' in text  # empty fields are quoted too


def _export_in(user, language, **organization):
    from tests.factories import OrganizationFactory

    OrganizationFactory(name="Lake Chad Dialogue", visibility_tier="public", **organization)
    user.language = language
    user.save()
    client = signed_in_recently(user)
    return _rows(client.get(reverse("organizations:export"), HTTP_ACCEPT_LANGUAGE=language))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "Sector": "Civil society",
                "Headquarters": "Chad",
                "Countries of operation": "Niger and Nigeria",
                "Working languages": "French, Hausa, and Kanuri",
                "Women-led": "Yes",
            },
        ),
        (
            "fr",
            {
                "Headquarters": "Tchad",
                "Countries of operation": "Niger et Nigeria",
                "Working languages": "Français, Haoussa et Kanouri",
            },
        ),
        (
            "ar",
            {
                "Headquarters": "تشاد",
                "Countries of operation": "النيجر ونيجيريا",
                "Working languages": "الفرنسية والهوسا والكانوري",
            },
        ),
        (
            "es",
            {
                "Headquarters": "República del Chad",
                "Countries of operation": "Níger y Nigeria",
                "Working languages": "Francés, Hausa y Kanuri",
            },
        ),
    ],
)
def test_export_gives_names_in_the_readers_language_and_codes_for_machines(
    outsider, language, expected
):
    [row] = _export_in(
        outsider,
        language,
        headquarters_country="TD",
        countries=["NE", "NG"],
        working_languages=["fr", "ha", "kr"],
        women_led=True,
    )
    # The headers' translations are written after the merge: the cells are looked up by value.
    assert set(expected.values()) <= set(row.values())
    assert row["sector_code"] == "civil_society"
    assert row["headquarters_country_code"] == "TD"
    assert row["country_codes"] == "NE NG"
    assert row["language_codes"] == "fr ha kr"


def test_export_gives_the_vetted_until_date_in_the_local_format(outsider):
    import datetime

    from django.utils import timezone

    until = timezone.make_aware(datetime.datetime(2027, 3, 31, 12))
    [row] = _export_in(outsider, "fr", vetted_until=until)
    assert "31/03/2027" in row.values()
    assert row["vetted_until_date"] == "2027-03-31"
