"""Names, not codes: working languages, countries and time zones by name in the reader's
language (item 9)."""

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from organizations.languages import LANGUAGE_CODES, validate_language_code
from organizations.models import Organization
from tests.conftest import signed_in
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _reader(user, language):
    user.language = language
    user.save()
    return signed_in(user)


def _options(body, values):
    pattern = r'<option value="(' + "|".join(values) + r')"[^>]*>([^<]*)'
    return dict(re.findall(pattern, body))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {"kr": "Kanuri", "tmh": "Tamashek", "prs": "Dari", "zu": "Zulu", "zh": "Chinese"}),
        (
            "fr",
            {"kr": "Kanouri", "tmh": "Tamacheq", "prs": "Dari", "zu": "Zoulou", "zh": "Chinois"},
        ),
        (
            "ar",
            {
                "kr": "الكانوري",
                "tmh": "التاماشيك",
                "prs": "الدارية",
                "zu": "الزولو",
                "zh": "الصينية",
            },
        ),
        ("es", {"kr": "Kanuri", "tmh": "Tamashek", "prs": "Darí", "zu": "Zulú", "zh": "Chino"}),
    ],
)
def test_the_profile_form_names_languages_in_the_readers_language(outsider, language, expected):
    body = _reader(outsider, language).get(reverse("organizations:create")).content.decode()
    assert _options(body, expected) == expected
    assert 'value="eo"' not in body and 'value="ia"' not in body and 'value="io"' not in body


@pytest.mark.parametrize(
    ("language", "headquarters", "countries", "languages"),
    [
        ("en", "Senegal", "Mali and Senegal", "French and Wolof"),
        ("fr", "Sénégal", "Mali et Sénégal", "Français et Wolof"),
        ("ar", "السنغال", "مالي والسنغال", "الفرنسية والولوفية"),
        ("es", "Senegal", "Malí y Senegal", "Francés y Wólof"),
    ],
)
def test_the_profile_shows_countries_and_languages_by_name(
    outsider, public_cso, language, headquarters, countries, languages
):
    body = _reader(outsider, language).get(f"/organizations/{public_cso.slug}/").content.decode()
    assert re.findall(r"<dd>([^<]*)</dd>", body)[:3] == [headquarters, countries, languages]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", {"TD": "Tchad", "fr": "Français (1)", "civil_society": "Société civile (2)"}),
        ("ar", {"TD": "تشاد", "fr": "الفرنسية (1)", "civil_society": "المجتمع المدني (2)"}),
        (
            "es",
            {
                "TD": "República del Chad",
                "fr": "Francés (1)",
                "civil_society": "Sociedad civil (2)",
            },
        ),
    ],
)
def test_directory_filters_name_countries_and_languages(outsider, directory, language, expected):
    body = _reader(outsider, language).get(reverse("organizations:directory")).content.decode()
    select = re.search(r'<form method="get" class="directory-search".*?</form>', body, re.S)[0]
    assert _options(select, expected) == expected


def test_directory_rows_name_the_headquarters_in_arabic(outsider, directory):
    body = _reader(outsider, "ar").get(reverse("organizations:directory")).content.decode()
    assert "· السنغال" in body and "· كينيا" in body


def test_language_codes_are_checked_against_the_list_whatever_their_length():
    for code in ("fr", "tmh", "prs", "kr", "bm", "ln"):
        validate_language_code(code)
        assert code in LANGUAGE_CODES
    for code in ("eo", "ia", "io", "vo", "xx", "fra"):
        with translation.override("en"), pytest.raises(ValidationError, match=f"^\\['{code} is"):
            validate_language_code(code)


def test_the_migration_drops_constructed_languages_and_keeps_the_others(db):
    kept = OrganizationFactory(working_languages=["fr", "eo", "ha", "ia"])
    untouched = OrganizationFactory(working_languages=["ar"])
    migration = importlib.import_module("organizations.migrations.0014_drop_constructed_languages")
    migration.drop_constructed_languages(apps, None)
    assert Organization.objects.get(pk=kept.pk).working_languages == ["fr", "ha"]
    assert Organization.objects.get(pk=untouched.pk).working_languages == ["ar"]


def test_a_dropped_code_still_shows_by_name(public_cso, outsider):
    # A row the migration has not seen (restored from a backup) is shown, not broken.
    Organization.objects.filter(pk=public_cso.pk).update(working_languages=["fr", "eo"])
    body = _reader(outsider, "fr").get(f"/organizations/{public_cso.slug}/").content.decode()
    assert "<dd>Français et Espéranto</dd>" in body


def test_time_zones_are_grouped_by_region_with_city_names_and_utc_first(outsider):
    body = _reader(outsider, "ar").get(reverse("organizations:account_settings")).content.decode()
    select = re.search(r'<select name="timezone".*?</select>', body, re.S).group(0)
    first = re.search(r'<option value="([^"]+)"', select).group(1)
    assert first == "UTC"
    assert len(re.findall(r"<optgroup ", select)) == 9
    assert '<option value="Africa/Cairo">القاهرة</option>' in select
    assert '<option value="Africa/Ndjamena">' in select
    # Aliases of current names are not offered twice.
    assert 'value="Asia/Calcutta"' not in select and 'value="Asia/Kolkata"' in select
    assert 'value="US/Eastern"' not in select


def test_a_time_zone_stored_before_the_list_was_curated_stays_valid(outsider):
    outsider.timezone = "Asia/Calcutta"
    outsider.save()
    client = _reader(outsider, "en")
    body = client.get(reverse("organizations:account_settings")).content.decode()
    assert '<option value="Asia/Calcutta" selected>' in body
    response = client.post(
        reverse("organizations:account_settings"),
        {"name": "Charlie", "language": "en", "timezone": "Asia/Calcutta"},
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert (outsider.name, outsider.timezone) == ("Charlie", "Asia/Calcutta")


def test_a_time_zone_outside_the_list_is_refused_at_the_field(outsider):
    response = _reader(outsider, "en").post(
        reverse("organizations:account_settings"),
        {"name": "Charlie", "language": "en", "timezone": "US/Eastern"},
    )
    assert response.status_code == 200
    assert "Select a valid choice. US/Eastern is not one of the available choices." in (
        response.content.decode()
    )
    outsider.refresh_from_db()
    assert outsider.timezone == "UTC"


def test_the_empty_choice_is_the_portals_own_translatable_label():
    from django.db.models import fields

    assert str(fields.BLANK_CHOICE_LABEL) == "Select an option"
