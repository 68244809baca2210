import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from organizations.models import Invitation, Membership
from tests.conftest import signed_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _members_url(organization):
    return reverse("organizations:members", args=[organization.slug])


def _invite(client, organization, email="newcomer@cso.example", role="editor"):
    return client.post(_members_url(organization), {"email": email, "role": role})


def _link(message):
    return re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body).group(1)


def test_an_admin_invites_and_the_invitee_joins(cso_admin, cso, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(signed_in(cso_admin), cso)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@cso.example"]
    assert "Coastal Youth Forum" in mail.outbox[0].subject
    link = _link(mail.outbox[0])
    stored = Invitation.objects.get()
    assert link.split("/")[2] not in stored.token_hash  # only the hash is kept

    newcomer = UserFactory(email="newcomer@cso.example")
    client = signed_in(newcomer)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer, organization=cso).role == "editor"


def test_an_invitation_cannot_be_used_twice(cso_admin, cso, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(signed_in(cso_admin), cso)
    link = _link(mail.outbox[0])
    newcomer = UserFactory(email="newcomer@cso.example")
    signed_in(newcomer).post(link)
    Membership.objects.filter(user=newcomer).delete()
    response = signed_in(newcomer).post(link)
    assert response.status_code == 400
    assert "expired or has already been used" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_expired_invitation_is_refused(cso_admin, cso, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(signed_in(cso_admin), cso)
    link = _link(mail.outbox[0])
    newcomer = UserFactory(email="newcomer@cso.example")
    with time_machine.travel(Invitation.objects.get().expires_at, tick=False):
        response = signed_in(newcomer).post(link)
    assert response.status_code == 400
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_invitation_only_works_for_the_address_it_was_sent_to(
    cso_admin, cso, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(signed_in(cso_admin), cso)
    response = signed_in(outsider).post(_link(mail.outbox[0]))
    assert response.status_code == 400
    assert "sent to n…@cso.example" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, organization=cso).exists()


def test_an_unknown_invitation_token_is_a_404(outsider):
    response = signed_in(outsider).get(reverse("organizations:invitation", args=["forged"]))
    assert response.status_code == 404


def test_members_and_editors_cannot_invite(cso_member, cso):
    response = _invite(signed_in(cso_member), cso)
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_outsiders_cannot_see_the_members(outsider, cso, cso_admin):
    assert signed_in(outsider).get(_members_url(cso)).status_code == 403
    body = signed_in(cso_admin).get(_members_url(cso)).content.decode()
    assert "alice@cso.example" in body


def test_the_last_admin_can_be_neither_demoted_nor_removed(cso_admin, cso):
    client = signed_in(cso_admin)
    membership = Membership.objects.get(user=cso_admin)
    role_url = reverse("organizations:membership_role", args=[cso.slug, membership.public_id])
    response = client.post(role_url, {"role": "member"}, follow=True)
    assert "must keep at least one administrator" in response.content.decode()
    remove_url = reverse("organizations:membership_remove", args=[cso.slug, membership.public_id])
    response = client.post(remove_url, follow=True)
    assert "must keep at least one administrator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_with_a_second_admin_the_first_may_step_down(cso_admin, cso):
    MembershipFactory(organization=cso, role="admin", user__email="second@cso.example")
    membership = Membership.objects.get(user=cso_admin)
    signed_in(cso_admin).post(
        reverse("organizations:membership_role", args=[cso.slug, membership.public_id]),
        {"role": "member"},
    )
    membership.refresh_from_db()
    assert membership.role == "member"


def test_an_admin_removes_a_member_and_a_member_may_leave(cso_admin, cso_member, cso):
    other = MembershipFactory(organization=cso, user__email="carol@cso.example")
    signed_in(cso_admin).post(
        reverse("organizations:membership_remove", args=[cso.slug, other.public_id])
    )
    assert not Membership.objects.filter(pk=other.pk).exists()
    own = Membership.objects.get(user=cso_member)
    response = signed_in(cso_member).post(
        reverse("organizations:membership_remove", args=[cso.slug, own.public_id])
    )
    assert response["Location"] == reverse("organizations:directory")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_a_member_cannot_remove_someone_else(cso_admin, cso_member, cso):
    admin_membership = Membership.objects.get(user=cso_admin)
    response = signed_in(cso_member).post(
        reverse("organizations:membership_remove", args=[cso.slug, admin_membership.public_id])
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_inviting_an_existing_member_keeps_the_input_with_a_message(cso_admin, cso, cso_member):
    response = _invite(signed_in(cso_admin), cso, email="BOB@cso.example")
    assert response.status_code == 200
    body = response.content.decode()
    assert "already a member" in body
    assert 'value="BOB@cso.example"' in body
    assert Invitation.objects.count() == 0
