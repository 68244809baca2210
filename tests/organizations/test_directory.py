import re

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Membership, Organization, Theme
from tests.conftest import signed_in
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Lake Chad Youth Dialogue",
    "acronym": "LCYD",
    "sector": "civil_society",
    "youth_led": "on",
    "headquarters_country": "TD",
    "countries": ["NE", "NG", "CM"],
    "website": "https://lcyd.example.org",
    "summary": "Young mediators between herders and farmers.",
    "working_languages": ["fr", "ar", "ha"],
    "year_founded": "2012",
    "networks": "Sahel Peace Network\n\nWomen Mediators Circle\n",
    "visibility_tier": "network",
    "accepts_introductions": "on",
}


def test_registering_an_organization_makes_the_registrant_its_admin(outsider):
    themes = list(Theme.objects.filter(slug__in=["youth", "mediation-dialogue"]))
    response = signed_in(outsider).post(
        reverse("organizations:create"), {**VALID, "themes": [t.slug for t in themes]}
    )
    organization = Organization.objects.get(name="Lake Chad Youth Dialogue")
    assert response.status_code == 302
    assert re.fullmatch(r"lake-chad-youth-dialogue-[a-z2-9]{6}", organization.slug)
    assert response["Location"] == reverse("organizations:detail", args=[organization.slug])
    assert Membership.objects.get(organization=organization).user == outsider
    assert Membership.objects.get(organization=organization).role == "admin"
    assert organization.regions == ["sub_saharan_africa"]
    assert [c.code for c in organization.countries] == ["CM", "NE", "NG"]
    assert organization.networks == ["Sahel Peace Network", "Women Mediators Circle"]
    assert organization.working_languages == ["fr", "ar", "ha"]
    assert set(organization.themes.values_list("slug", flat=True)) == {
        "youth",
        "mediation-dialogue",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "not a url", "Enter a valid URL."),
        ("year_founded", "2999", "The year founded cannot be in the future."),
        ("year_founded", "1200", "Ensure this value is greater than or equal to 1800."),
        ("headquarters_country", "XX", "Select a valid choice. XX is not one of the available"),
        ("name", "", "This field is required."),
    ],
)
def test_invalid_registration_keeps_the_input_and_creates_nothing(outsider, field, value, message):
    response = signed_in(outsider).post(reverse("organizations:create"), {**VALID, field: value})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert message in body
    assert 'value="Young mediators' in body or "Young mediators between" in body
    assert "Sahel Peace Network" in body
    assert Organization.objects.filter(acronym="LCYD").count() == 0


def test_an_editor_changes_the_profile(cso_admin, cso):
    response = signed_in(cso_admin).post(
        reverse("organizations:edit", args=[cso.slug]),
        {**VALID, "name": "Coastal Youth Forum", "countries": ["KE", "SO"]},
    )
    assert response.status_code == 302
    cso.refresh_from_db()
    assert cso.summary == "Young mediators between herders and farmers."
    assert cso.regions == ["sub_saharan_africa"]
    assert cso.slug == "coastal-youth-forum"


def test_slugs_are_never_a_reserved_word(outsider):
    signed_in(outsider).post(reverse("organizations:create"), {**VALID, "name": "New"})
    slug = Organization.objects.get(name="New").slug
    assert re.fullmatch(r"new-[a-z2-9]{6}", slug)


def _names(response):
    return [item["name"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=civil_society&women_led=true", ["Réseau des Femmes pour la Paix"]),
        ("country=ML", ["Réseau des Femmes pour la Paix"]),
        ("country=KE", ["Coastal Youth Forum"]),
        ("region=sub_saharan_africa&youth_led=true", ["Coastal Youth Forum"]),
        ("language=wo", ["Réseau des Femmes pour la Paix"]),
        ("q=reseau", ["Réseau des Femmes pour la Paix"]),
        ("q=RÉSEAU femmes", ["Réseau des Femmes pour la Paix"]),
        ("q=mediation", ["Réseau des Femmes pour la Paix"]),
        ("q=Coas", ["Coastal Youth Forum"]),
        ("q=الشباب", ["شبكة الشباب للسلام"]),
        ("q=YPN", ["شبكة الشباب للسلام"]),
        ("q=nothing-like-this", []),
    ],
)
def test_api_filters_and_search(enrolled_reviewer, directory, query, expected):
    response = signed_in(enrolled_reviewer).get(f"/api/v1/organizations/?{query}")
    assert response.status_code == 200
    assert _names(response) == expected


def test_api_theme_filter(enrolled_reviewer, network_cso):
    network_cso.themes.add(Theme.objects.get(slug="youth"))
    response = signed_in(enrolled_reviewer).get("/api/v1/organizations/?theme=youth")
    assert _names(response) == ["Coastal Youth Forum"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("sector=army", "sector"),
        ("country=ZZ", "country"),
        ("region=mars", "region"),
        ("theme=unknown-theme", "theme"),
        ("women_led=perhaps", "women_led"),
        ("updated_since=yesterday", "updated_since"),
        ("language=xx", "language"),
    ],
)
def test_bad_filter_values_answer_400_naming_the_parameter(directory, query, parameter):
    response = Client().get(f"/api/v1/organizations/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_bad_filter_values_on_the_page_show_a_message_not_an_error(directory):
    response = Client().get(reverse("organizations:directory") + "?sector=army&country=ZZ")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert "Réseau des Femmes pour la Paix" in body


def test_updated_since_supports_incremental_sync(public_cso):
    older = OrganizationFactory(name="Older", visibility_tier="public")
    Organization.objects.filter(pk=older.pk).update(updated_at="2020-01-01T00:00:00Z")
    response = Client().get("/api/v1/organizations/?updated_since=2021-01-01T00:00:00Z")
    assert _names(response) == ["Réseau des Femmes pour la Paix"]


def test_api_creates_and_updates_through_the_same_rules(outsider):
    from organizations.services import api_token_create

    _token, secret = api_token_create(user=outsider, name="sync", can_write=True)
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    created = client.post(
        "/api/v1/organizations/",
        {
            "name": "Api Registered",
            "sector": "research",
            "countries": ["JO"],
            "themes": ["education"],
            "year_founded": 2001,
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert re.fullmatch(r"api-registered-[a-z2-9]{6}", body["slug"])
    assert (body["regions"], body["themes"]) == (["middle_east_north_africa"], ["education"])
    changed = client.patch(
        f"/api/v1/organizations/{body['id']}/",
        {"year_founded": 3000},
        content_type="application/json",
    )
    assert changed.status_code == 400
    assert changed.json() == {"year_founded": ["The year founded cannot be in the future."]}
    assert Organization.objects.get(slug=body["slug"]).year_founded == 2001


def test_anonymous_clients_cannot_write(directory):
    response = Client().post(
        "/api/v1/organizations/", {"name": "X", "sector": "media"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Organization.objects.filter(name="X").exists()


def test_themes_and_criteria_are_public_reads():
    themes = Client().get("/api/v1/themes/").json()
    assert themes["count"] == 14
    criteria = Client().get("/api/v1/criteria/?group=core_value").json()
    assert [c["code"] for c in criteria["results"]][:2] == ["core-non-violence", "core-rights"]


def _many(count):
    themes = list(Theme.objects.all()[:3])
    for n in range(count):
        organization = OrganizationFactory(visibility_tier="public", name=f"Org {n:03}")
        organization.themes.set(themes)


@pytest.mark.parametrize("rows", [1, 50])
def test_directory_page_runs_a_constant_number_of_queries(django_assert_num_queries, rows):
    _many(rows)
    # count, option counts (one query, themes included), page of organizations, their themes,
    # the themes of the filter form
    with django_assert_num_queries(5):
        response = Client().get(reverse("organizations:directory"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_api_list_runs_a_constant_number_of_queries(django_assert_num_queries, rows):
    _many(rows)
    # the count, the page (its themes as an array in the same query)
    with django_assert_num_queries(2):
        response = Client().get("/api/v1/organizations/")
    assert response.json()["count"] == rows


def test_a_word_in_the_name_ranks_before_the_same_word_in_the_summary(db):
    from organizations.search import organizations_search

    # Twice in the summary still weighs less than once in the name.
    OrganizationFactory(name="Harmony House", summary="Peace education and peace circles.")
    OrganizationFactory(name="Peace Forum", summary="Dialogue.")
    found = organizations_search(Organization.objects.all(), "peace")
    assert list(found.values_list("name", flat=True)) == ["Peace Forum", "Harmony House"]


def test_search_can_be_answered_from_its_indexes(directory):
    from django.db import connection

    from tests.organizations.search_plans import bitmap_indexes, candidates_plan

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = candidates_plan(Organization.objects.all(), "reseau")
    assert bitmap_indexes(plan) == {"organization_search", "organization_name_trgm"}
