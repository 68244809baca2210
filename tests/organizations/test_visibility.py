"""DESIGN.md §4, organization profiles: every role, through the pages and the API."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
# Which tiers each kind of user sees (restricted: only members and the secretariat).
EXPECTED = {
    ANONYMOUS: {"public"},
    "outsider": {"public", "network"},
    "cso_member": {"public", "network"},
    "enrolled_government_user": {"public", "network"},
    "restricted_member": {"public", "network", "restricted"},
    "enrolled_reviewer": {"public", "network", "restricted"},
}


@pytest.fixture(params=sorted(EXPECTED))
def viewer(request, directory):
    if request.param == ANONYMOUS:
        return request.param, Client()
    return request.param, signed_in(request.getfixturevalue(request.param))


def test_directory_page_lists_exactly_what_the_viewer_may_see(viewer, directory, ministry):
    role, client = viewer
    body = client.get(reverse("organizations:directory")).content.decode()
    shown = {tier for tier, org in directory.items() if org.name in body}
    assert shown == EXPECTED[role]


def test_detail_page_answers_404_for_what_the_viewer_may_not_see(viewer, directory):
    role, client = viewer
    for tier, organization in directory.items():
        response = client.get(reverse("organizations:detail", args=[organization.slug]))
        expected = 200 if tier in EXPECTED[role] else 404
        assert response.status_code == expected, (role, tier)


def test_api_list_returns_exactly_what_the_viewer_may_see(viewer, directory):
    role, client = viewer
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    expected = {str(directory[tier].public_id) for tier in EXPECTED[role]}
    others = {str(org.public_id) for org in directory.values()}
    assert ids & others == expected


def test_api_detail_answers_404_for_what_the_viewer_may_not_see(viewer, directory):
    role, client = viewer
    for tier, organization in directory.items():
        response = client.get(f"/api/v1/organizations/{organization.public_id}/")
        assert response.status_code == (200 if tier in EXPECTED[role] else 404), (role, tier)


def test_restricted_profile_cannot_be_changed_by_an_outsider_and_stays_unchanged(
    outsider, restricted_cso
):
    client = signed_in(outsider)
    page = client.post(
        reverse("organizations:edit", args=[restricted_cso.slug]),
        {"name": "Taken over", "sector": "civil_society"},
    )
    assert page.status_code == 404
    api = client.patch(
        f"/api/v1/organizations/{restricted_cso.public_id}/",
        {"name": "Taken over"},
        content_type="application/json",
    )
    assert api.status_code == 404
    restricted_cso.refresh_from_db()
    assert restricted_cso.name == "شبكة الشباب للسلام"


def test_visible_profile_answers_403_to_a_non_editor_and_stays_unchanged(
    outsider, cso_member, network_cso
):
    for user in (outsider, cso_member):
        client = signed_in(user)
        page = client.post(
            reverse("organizations:edit", args=[network_cso.slug]),
            {"name": "Renamed", "sector": "civil_society"},
        )
        assert page.status_code == 403
        api = client.patch(
            f"/api/v1/organizations/{network_cso.public_id}/",
            {"name": "Renamed"},
            content_type="application/json",
        )
        assert api.status_code == 403
    network_cso.refresh_from_db()
    assert network_cso.name == "Coastal Youth Forum"


def test_a_malformed_id_in_the_api_is_a_404():
    assert Client().get("/api/v1/organizations/not-a-uuid/").status_code == 404
    assert (
        Client().get("/api/v1/organizations/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


@pytest.fixture
def held_public(db):
    from tests.factories import MembershipFactory, OrganizationFactory

    organization = OrganizationFactory(
        name="Held Look-alike", visibility_tier="public", held_for_review=True
    )
    MembershipFactory(organization=organization, user__email="holder@held.example")
    return organization


def test_a_held_organization_is_seen_only_by_its_members_and_the_secretariat(viewer, held_public):
    role, client = viewer
    expected = 200 if role == "enrolled_reviewer" else 404
    assert client.get(reverse("organizations:detail", args=[held_public.slug])).status_code == (
        expected
    )
    assert client.get(f"/api/v1/organizations/{held_public.public_id}/").status_code == expected
    listed = "Held Look-alike" in client.get(reverse("organizations:directory")).content.decode()
    assert listed is (role == "enrolled_reviewer")
    member = held_public.memberships.get().user
    assert (
        signed_in(member).get(f"/api/v1/organizations/{held_public.public_id}/").status_code == 200
    )
