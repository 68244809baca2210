import re

import pytest

from organizations.models import Contact, Membership, Organization
from tests.conftest import enrol_totp, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    user = UserFactory(email="sam@staff.example", is_staff=True, is_superuser=True)
    enrol_totp(user)
    return user


def _management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


PROFILE = {
    "name": "Admin Made",
    "sector": "research",
    "visibility_tier": "public",
    "countries": ["JO"],
    "working_languages": ["ar"],
    "networks": "[]",
    "accepts_introductions": "on",
}


def test_staff_create_organizations_through_the_service(staff):
    response = signed_in(staff).post(
        "/admin/organizations/organization/add/",
        {**PROFILE, **_management("memberships"), **_management("contacts")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organization = Organization.objects.get(name="Admin Made")
    assert re.fullmatch(r"admin-made-[a-z2-9]{6}", organization.slug)
    assert organization.regions == ["middle_east_north_africa"]
    assert Membership.objects.get(organization=organization).user == staff


def test_admin_contact_edits_go_through_the_service(staff, cso):
    response = signed_in(staff).post(
        f"/admin/organizations/organization/{cso.pk}/change/",
        {
            **PROFILE,
            "name": cso.name,
            **_management("memberships"),
            **_management("contacts", total=1),
            "contacts-0-name": "Added in admin",
            "contacts-0-email": "not-an-email",
        },
    )
    assert response.status_code == 200  # the bad email is reported, nothing saved
    assert not Contact.objects.exists()
    response = signed_in(staff).post(
        f"/admin/organizations/organization/{cso.pk}/change/",
        {
            **PROFILE,
            "name": cso.name,
            **_management("memberships"),
            **_management("contacts", total=1),
            "contacts-0-name": "Added in admin",
            "contacts-0-email": "ok@cso.example",
        },
    )
    assert response.status_code == 302
    assert Contact.objects.get().organization == cso


def test_workflow_rows_are_read_only_in_the_admin(staff):
    client = signed_in(staff)
    assert client.get("/admin/organizations/vettingapplication/add/").status_code == 403
    assert client.get("/admin/organizations/contactreveal/add/").status_code == 403
