"""Invitations: revoked (page, API, admin), tied to the inviter's role, quoted, rate-limited."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from organizations.models import Invitation, Membership, MembershipRole, User
from organizations.services import membership_invite
from tests.conftest import bearer, enrol_totp, signed_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(organization, by, email="newcomer@cso.example"):
    invitation, secret = membership_invite(organization=organization, by=by, email=email)
    return invitation, reverse("organizations:invitation", args=[secret])


def _revoke_url(invitation):
    return reverse(
        "organizations:invitation_revoke",
        args=[invitation.organization.slug, invitation.public_id],
    )


def test_an_admin_revokes_an_invitation_on_the_members_page(cso, cso_admin):
    invitation, link = _invite(cso, cso_admin)
    members_page = signed_in(cso_admin).get(reverse("organizations:members", args=[cso.slug]))
    assert _revoke_url(invitation) in members_page.content.decode()
    response = signed_in(cso_admin).post(_revoke_url(invitation))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_by == cso_admin and invitation.revoked_at is not None
    newcomer = UserFactory(email="newcomer@cso.example")
    refused = signed_in(newcomer).post(link)
    assert refused.status_code == 400
    assert not Membership.objects.filter(user=newcomer).exists()


def test_members_cannot_revoke_invitations(cso, cso_admin, cso_member):
    invitation, _link = _invite(cso, cso_admin)
    assert signed_in(cso_member).post(_revoke_url(invitation)).status_code == 403
    url = f"/api/v1/organizations/{cso.public_id}/invitations/{invitation.public_id}/"
    assert bearer(cso_member).delete(url).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_the_api_revokes_an_invitation(cso, cso_admin, outsider):
    invited = bearer(cso_admin).post(
        f"/api/v1/organizations/{cso.public_id}/invitations/",
        {"email": "new@cso.example"},
        content_type="application/json",
    )
    invitation_id = invited.json()["id"]
    url = f"/api/v1/organizations/{cso.public_id}/invitations/{invitation_id}/"
    assert bearer(outsider).delete(url).status_code == 404
    assert Invitation.objects.get().revoked_at is None
    assert bearer(cso_admin).delete(url).status_code == 204
    assert Invitation.objects.get().revoked_at is not None
    again = bearer(cso_admin).delete(url)
    assert again.status_code == 400
    assert "expired or has already been used" in str(again.json())


def test_staff_revoke_invitations_in_the_admin(cso, cso_admin):
    staff = UserFactory(email="sam@staff.example", is_staff=True, is_superuser=True)
    enrol_totp(staff)
    invitation, _link = _invite(cso, cso_admin)
    response = signed_in(staff).post(
        "/admin/organizations/invitation/",
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_by == staff


@pytest.mark.parametrize("how", ["demoted", "removed"])
def test_an_admin_who_loses_the_role_loses_their_open_invitations(cso, cso_admin, how):
    second = MembershipFactory(organization=cso, role=MembershipRole.ADMIN).user
    theirs, _link = _invite(cso, second, "theirs@cso.example")
    mine, _link = _invite(cso, cso_admin, "mine@cso.example")
    membership = Membership.objects.get(user=second)
    if how == "demoted":
        url = reverse("organizations:membership_role", args=[cso.slug, membership.public_id])
        signed_in(cso_admin).post(url, {"role": "editor"})
    else:
        url = reverse("organizations:membership_remove", args=[cso.slug, membership.public_id])
        signed_in(cso_admin).post(url)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.revoked_at is not None and theirs.revoked_by == cso_admin
    assert mine.revoked_at is None


def test_acceptance_rechecks_that_the_inviter_may_still_invite(cso, cso_admin):
    second = MembershipFactory(organization=cso, role=MembershipRole.ADMIN).user
    _invitation, link = _invite(cso, second)
    # Demoted behind the services' back (e.g. a restored backup): acceptance still checks.
    Membership.objects.filter(user=second).update(role=MembershipRole.MEMBER)
    newcomer = UserFactory(email="newcomer@cso.example")
    response = signed_in(newcomer).post(link)
    assert response.status_code == 400
    assert "the person who sent it can no longer invite people to Coastal Youth Forum" in (
        response.content.decode()
    )
    assert not Membership.objects.filter(user=newcomer).exists()
    assert Invitation.objects.get().accepted_at is None


def test_the_invitation_email_quotes_the_names_and_cannot_pose_as_the_portal(
    cso, cso_admin, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=cso_admin.pk).update(
        name="GSX Portal Security Team\nhttps://gsx-login.example/reset"
    )
    cso.name = "Your account expires: visit www.gsx-login.example now"
    cso.save()
    cso_admin.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(cso, cso_admin)
    message = mail.outbox[0]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == (
        "[GSX] Invitation to join «Your account expires: visit www[.]gsx-login[.]example now»"
    )
    assert "Organization: «Your account expires: visit www[.]gsx-login[.]example now»" in (
        message.body
    )
    assert (
        "Invited by: «GSX Portal Security Team gsx-login[.]example/reset (alice@cso.example)»"
        in message.body
    )
    assert "https://gsx-login" not in message.body and "www.gsx" not in message.body
    assert "were written by the person who invited you, not by the GSX Portal" in message.body
    # The only link is the portal's own.
    assert re.findall(r"https?://\S+", message.body) == [
        re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    ]


def test_invitations_are_limited_per_user_and_day(cso, cso_admin, settings):
    settings.INVITATIONS_PER_USER_PER_DAY = 2
    client = signed_in(cso_admin)
    url = reverse("organizations:members", args=[cso.slug])
    for n in range(2):
        assert client.post(url, {"email": f"p{n}@x.example", "role": "member"}).status_code == 302
    Invitation.objects.update(revoked_at="2026-01-01T00:00:00Z")  # revoking does not reset it
    refused = client.post(url, {"email": "p3@x.example", "role": "member"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "You have sent 2 invitations in the last 24 hours. Try again tomorrow." in body
    assert 'value="p3@x.example"' in body
    api = bearer(cso_admin).post(
        f"/api/v1/organizations/{cso.public_id}/invitations/",
        {"email": "p4@x.example"},
        content_type="application/json",
    )
    assert api.status_code == 429
    assert api.json() == {
        "detail": "You have sent 2 invitations in the last 24 hours. Try again tomorrow."
    }
    assert Invitation.objects.count() == 2


def test_invitations_are_limited_per_organization_and_day(cso, cso_admin, settings):
    settings.INVITATIONS_PER_ORGANIZATION_PER_DAY = 1
    second = MembershipFactory(organization=cso, role=MembershipRole.ADMIN).user
    _invite(cso, cso_admin)
    response = bearer(second).post(
        f"/api/v1/organizations/{cso.public_id}/invitations/",
        {"email": "other@x.example"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert "1 invitations to this organization were sent" in response.json()["detail"]
    assert Invitation.objects.count() == 1


def test_a_used_link_names_no_organization_and_a_wrong_account_sees_no_full_address(
    cso, cso_admin, outsider, django_capture_on_commit_callbacks
):
    from organizations.services import membership_invite

    invitation, secret = membership_invite(
        organization=cso, by=cso_admin, email="newcomer@cso.example"
    )
    url = reverse("organizations:invitation", args=[secret])
    wrong = signed_in(outsider).post(url).content.decode()
    assert "n…@cso.example" in wrong and "newcomer@cso.example" not in wrong
    invitation.revoked_at = invitation.created_at
    invitation.save()
    used = signed_in(outsider).get(url)
    assert used.status_code == 400
    assert cso.name not in used.content.decode()
