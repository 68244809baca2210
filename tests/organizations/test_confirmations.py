"""Destructive actions: GET shows a confirmation page (no JavaScript needed) and changes nothing,
POST does it, and someone else's row is a 404 that leaves it as it was."""

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import (
    ApiToken,
    Contact,
    IntroductionBlock,
    IntroductionRequest,
    IntroductionStatus,
    Invitation,
    Membership,
    MembershipRole,
    RequesterVerification,
)
from organizations.services import (
    api_token_create,
    introduction_block,
    introduction_request,
    introduction_set_state,
    membership_invite,
)
from tests.conftest import signed_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
PURPOSE = "We would like to discuss a community policing pilot in the coastal districts."


def _is_confirmation(response, title, cancel_url):
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="confirm-title">{title}</h1>' in body
    assert '<button type="submit" class="button button--danger">' in body
    assert f'<a class="button button--secondary" href="{cancel_url}">Cancel</a>' in body
    return body


@pytest.fixture
def contact(cso):
    return Contact.objects.create(organization=cso, name="Asha Mwangi", email="asha@cso.example")


@pytest.fixture
def other_admin(db):
    return MembershipFactory(
        organization=OrganizationFactory(name="Other Forum", slug="other-forum"),
        role=MembershipRole.ADMIN,
    ).user


@pytest.fixture
def introduction(cso, cso_admin, enrolled_government_user, ministry):
    return introduction_request(
        requester=enrolled_government_user,
        requester_organization=ministry,
        organization=cso,
        purpose=PURPOSE,
    )


def test_contact_delete_get_asks_and_keeps_the_contact(cso, cso_admin, contact):
    url = reverse("organizations:contact_delete", args=[cso.slug, contact.public_id])
    response = signed_in(cso_admin).get(url)
    _is_confirmation(
        response,
        "Delete the contact <bdi>Asha Mwangi</bdi>?",
        reverse("organizations:contacts", args=[cso.slug]),
    )
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_contact_delete_post_deletes(cso, cso_admin, contact):
    url = reverse("organizations:contact_delete", args=[cso.slug, contact.public_id])
    response = signed_in(cso_admin).post(url)
    assert response.status_code == 302
    assert response.url == reverse("organizations:contacts", args=[cso.slug])
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_contact_delete_of_another_organization_is_a_404(cso, contact, other_admin):
    url = reverse("organizations:contact_delete", args=["other-forum", contact.public_id])
    client = signed_in(other_admin)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_contact_delete_confirmation_is_refused_to_a_reader(cso, cso_member, contact):
    url = reverse("organizations:contact_delete", args=[cso.slug, contact.public_id])
    assert signed_in(cso_member).get(url).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_contacts_page_links_each_delete_to_its_confirmation(cso, cso_admin, contact):
    body = signed_in(cso_admin).get(reverse("organizations:contacts", args=[cso.slug])).content
    url = reverse("organizations:contact_delete", args=[cso.slug, contact.public_id])
    assert f'<a class="button button--danger" href="{url}">Delete' in body.decode()
    assert b'<a href="mailto:asha@cso.example" dir="ltr">asha@cso.example</a>' in body


def test_member_remove_get_asks_and_keeps_the_member(cso, cso_admin, cso_member):
    membership = cso_member.memberships.get()
    url = reverse("organizations:membership_remove", args=[cso.slug, membership.public_id])
    body = _is_confirmation(
        signed_in(cso_admin).get(url),
        f"Remove <bdi>{cso_member.name}</bdi> from <bdi>Coastal Youth Forum</bdi>?",
        reverse("organizations:members", args=[cso.slug]),
    )
    assert "Remove the member" in body
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_member_remove_post_removes(cso, cso_admin, cso_member):
    membership = cso_member.memberships.get()
    url = reverse("organizations:membership_remove", args=[cso.slug, membership.public_id])
    assert signed_in(cso_admin).post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_leaving_asks_in_the_first_person(cso, cso_admin, cso_member):
    membership = cso_member.memberships.get()
    url = reverse("organizations:membership_remove", args=[cso.slug, membership.public_id])
    body = _is_confirmation(
        signed_in(cso_member).get(url),
        "Leave <bdi>Coastal Youth Forum</bdi>?",
        reverse("organizations:members", args=[cso.slug]),
    )
    assert "Leave the organization" in body
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_gets_no_confirmation_to_remove_someone_else(cso, cso_admin, cso_member):
    membership = cso_admin.memberships.get()
    url = reverse("organizations:membership_remove", args=[cso.slug, membership.public_id])
    assert signed_in(cso_member).get(url).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_member_remove_of_another_organization_is_a_404(cso, cso_member, other_admin):
    membership = cso_member.memberships.get()
    url = reverse("organizations:membership_remove", args=["other-forum", membership.public_id])
    client = signed_in(other_admin)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_invitation_revoke_asks_then_revokes(cso, cso_admin, other_admin):
    invitation, _token = membership_invite(organization=cso, by=cso_admin, email="new@cso.example")
    url = reverse("organizations:invitation_revoke", args=[cso.slug, invitation.public_id])
    _is_confirmation(
        signed_in(cso_admin).get(url),
        "Revoke the invitation to <bdi>new@cso.example</bdi>?",
        reverse("organizations:members", args=[cso.slug]),
    )
    assert Invitation.objects.get(pk=invitation.pk).is_open
    other = reverse("organizations:invitation_revoke", args=["other-forum", invitation.public_id])
    assert signed_in(other_admin).post(other).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).is_open
    assert signed_in(cso_admin).post(url).status_code == 302
    assert not Invitation.objects.get(pk=invitation.pk).is_open


def test_api_token_revoke_asks_then_revokes(outsider):
    token, _secret = api_token_create(user=outsider, name="Sync script")
    url = reverse("organizations:api_token_revoke", args=[token.public_id])
    _is_confirmation(
        signed_in(outsider).get(url),
        "Revoke the token <bdi>Sync script</bdi>?",
        reverse("organizations:api_tokens"),
    )
    assert ApiToken.objects.get(pk=token.pk).is_active
    assert signed_in(outsider).post(url).status_code == 302
    assert not ApiToken.objects.get(pk=token.pk).is_active


def test_api_token_of_someone_else_is_a_404(outsider, cso_admin):
    token, _secret = api_token_create(user=outsider, name="Sync script")
    url = reverse("organizations:api_token_revoke", args=[token.public_id])
    client = signed_in(cso_admin)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).is_active


def test_withdraw_consent_asks_then_withdraws(cso, cso_admin, introduction, other_admin):
    introduction_set_state(introduction=introduction, to=IntroductionStatus.ACCEPTED, by=cso_admin)
    url = reverse("organizations:introduction_withdraw", args=[cso.slug, introduction.public_id])
    back = reverse("organizations:introduction_received", args=[cso.slug, introduction.public_id])
    page = signed_in(cso_admin).get(back).content.decode()
    assert f'<a class="button button--danger" href="{url}">Withdraw consent</a>' in page
    _is_confirmation(
        signed_in(cso_admin).get(url),
        "Withdraw your consent to <bdi>Ministry of the Interior</bdi>?",
        back,
    )
    assert IntroductionRequest.objects.get().status == IntroductionStatus.ACCEPTED
    other = reverse(
        "organizations:introduction_withdraw", args=["other-forum", introduction.public_id]
    )
    assert signed_in(other_admin).post(other).status_code == 404
    assert IntroductionRequest.objects.get().status == IntroductionStatus.ACCEPTED
    assert signed_in(cso_admin).post(url).url == back
    assert IntroductionRequest.objects.get().status == IntroductionStatus.WITHDRAWN


def test_block_asks_with_the_target_then_blocks(cso, cso_admin, introduction):
    url = reverse("organizations:introduction_block", args=[cso.slug, introduction.public_id])
    body = _is_confirmation(
        signed_in(cso_admin).get(url, {"target": "organization"}),
        "Block <bdi>Ministry of the Interior</bdi>?",
        reverse("organizations:introduction_received", args=[cso.slug, introduction.public_id]),
    )
    assert '<input type="hidden" name="target" value="organization">' in body
    assert not IntroductionBlock.objects.exists()
    signed_in(cso_admin).post(url, {"target": "organization"})
    block = IntroductionBlock.objects.get()
    assert block.blocked_organization == introduction.requester_organization
    assert IntroductionRequest.objects.get().status == IntroductionStatus.DECLINED


def test_block_of_another_organization_is_a_404(cso, introduction, other_admin):
    url = reverse("organizations:introduction_block", args=["other-forum", introduction.public_id])
    client = signed_in(other_admin)
    assert client.get(url, {"target": "person"}).status_code == 404
    assert client.post(url, {"target": "person"}).status_code == 404
    assert not IntroductionBlock.objects.exists()


def test_unblock_asks_then_unblocks(cso, cso_admin, other_admin, enrolled_government_user):
    block = introduction_block(organization=cso, by=cso_admin, user=enrolled_government_user)
    url = reverse("organizations:introduction_unblock", args=[cso.slug, block.public_id])
    _is_confirmation(
        signed_in(cso_admin).get(url),
        "Unblock <bdi>grace@gov.example</bdi>?",
        reverse("organizations:introductions_received", args=[cso.slug]),
    )
    assert IntroductionBlock.objects.filter(pk=block.pk).exists()
    other = reverse("organizations:introduction_unblock", args=["other-forum", block.public_id])
    assert signed_in(other_admin).post(other).status_code == 404
    assert IntroductionBlock.objects.filter(pk=block.pk).exists()
    signed_in(cso_admin).post(url)
    assert not IntroductionBlock.objects.filter(pk=block.pk).exists()


def test_revoking_a_verification_asks_for_a_reason_then_revokes(enrolled_reviewer, ministry):
    url = reverse("organizations:requester_verification_revoke", args=[ministry.public_id])
    client = signed_in(enrolled_reviewer)
    body = _is_confirmation(
        client.get(url),
        "Revoke the verification of <bdi>Ministry of the Interior</bdi>?",
        reverse("organizations:requester_verification", args=[ministry.public_id]),
    )
    assert 'name="reason"' in body
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.content.decode()
    assert RequesterVerification.objects.get().revoked_at is None
    assert client.post(url, {"reason": "The letter was forged."}).status_code == 302
    assert RequesterVerification.objects.get().revoke_reason == "The letter was forged."


def test_revoking_a_verification_is_the_secretariats(cso_admin, ministry):
    url = reverse("organizations:requester_verification_revoke", args=[ministry.public_id])
    assert signed_in(cso_admin).get(url).status_code == 404
    assert signed_in(cso_admin).post(url, {"reason": "No."}).status_code == 404
    assert RequesterVerification.objects.get().revoked_at is None


def test_confirmation_pages_need_sign_in(db):
    token, _secret = api_token_create(user=UserFactory(), name="x")
    url = reverse("organizations:api_token_revoke", args=[token.public_id])
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url
