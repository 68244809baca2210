"""Contacts and consent-based introductions, through the pages (DESIGN.md §4: contacts row)."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations.models import (
    Contact,
    ContactReveal,
    IntroductionRequest,
    IntroductionStatus,
)
from organizations.services import introductions_expire_due
from tests.conftest import reauthenticated, signed_in

pytestmark = pytest.mark.django_db
PURPOSE = "We would like to discuss a community policing pilot in the coastal districts."


@pytest.fixture
def contacts(cso):
    return {
        "shared": Contact.objects.create(
            organization=cso, name="Asha Mwangi", email="asha@cso.example", shareable=True
        ),
        "private": Contact.objects.create(
            organization=cso, name="Hidden Person", phone="+254 700 000000", shareable=False
        ),
    }


def _request(client, organization, ministry):
    return client.post(
        reverse("organizations:introduction_new", args=[organization.slug]),
        {"requester_organization": ministry.public_id, "purpose": PURPOSE},
    )


def _decide(admin, organization, introduction, decision, message=""):
    return signed_in(admin).post(
        reverse(
            "organizations:introduction_decide", args=[organization.slug, introduction.public_id]
        ),
        {"decision": decision, "message": message},
    )


def test_contacts_are_seen_by_members_and_the_secretariat_only(
    cso, contacts, cso_member, enrolled_reviewer, outsider, enrolled_government_user
):
    url = reverse("organizations:contacts", args=[cso.slug])
    for user in (cso_member, enrolled_reviewer):
        body = signed_in(user).get(url).content.decode()
        assert "Asha Mwangi" in body and "Hidden Person" in body
    for user in (outsider, enrolled_government_user):
        response = signed_in(user).get(url)
        assert response.status_code == 403
        assert "Asha Mwangi" not in response.content.decode()
    detail = (
        signed_in(enrolled_government_user)
        .get(reverse("organizations:detail", args=[cso.slug]))
        .content.decode()
    )
    assert "Asha Mwangi" not in detail and "asha@cso.example" not in detail


def test_the_whole_introduction_flow_reveals_shareable_contacts_only_and_records_it(
    cso,
    cso_admin,
    contacts,
    enrolled_government_user,
    ministry,
    django_capture_on_commit_callbacks,
    caplog,
):
    requester = signed_in(enrolled_government_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(requester, cso, ministry)
    introduction = IntroductionRequest.objects.get()
    assert response["Location"] == reverse(
        "organizations:introduction", args=[introduction.public_id]
    )
    assert mail.outbox[-1].to == ["alice@cso.example"]
    body = mail.outbox[-1].body
    assert "Ministry of the Interior" in body and "grace@gov.example" in body
    # The CSO's admins are told which of their contacts accepting would share, not their details.
    assert "- Asha Mwangi" in body and "asha@cso.example" not in body
    assert "Hidden Person" not in body and PURPOSE in body

    pending = requester.get(reverse("organizations:introduction", args=[introduction.public_id]))
    assert "Asha Mwangi" not in pending.content.decode()
    assert ContactReveal.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        _decide(cso_admin, cso, introduction, "accept", "Welcome; write to Asha.")
    assert mail.outbox[-1].to == ["grace@gov.example"]

    contacts_url = reverse("organizations:introduction_contacts", args=[introduction.public_id])
    # The contacts are behind a fresh confirmation of who is looking.
    assert requester.get(contacts_url)["Location"].startswith("/accounts/reauthenticate/")
    assert ContactReveal.objects.count() == 0
    reauthenticated(requester)
    with caplog.at_level(logging.INFO, logger="gsx.security"):
        body = requester.get(contacts_url).content.decode()
    assert "Asha Mwangi" in body and "asha@cso.example" in body
    assert "Hidden Person" not in body and "+254 700 000000" not in body
    reveal = ContactReveal.objects.get()
    assert (reveal.user, list(reveal.contacts.all()), reveal.channel) == (
        enrolled_government_user,
        [contacts["shared"]],
        "page",
    )
    assert reveal.shown == [
        {
            "id": str(contacts["shared"].public_id),
            "name": "Asha Mwangi",
            "role": "",
            "fields": ["email"],
        }
    ]
    assert (reveal.user_email, reveal.requester_organization_name) == (
        "grace@gov.example",
        "Ministry of the Interior",
    )
    assert "contacts.revealed" in caplog.text


def test_a_declined_request_reveals_nothing(
    cso, cso_admin, contacts, enrolled_government_user, ministry
):
    requester = signed_in(enrolled_government_user)
    _request(requester, cso, ministry)
    introduction = IntroductionRequest.objects.get()
    _decide(cso_admin, cso, introduction, "decline", "Not now.")
    body = requester.get(
        reverse("organizations:introduction", args=[introduction.public_id])
    ).content.decode()
    assert "Declined" in body and "Not now." in body
    assert "Asha Mwangi" not in body
    assert ContactReveal.objects.count() == 0


def test_withdrawn_consent_hides_the_contacts_again(
    cso, cso_admin, contacts, enrolled_government_user, ministry
):
    requester = signed_in(enrolled_government_user)
    _request(requester, cso, ministry)
    introduction = IntroductionRequest.objects.get()
    _decide(cso_admin, cso, introduction, "accept")
    signed_in(cso_admin).post(
        reverse("organizations:introduction_decide", args=[cso.slug, introduction.public_id]),
        {"withdraw": "1"},
    )
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.WITHDRAWN
    reauthenticated(requester)
    response = requester.get(
        reverse("organizations:introduction_contacts", args=[introduction.public_id])
    )
    assert response.status_code == 403
    assert "Asha Mwangi" not in response.content.decode()
    assert ContactReveal.objects.count() == 0


def test_only_the_requester_sees_their_request(
    cso, contacts, enrolled_government_user, ministry, cso_admin, outsider
):
    _request(signed_in(enrolled_government_user), cso, ministry)
    introduction = IntroductionRequest.objects.get()
    _decide(cso_admin, cso, introduction, "accept")
    url = reverse("organizations:introduction", args=[introduction.public_id])
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(cso_admin).get(url).status_code == 404
    assert ContactReveal.objects.count() == 0


def test_only_the_csos_admins_decide(cso, cso_member, enrolled_government_user, ministry):
    _request(signed_in(enrolled_government_user), cso, ministry)
    introduction = IntroductionRequest.objects.get()
    assert _decide(cso_member, cso, introduction, "accept").status_code == 403
    assert _decide(enrolled_government_user, cso, introduction, "accept").status_code == 403
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING


def test_cso_users_cannot_request_introductions(cso, outsider, cso_member):
    for user in (outsider, cso_member):
        response = signed_in(user).get(reverse("organizations:introduction_new", args=[cso.slug]))
        assert response.status_code == 403


def test_an_organization_can_refuse_all_requests(cso, enrolled_government_user, ministry):
    cso.accepts_introductions = False
    cso.save()
    response = _request(signed_in(enrolled_government_user), cso, ministry)
    assert response.status_code == 200
    assert "does not accept introduction requests" in response.content.decode()
    assert IntroductionRequest.objects.count() == 0


def test_a_second_pending_request_is_refused_and_keeps_the_input(
    cso, enrolled_government_user, ministry
):
    client = signed_in(enrolled_government_user)
    _request(client, cso, ministry)
    response = _request(client, cso, ministry)
    assert "already have a pending request" in response.content.decode()
    assert PURPOSE in response.content.decode()
    assert IntroductionRequest.objects.count() == 1


def test_a_too_short_purpose_is_refused(cso, enrolled_government_user, ministry):
    response = signed_in(enrolled_government_user).post(
        reverse("organizations:introduction_new", args=[cso.slug]),
        {"requester_organization": ministry.public_id, "purpose": "hello"},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert IntroductionRequest.objects.count() == 0


def test_requests_expire_after_30_days_and_can_no_longer_be_accepted(
    cso, cso_admin, enrolled_government_user, ministry
):
    _request(signed_in(enrolled_government_user), cso, ministry)
    introduction = IntroductionRequest.objects.get()
    with time_machine.travel(introduction.created_at + timedelta(days=31)):
        assert introductions_expire_due(timezone.now()) == 1
        response = _decide(cso_admin, cso, introduction, "accept")
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.EXPIRED


def test_restricted_organizations_cannot_be_reached_by_outsiders(
    restricted_cso, enrolled_government_user, ministry
):
    response = _request(signed_in(enrolled_government_user), restricted_cso, ministry)
    assert response.status_code == 404
    assert IntroductionRequest.objects.count() == 0


def test_editors_manage_contacts_and_members_only_read(cso, cso_admin, cso_member):
    url = reverse("organizations:contacts", args=[cso.slug])
    response = signed_in(cso_admin).post(url, {"name": "New Person", "email": "bad-email"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert 'value="New Person"' in response.content.decode()
    signed_in(cso_admin).post(
        url, {"name": "New Person", "email": "np@cso.example", "shareable": "on"}
    )
    assert Contact.objects.get(name="New Person").shareable is True
    assert signed_in(cso_member).post(url, {"name": "Sneaky"}).status_code == 403
    assert not Contact.objects.filter(name="Sneaky").exists()


def test_notifications_are_written_in_each_recipients_language(
    cso, cso_admin, enrolled_government_user, ministry, django_capture_on_commit_callbacks
):
    cso_admin.language = "fr"
    cso_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        _request(signed_in(enrolled_government_user), cso, ministry)
    assert mail.outbox[-1].to == ["alice@cso.example"]
    assert "Demande de mise en relation" in mail.outbox[-1].subject
