import re

import pytest
from django.core import mail

from organizations.models import Membership
from tests.conftest import bearer
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_members_invitations_roles_and_removal_through_the_api(
    cso, cso_admin, cso_member, outsider, django_capture_on_commit_callbacks
):
    base = f"/api/v1/organizations/{cso.public_id}/"
    listing = bearer(cso_member).get(base + "members/")
    assert sorted(m["email"] for m in listing.json()) == ["alice@cso.example", "bob@cso.example"]
    assert bearer(outsider).get(base + "members/").status_code == 403

    assert (
        bearer(cso_member)
        .post(base + "invitations/", {"email": "x@y.org"}, content_type="application/json")
        .status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        invited = bearer(cso_admin).post(
            base + "invitations/",
            {"email": "new@cso.example", "role": "editor"},
            content_type="application/json",
        )
    assert invited.status_code == 201
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    newcomer = UserFactory(email="new@cso.example")
    joined = bearer(newcomer).post(
        "/api/v1/memberships/accept-invitation/", {"token": token}, content_type="application/json"
    )
    assert joined.status_code == 201 and joined.json()["role"] == "editor"
    again = bearer(newcomer).post(
        "/api/v1/memberships/accept-invitation/", {"token": token}, content_type="application/json"
    )
    assert again.status_code == 400

    member_id = Membership.objects.get(user=cso_member).public_id
    changed = bearer(cso_admin).patch(
        f"/api/v1/memberships/{member_id}/", {"role": "editor"}, content_type="application/json"
    )
    assert changed.json()["role"] == "editor"
    assert bearer(outsider).delete(f"/api/v1/memberships/{member_id}/").status_code == 404
    assert bearer(cso_admin).delete(f"/api/v1/memberships/{member_id}/").status_code == 204
    assert not Membership.objects.filter(public_id=member_id).exists()


def test_the_last_admin_cannot_leave_through_the_api(cso, cso_admin):
    own = Membership.objects.get(user=cso_admin).public_id
    response = bearer(cso_admin).delete(f"/api/v1/memberships/{own}/")
    assert response.status_code == 400
    assert "at least one administrator" in str(response.json())
    demoted = bearer(cso_admin).patch(
        f"/api/v1/memberships/{own}/", {"role": "member"}, content_type="application/json"
    )
    assert demoted.status_code == 400
    assert Membership.objects.get(public_id=own).role == "admin"
    MembershipFactory(organization=cso, role="admin")
    assert bearer(cso_admin).delete(f"/api/v1/memberships/{own}/").status_code == 204
