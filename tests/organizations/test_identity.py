"""The recognised identity (name, sector) and the visibility tier: who may change them, how."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations.models import Membership, MembershipRole, Organization, VettingApplication
from tests.conftest import bearer, enrol_totp, signed_in

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Coastal Youth Forum",
    "sector": "civil_society",
    "summary": "Peer mediation on the coast.",
    "visibility_tier": "network",
    "accepts_introductions": "on",
}
ASK = "ask the secretariat to change them"


def _vet(organization):
    # An approval as vetting_set_state leaves it: the application and the organization's
    # vetted_until, which is what "vetted" means.
    until = timezone.now() + timedelta(days=300)
    VettingApplication.objects.create(
        organization=organization, status="approved", decided_at=timezone.now(), valid_until=until
    )
    Organization.objects.filter(pk=organization.pk).update(vetted_until=until)
    organization.refresh_from_db()


def _snapshot(organization):
    organization = Organization.objects.get(pk=organization.pk)
    return (organization.name, organization.sector, organization.visibility_tier)


def _patch(user, organization, data):
    return bearer(user).patch(
        f"/api/v1/organizations/{organization.public_id}/", data, content_type="application/json"
    )


def test_admins_cannot_rename_or_resector_a_vetted_organization(cso, cso_admin):
    _vet(cso)
    before = _snapshot(cso)
    response = signed_in(cso_admin).post(
        reverse("organizations:edit", args=[cso.slug]), {**FORM, "name": "Coastal Peace Forum"}
    )
    assert response.status_code == 200
    assert ASK in response.content.decode()
    assert 'value="Coastal Peace Forum"' in response.content.decode()  # the input is kept
    api = _patch(cso_admin, cso, {"sector": "research"})
    assert api.status_code == 400
    assert list(api.json()) == ["sector"] and ASK in api.json()["sector"][0]
    assert _snapshot(cso) == before


def test_a_requester_organization_cannot_be_renamed_by_its_admins(government_user):
    ministry = government_user.memberships.get().organization
    Membership.objects.filter(user=government_user).update(role=MembershipRole.ADMIN)
    enrol_totp(government_user)
    before = _snapshot(ministry)
    api = _patch(government_user, ministry, {"name": "Ministry of Peace"})
    assert api.status_code == 400
    assert list(api.json()) == ["name"]
    assert _snapshot(ministry) == before


@pytest.mark.parametrize("sector", ["government", "security_sector", "multilateral"])
def test_moving_into_a_requester_sector_needs_the_secretariat(cso, cso_admin, sector):
    before = _snapshot(cso)
    assert _patch(cso_admin, cso, {"sector": sector}).status_code == 400
    assert _snapshot(cso) == before


def test_other_profile_changes_stay_with_the_organization(cso, cso_admin):
    _vet(cso)
    response = _patch(cso_admin, cso, {"summary": "Still ours to write.", "name": cso.name})
    assert response.status_code == 200
    assert Organization.objects.get(pk=cso.pk).summary == "Still ours to write."


def test_an_organization_neither_vetted_nor_a_requester_renames_freely(cso, cso_admin):
    response = _patch(cso_admin, cso, {"name": "Coastal Peace Forum", "sector": "research"})
    assert response.status_code == 200
    assert _snapshot(cso) == ("Coastal Peace Forum", "research", "network")


def test_the_secretariat_changes_the_sector_and_the_members_are_told(
    cso, cso_admin, cso_member, enrolled_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(enrolled_reviewer, cso, {"sector": "security_sector"})
    assert response.status_code == 200
    assert _snapshot(cso) == ("Coastal Youth Forum", "security_sector", "network")
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["alice@cso.example", "bob@cso.example"]
    body = mail.outbox[0].body
    assert "Sector: Civil society → Security sector" in body
    assert "must use two-factor authentication" in body


def test_the_secretariat_renames_through_the_page_and_nothing_else(
    cso, enrolled_reviewer, cso_admin, django_capture_on_commit_callbacks
):
    _vet(cso)
    client = signed_in(enrolled_reviewer)
    form = client.get(reverse("organizations:edit", args=[cso.slug])).context["form"]
    assert list(form.fields) == ["name", "sector"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations:edit", args=[cso.slug]),
            {"name": "Coastal Peace Forum", "sector": "civil_society"},
        )
    assert response.status_code == 302
    assert _snapshot(cso) == ("Coastal Peace Forum", "civil_society", "network")
    assert [address for message in mail.outbox for address in message.to] == ["alice@cso.example"]
    assert "Name: Coastal Youth Forum → Coastal Peace Forum" in mail.outbox[0].body
    assert "two-factor" not in mail.outbox[0].body
    refused = _patch(enrolled_reviewer, cso, {"summary": "Written by the secretariat"})
    assert refused.status_code == 400
    assert Organization.objects.get(pk=cso.pk).summary == ""


def test_editors_are_not_offered_the_visibility_and_cannot_change_it(cso, cso_admin, cso_member):
    Membership.objects.filter(user=cso_member).update(role=MembershipRole.EDITOR)
    client = signed_in(cso_member)
    url = reverse("organizations:edit", args=[cso.slug])
    assert "visibility_tier" not in client.get(url).context["form"].fields
    response = client.post(url, {**FORM, "visibility_tier": "public"})
    assert response.status_code == 302  # the rest is saved, the tier is not accepted
    assert _snapshot(cso) == ("Coastal Youth Forum", "civil_society", "network")
    api = _patch(cso_member, cso, {"visibility_tier": "public"})
    assert api.status_code == 400
    assert api.json() == {
        "visibility_tier": [
            "Only the organization's administrators can change who sees its profile."
        ]
    }
    assert _snapshot(cso)[2] == "network"


def test_an_admin_confirms_a_change_of_visibility_on_the_page(restricted_cso, restricted_member):
    client = signed_in(restricted_member)
    url = reverse("organizations:edit", args=[restricted_cso.slug])
    data = {**FORM, "name": restricted_cso.name, "visibility_tier": "public"}
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "visible to anyone on the internet without signing in" in body
    assert 'name="confirm_visibility_change" value="yes"' in body
    assert Organization.objects.get(pk=restricted_cso.pk).visibility_tier == "restricted"
    back = client.post(url, {**data, "confirm_visibility_change": "no"})
    assert back.status_code == 200
    assert Organization.objects.get(pk=restricted_cso.pk).visibility_tier == "restricted"
    confirmed = client.post(url, {**data, "confirm_visibility_change": "yes"})
    assert confirmed.status_code == 302
    assert Organization.objects.get(pk=restricted_cso.pk).visibility_tier == "public"


def test_the_api_needs_an_explicit_confirmation_of_a_visibility_change(
    restricted_cso, restricted_member
):
    unconfirmed = _patch(restricted_member, restricted_cso, {"visibility_tier": "network"})
    assert unconfirmed.status_code == 400
    message = unconfirmed.json()["visibility_tier"][0]
    assert "visible to everyone signed in to the portal, including government" in message
    assert Organization.objects.get(pk=restricted_cso.pk).visibility_tier == "restricted"
    confirmed = _patch(
        restricted_member,
        restricted_cso,
        {"visibility_tier": "network", "confirm_visibility_change": True},
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["visibility_tier"] == "network"
    assert Organization.objects.get(pk=restricted_cso.pk).visibility_tier == "network"


def test_a_name_stored_before_normalisation_does_not_count_as_a_rename(cso, cso_admin):
    _vet(cso)
    Organization.objects.filter(pk=cso.pk).update(name="Coastal  Youth Forum ")
    response = _patch(cso_admin, cso, {"name": "Coastal Youth Forum", "summary": "Saved."})
    assert response.status_code == 200
    stored = Organization.objects.get(pk=cso.pk)
    assert (stored.name, stored.summary) == ("Coastal Youth Forum", "Saved.")


@pytest.fixture
def watchers():
    """A privileged role registered as another app registers its own (a working group's
    conveners, in dialogues): the users of one email domain, for the test."""
    from django.db.models import Exists

    from organizations.models import User
    from organizations.rules import register_privileged_role, unregister_privileged_role

    register_privileged_role(
        "watcher",
        lambda user: Exists(User.objects.filter(pk=user, email__endswith="@elsewhere.example")),
    )
    yield
    unregister_privileged_role("watcher")


def test_a_role_another_app_registers_is_privileged_now(outsider, watchers):
    from organizations.rules import is_privileged

    client = bearer(outsider)
    assert is_privileged(outsider)
    assert client.get("/api/v1/organizations/").status_code == 403
    page = signed_in(outsider).get(reverse("organizations:directory"))
    assert page.status_code == 302 and page["Location"] == reverse("mfa_index")
    outsider.email = "charlie@moved.example"
    outsider.save()
    assert not is_privileged(outsider)
    assert client.get("/api/v1/organizations/").status_code == 200


def test_without_the_registered_role_nobody_is_privileged_by_it(outsider):
    from organizations.rules import is_privileged, privileged_roles

    assert "watcher" not in privileged_roles()
    assert not is_privileged(outsider)
    assert bearer(outsider).get("/api/v1/organizations/").status_code == 200
