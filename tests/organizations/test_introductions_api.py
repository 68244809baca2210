import pytest
from django.test import Client

from organizations.models import Contact, ContactReveal, IntroductionRequest
from tests.conftest import bearer, signed_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
PURPOSE = "We would like to discuss a community policing pilot in the coastal districts."


@pytest.fixture
def shared(cso):
    Contact.objects.create(organization=cso, name="Private One", shareable=False)
    return Contact.objects.create(organization=cso, name="Asha Mwangi", shareable=True)


def _request(client, cso, ministry):
    return client.post(
        "/api/v1/introductions/",
        {
            "organization": str(cso.public_id),
            "requester_organization": str(ministry.public_id),
            "purpose": PURPOSE,
        },
        content_type="application/json",
    )


def test_the_introduction_flow_through_the_api(
    cso, cso_admin, shared, enrolled_government_user, ministry
):
    requester = bearer(enrolled_government_user)
    contacts_url = f"/api/v1/organizations/{cso.public_id}/contacts/"
    created = _request(requester, cso, ministry)
    assert created.status_code == 201
    introduction_id = created.json()["id"]
    assert requester.get(contacts_url).status_code == 403

    # Another CSO member who is not an admin cannot decide; the admin can.
    member = MembershipFactory(organization=cso).user
    assert (
        bearer(member).post(f"/api/v1/introductions/{introduction_id}/accept/").status_code == 404
    )
    accepted = bearer(cso_admin).post(
        f"/api/v1/introductions/{introduction_id}/accept/",
        {"message": "Welcome"},
        content_type="application/json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"

    response = requester.get(contacts_url)
    assert response.status_code == 200
    assert [c["name"] for c in response.json()] == ["Asha Mwangi"]
    assert ContactReveal.objects.get().channel == "api"

    bearer(cso_admin).post(f"/api/v1/introductions/{introduction_id}/withdraw/")
    assert requester.get(contacts_url).status_code == 403


def test_members_see_all_contacts_and_outsiders_none(cso, cso_member, shared, outsider):
    url = f"/api/v1/organizations/{cso.public_id}/contacts/"
    assert [c["name"] for c in signed_in(cso_member).get(url).json()] == [
        "Asha Mwangi",
        "Private One",
    ]
    assert signed_in(outsider).get(url).status_code == 403
    assert Client().get(url).status_code == 401


def test_contacts_of_a_restricted_organization_are_a_404_to_outsiders(restricted_cso, outsider):
    response = signed_in(outsider).get(
        f"/api/v1/organizations/{restricted_cso.public_id}/contacts/"
    )
    assert response.status_code == 404


def test_cso_users_cannot_request_and_bad_input_is_a_400(
    cso, outsider, ministry, enrolled_government_user
):
    assert _request(bearer(outsider), cso, ministry).status_code == 404
    response = bearer(enrolled_government_user).post(
        "/api/v1/introductions/",
        {"organization": "nope", "purpose": "short"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"organization", "requester_organization", "purpose"}
    assert IntroductionRequest.objects.count() == 0


def test_a_read_only_token_cannot_accept(cso, cso_admin, enrolled_government_user, ministry):
    introduction_id = _request(bearer(enrolled_government_user), cso, ministry).json()["id"]
    response = bearer(cso_admin, write=False).post(
        f"/api/v1/introductions/{introduction_id}/accept/"
    )
    assert response.status_code == 403
    assert IntroductionRequest.objects.get().status == "pending"


def test_introduction_lists_show_only_ones_own(
    cso, cso_admin, enrolled_government_user, ministry, outsider
):
    _request(bearer(enrolled_government_user), cso, ministry)
    assert bearer(enrolled_government_user).get("/api/v1/introductions/").json()["count"] == 1
    assert bearer(cso_admin).get("/api/v1/introductions/").json()["count"] == 1
    assert bearer(outsider).get("/api/v1/introductions/").json()["count"] == 0
