"""A profile people can trust: the summary in the reader's language, labelled as the
organization's own text; what "vetted" means and until when; when it last changed; user text
isolated from the page's direction."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from organizations.models import Organization, VisibilityTier
from organizations.services import organization_update
from tests.conftest import bearer, signed_in

pytestmark = pytest.mark.django_db

FORM = {"name": "Coastal Youth Forum", "sector": "civil_society", "visibility_tier": "network"}
SUMMARY_FR = "Des jeunes qui préviennent la violence sur la côte."
SUMMARY_AR = "شباب يمنعون العنف على الساحل."


@pytest.fixture
def translated_cso(cso, cso_admin):
    cso.visibility_tier = VisibilityTier.PUBLIC
    cso.summary = "Young people preventing violence on the coast."
    cso.summary_translations = {"fr": SUMMARY_FR, "ar": SUMMARY_AR}
    cso.save()
    return cso


def _detail(organization, language):
    client = Client(headers={"Accept-Language": language})
    return client.get(reverse("organizations:detail", args=[organization.slug])).content.decode()


def test_profile_shows_the_summary_in_the_readers_language_with_its_lang(translated_cso):
    french = _detail(translated_cso, "fr")
    arabic = _detail(translated_cso, "ar")

    assert f'<p class="lead" dir="auto" lang="fr">{SUMMARY_FR}</p>' in french
    assert "Young people preventing" not in french
    assert f'<p class="lead" dir="auto" lang="ar">{SUMMARY_AR}</p>' in arabic


def test_profile_falls_back_to_the_original_summary(translated_cso):
    spanish = _detail(translated_cso, "es")

    assert (
        '<p class="lead" dir="auto">Young people preventing violence on the coast.</p>' in spanish
    )
    assert SUMMARY_FR not in spanish


def test_profile_labels_the_summary_as_the_organizations_own_text(translated_cso):
    english = _detail(translated_cso, "en")

    assert (
        '<figcaption class="meta">The organization\'s own text · Also available in: French '
        "and Arabic</figcaption>"
    ) in english


def test_profile_lists_only_the_other_languages_as_also_available(translated_cso):
    french = _detail(translated_cso, "fr")

    caption = re.search(r'<figcaption class="meta">(.*?)</figcaption>', french).group(1)
    # The language names come from Django's own translations, in the reader's language.
    assert caption.endswith(": Arabe")
    assert "français" not in caption


def test_profile_says_what_vetted_means_and_until_when(translated_cso):
    translated_cso.vetted_until = dt.datetime(2099, 3, 31, 12, tzinfo=dt.UTC)
    translated_cso.save()

    english = _detail(translated_cso, "en")

    assert (
        "<strong>Vetted</strong> means that the secretariat of the Global Solutions Exchange "
        "checked this organization against the criteria of the Better Peace Tool: its core "
        "values and commitments, its competencies and the nature of its constituency. This "
        "vetting is valid until March 31, 2099."
    ) in english


def test_profile_of_an_unvetted_cso_says_it_is_not_vetted(translated_cso):
    english = _detail(translated_cso, "en")

    assert "This organization is not vetted at present." in english
    assert "<strong>Vetted</strong> means" not in english


@time_machine.travel(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), tick=False)
def test_profile_says_when_it_was_last_updated(cso, cso_admin):
    signed_in(cso_admin).post(reverse("organizations:edit", args=[cso.slug]), FORM)

    html = signed_in(cso_admin).get(reverse("organizations:detail", args=[cso.slug]))

    assert '<p class="meta">Last updated May 4, 2026</p>' in html.content.decode()


def test_profile_isolates_user_text_from_the_page_direction(translated_cso):
    translated_cso.acronym = "CYF"
    translated_cso.website = "https://cyf.example/ar"
    translated_cso.networks = ["Réseau Sahel", "شبكة السلام"]
    translated_cso.constituency = "Fishing villages"
    translated_cso.description = "Long text."
    translated_cso.save()

    arabic = _detail(translated_cso, "ar")

    assert "<h1><bdi>Coastal Youth Forum</bdi> <span" in arabic
    assert "(<bdi>CYF</bdi>)" in arabic
    assert (
        '<a href="https://cyf.example/ar" rel="noopener noreferrer nofollow" dir="ltr">' in arabic
    )
    assert "<dd><bdi>Réseau Sahel</bdi>, <bdi>شبكة السلام</bdi></dd>" in arabic
    assert '<dd dir="auto">Fishing villages</dd>' in arabic
    assert '<div class="prose" dir="auto"><p>Long text.</p></div>' in arabic


def test_edit_form_has_a_summary_field_per_language(cso, cso_admin, translated_cso):
    html = signed_in(cso_admin).get(reverse("organizations:edit", args=[cso.slug]))
    body = html.content.decode()

    assert '<label for="id_summary_fr">Summary in French:</label>' in body
    assert (
        '<textarea name="summary_ar" cols="40" rows="2" lang="ar" dir="auto" maxlength="500" '
        'aria-describedby="id_summary_ar_helptext" id="id_summary_ar">\n' + SUMMARY_AR
    ) in body
    assert body.index('id="id_summary"') < body.index('id="id_summary_en"')


def test_edit_form_saves_summaries_per_language_and_drops_blank_ones(cso, cso_admin):
    response = signed_in(cso_admin).post(
        reverse("organizations:edit", args=[cso.slug]),
        {**FORM, "summary": "Original.", "summary_fr": "  En français. ", "summary_es": "  "},
    )

    assert response["Location"] == reverse("organizations:detail", args=[cso.slug])
    stored = Organization.objects.get(pk=cso.pk)
    assert (stored.summary, stored.summary_translations) == ("Original.", {"fr": "En français."})


def test_edit_form_refuses_an_overlong_translation_at_its_field(cso, cso_admin):
    response = signed_in(cso_admin).post(
        reverse("organizations:edit", args=[cso.slug]),
        {**FORM, "summary": "Kept.", "summary_ar": "ع" * 501},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "summary_ar": ["Ensure this value has at most 500 characters (it has 501)."]
    }
    assert "Kept." in response.content.decode()
    assert Organization.objects.get(pk=cso.pk).summary_translations == {}


def test_secretariat_identity_form_has_no_summary_translations(cso, enrolled_reviewer):
    cso.vetted_until = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    cso.save()
    form = (
        signed_in(enrolled_reviewer)
        .get(reverse("organizations:edit", args=[cso.slug]))
        .context["form"]
    )

    assert list(form.fields) == ["name", "sector"]


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ({"de": "Deutsch"}, "Summaries can be given in en, fr, ar, es only, not de."),
        ({"fr": "x" * 501}, "Ensure this value has at most 500 characters (it has 501)."),
        ({"fr": "nul\x00"}, "Null characters are not allowed."),
        ({"fr": 3}, "Each summary must be text."),
        (["fr"], "Give the summaries as language code → text."),
    ],
)
def test_service_refuses_bad_summary_translations(cso, cso_admin, translations, message):
    with pytest.raises(ValidationError) as refused:
        organization_update(organization=cso, user=cso_admin, summary_translations=translations)

    assert refused.value.message_dict == {"summary_translations": [message]}
    assert Organization.objects.get(pk=cso.pk).summary_translations == {}


def test_summary_translations_are_in_the_history(cso, cso_admin):
    organization_update(organization=cso, user=cso_admin, summary_translations={"fr": "Bonjour."})

    from organizations.selectors.history import organization_history

    changes = [event["changes"] for event in organization_history(cso, viewer=cso_admin)]
    assert {"summary_translations": [{}, {"fr": "Bonjour."}]} in changes


def test_api_reads_and_writes_summary_translations(cso, cso_admin):
    client = bearer(cso_admin)
    url = f"/api/v1/organizations/{cso.public_id}/"

    answer = client.patch(
        url,
        json.dumps({"summary_translations": {"es": "En español.", "fr": ""}}),
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert answer.json()["summary_translations"] == {"es": "En español."}
    assert client.get(url).json()["summary_translations"] == {"es": "En español."}


def test_api_refuses_an_unknown_summary_language(cso, cso_admin):
    answer = bearer(cso_admin).patch(
        f"/api/v1/organizations/{cso.public_id}/",
        json.dumps({"summary_translations": {"xx": "?"}}),
        content_type="application/json",
    )

    assert answer.status_code == 400
    assert answer.json() == {"summary_translations": ["Unknown languages: xx; use en, fr, ar, es."]}
    assert Organization.objects.get(pk=cso.pk).summary_translations == {}
