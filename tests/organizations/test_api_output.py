"""The organization API's body: OrganizationOutput's hand-written rendering gives exactly what
DRF's field-by-field rendering of the same declared fields gives, and a list or a profile costs
a fixed number of queries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from organizations.api.directory import OUTPUT_COLUMNS, OrganizationOutput
from organizations.models import Organization, Theme, VettingApplication
from organizations.selectors import organization_list
from organizations.services import organization_update
from tests.conftest import bearer
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _vet(organization, *, days: int):
    until = timezone.now() + timedelta(days=days)
    VettingApplication.objects.create(
        organization=organization, status="approved", decided_at=timezone.now(), valid_until=until
    )
    Organization.objects.filter(pk=organization.pk).update(vetted_until=until)


@pytest.fixture
def varied(cso, public_cso):
    """Profiles that between them fill every field, leave every optional one empty, and are
    vetted, no longer vetted and applying."""
    themes = list(Theme.objects.order_by("-order")[:3])
    full = OrganizationFactory(
        name="Mothers for Peaceful Neighbourhoods",
        acronym="MPN",
        visibility_tier="public",
        women_led=True,
        youth_led=True,
        headquarters_country="NE",
        countries=["NE", "TD", "NG"],
        regions=["sub_saharan_africa"],
        website="https://mpn.example/",
        summary="Mères médiatrices.",
        summary_translations={"en": "Mothers who mediate.", "ar": "أمهات وسيطات"},
        description="A long description\nover two lines.",
        working_languages=["fr", "ha", "tmh"],
        year_founded=2009,
        constituency="Mothers of young people.",
        networks=["GNWP", "WANEP"],
        accepts_introductions=False,
    )
    full.themes.set(themes)
    public_cso.themes.set(themes[:1])
    _vet(full, days=200)
    lapsed = OrganizationFactory(name="Lapsed Forum", visibility_tier="public")
    _vet(lapsed, days=-3)
    VettingApplication.objects.create(organization=cso, status="submitted")
    cso.visibility_tier = "public"
    cso.save()
    return [full, lapsed, public_cso, cso]


def _generic(user, zone: str) -> bytes:
    """DRF's rendering of OrganizationOutput's declared fields (not its to_representation) for
    the directory's rows, as the list endpoint shows them."""
    serializer = OrganizationOutput(context={})
    with timezone.override(zone):
        rows = [
            serializers.ModelSerializer.to_representation(serializer, organization)
            for organization in organization_list(user).order_by("name")
        ]
    return JSONRenderer().render(rows)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("zone", ["UTC", "America/Caracas", "Asia/Kolkata"])
def test_the_list_renders_as_drf_would_for_a_member(varied, cso_member, zone):
    # On the site's session, times are in the member's own time zone.
    cso_member.timezone = zone
    cso_member.save()
    response = _signed_in(cso_member).get("/api/v1/organizations/")
    assert response.status_code == 200
    assert JSONRenderer().render(response.data["results"]) == _generic(cso_member, zone)
    by_name = {row["name"]: row for row in response.json()["results"]}
    # The member follows their own application; nobody else's raw state shows.
    assert by_name["Coastal Youth Forum"]["vetting_status"] == "submitted"
    assert by_name["Lapsed Forum"]["vetting_status"] is None
    assert by_name["Lapsed Forum"]["vetted_until"] is None
    # A token's requests are rendered in UTC.
    token = bearer(cso_member).get("/api/v1/organizations/")
    assert JSONRenderer().render(token.data["results"]) == _generic(cso_member, "UTC")


def test_the_list_renders_as_drf_would_for_anonymous_clients(varied):
    response = Client().get("/api/v1/organizations/")
    body = response.json()["results"]
    assert JSONRenderer().render(response.data["results"]) == _generic(AnonymousUser(), "UTC")
    full = next(row for row in body if row["acronym"] == "MPN")
    assert full["countries"] == ["NE", "NG", "TD"]  # the field keeps them sorted
    assert full["headquarters_country"] == "NE"
    assert full["themes"] == [t.slug for t in Theme.objects.order_by("-order")[:3][::-1]]
    assert full["vetted_until"].endswith("Z")
    assert full["vetting_status"] is None


def test_a_profile_renders_as_drf_would(varied, cso_member):
    full = varied[0]
    response = bearer(cso_member).get(f"/api/v1/organizations/{full.public_id}/")
    expected = serializers.ModelSerializer.to_representation(
        OrganizationOutput(context={}), organization_list(cso_member).get(pk=full.pk)
    )
    assert JSONRenderer().render(response.data) == JSONRenderer().render(expected)


def test_a_changed_profile_renders_its_new_themes(cso_admin, cso):
    # After a write the body is rendered from the saved organization, not from annotations
    # made when it was read.
    theme = Theme.objects.order_by("order").first()
    response = bearer(cso_admin).patch(
        f"/api/v1/organizations/{cso.public_id}/",
        {"themes": [theme.slug], "summary": "Peer mediation."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["themes"] == [theme.slug]
    assert response.json()["summary"] == "Peer mediation."
    organization_update(organization=cso, user=cso_admin, themes=[])
    assert bearer(cso_admin).get(f"/api/v1/organizations/{cso.public_id}/").json()["themes"] == []


def test_the_etag_covers_every_field_the_body_reads_from_the_row():
    # themes, vetted_until and vetting_status come from annotations, which the ETag covers
    # beside the columns (OrganizationViewSet.object_validator).
    from_row = set(OrganizationOutput.Meta.fields) - {"themes", "vetted_until", "vetting_status"}
    assert {"id" if column == "public_id" else column for column in OUTPUT_COLUMNS} == from_row


def _many(count):
    themes = list(Theme.objects.all()[:3])
    for n in range(count):
        organization = OrganizationFactory(visibility_tier="public", name=f"Org {n:03}")
        organization.themes.set(themes)
        MembershipFactory(organization=organization)


@pytest.mark.parametrize("rows", [1, 50])
def test_a_token_list_runs_a_constant_number_of_queries(django_assert_num_queries, outsider, rows):
    _many(rows)
    client = bearer(outsider)
    client.get("/api/v1/organizations/")  # records the token's first use
    # the token with its user and the user's roles (for the two-factor rule and the secretariat
    # check), the count, the page (themes included)
    with django_assert_num_queries(3):
        response = client.get("/api/v1/organizations/")
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("member", [False, True])
def test_a_token_profile_runs_a_constant_number_of_queries(
    django_assert_num_queries, cso, cso_member, outsider, member
):
    cso.visibility_tier = "public"
    cso.save()
    cso.themes.set(Theme.objects.all()[:4])
    client = bearer(cso_member if member else outsider)
    client.get("/api/v1/organizations/")
    # the token with its user and the user's roles, the profile
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/organizations/{cso.public_id}/")
    assert len(response.json()["themes"]) == 4
    assert response.json()["vetting_status"] == ("" if member else None)
