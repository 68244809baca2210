"""Who may ask for a civil society organization's contacts, checked against what is true now:
verified requester organizations, consent that ends, blocks and limits (DESIGN.md §4)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations.models import (
    Contact,
    ContactReveal,
    IntroductionBlock,
    IntroductionRequest,
    IntroductionStatus,
    RequesterVerification,
    Sector,
    VisibilityTier,
)
from organizations.services import (
    introduction_request,
    introduction_set_state,
    introductions_expire_due,
    requester_verification_revoke,
)
from tests.conftest import bearer, enrol_totp, signed_in, signed_in_recently
from tests.factories import MembershipFactory, OrganizationFactory
from tests.organizations.conftest import verify

pytestmark = pytest.mark.django_db
PURPOSE = "We would like to discuss a community policing pilot in the coastal districts."


@pytest.fixture
def shared(cso):
    return Contact.objects.create(
        organization=cso, name="Asha Mwangi", email="asha@cso.example", shareable=True
    )


def _ask(requester, on_behalf_of, organization):
    return introduction_request(
        requester=requester,
        requester_organization=on_behalf_of,
        organization=organization,
        purpose=PURPOSE,
    )


@pytest.fixture
def accepted(cso, cso_admin, shared, enrolled_government_user, ministry):
    introduction = _ask(enrolled_government_user, ministry, cso)
    return introduction_set_state(
        introduction=introduction, to=IntroductionStatus.ACCEPTED, by=cso_admin
    )


def _page_request(client, organization, on_behalf_of):
    return client.post(
        reverse("organizations:introduction_new", args=[organization.slug]),
        {"requester_organization": on_behalf_of.public_id, "purpose": PURPOSE},
    )


def _api_request(client, organization, on_behalf_of):
    return client.post(
        "/api/v1/introductions/",
        {
            "organization": str(organization.public_id),
            "requester_organization": str(on_behalf_of.public_id),
            "purpose": PURPOSE,
        },
        content_type="application/json",
    )


def _sees_contacts(user, introduction, cso) -> tuple[int, int]:
    """The status of the contacts page (after confirming the password) and of the API."""
    page = signed_in_recently(user).get(
        reverse("organizations:introduction_contacts", args=[introduction.public_id])
    )
    api = bearer(user).get(f"/api/v1/organizations/{cso.public_id}/contacts/")
    assert "Asha Mwangi" not in page.content.decode() + api.content.decode() or (
        page.status_code == api.status_code == 200
    )
    return page.status_code, api.status_code


# --- 1. Requester organizations are verified by the secretariat ------------------------------


def test_an_unverified_requester_cannot_ask_on_the_page_or_the_api(cso, enrolled_government_user):
    unverified = enrolled_government_user.memberships.get().organization
    page = signed_in(enrolled_government_user).get(
        reverse("organizations:introduction_new", args=[cso.slug])
    )
    assert page.status_code == 403
    assert "not verified yet" in page.content.decode()
    assert _page_request(signed_in(enrolled_government_user), cso, unverified).status_code == 403
    response = _api_request(bearer(enrolled_government_user), cso, unverified)
    assert response.status_code == 403
    assert "verified by the secretariat" in response.json()["detail"]
    assert IntroductionRequest.objects.count() == 0
    # ... while browsing as anyone signed in.
    assert (
        signed_in(enrolled_government_user)
        .get(reverse("organizations:detail", args=[cso.slug]))
        .status_code
        == 200
    )


def test_the_secretariat_verifies_and_revokes_on_its_page(enrolled_reviewer, government_user):
    ministry = government_user.memberships.get().organization
    client = signed_in(enrolled_reviewer)
    listing = client.get(reverse("organizations:requesters")).content.decode()
    assert "Ministry of the Interior" in listing and "Not verified" in listing
    url = reverse("organizations:requester_verification", args=[ministry.public_id])
    refused = client.post(url, {"action": "verify", "method": "fax", "evidence": "A call"})
    assert refused.status_code == 200 and "A call" in refused.content.decode()
    assert not RequesterVerification.objects.exists()
    client.post(url, {"action": "verify", "method": "official_domain", "evidence": "gov.example"})
    verification = RequesterVerification.objects.get()
    assert (verification.verified_by, verification.method, verification.sector) == (
        enrolled_reviewer,
        "official_domain",
        Sector.GOVERNMENT,
    )
    assert (verification.name, verification.revoked_at) == ("Ministry of the Interior", None)
    client.post(url, {"action": "revoke", "reason": "The domain was not theirs."})
    verification.refresh_from_db()
    assert verification.revoked_by == enrolled_reviewer
    assert verification.revoke_reason == "The domain was not theirs."
    assert "Not verified" in client.get(url).content.decode()


def test_only_the_secretariat_may_verify(
    cso_admin, enrolled_government_user, outsider, enrolled_reviewer
):
    ministry = enrolled_government_user.memberships.get().organization
    for user in (cso_admin, enrolled_government_user, outsider):
        client = signed_in(user)
        assert client.get(reverse("organizations:requesters")).status_code == 404
        url = reverse("organizations:requester_verification", args=[ministry.public_id])
        response = client.post(url, {"action": "verify", "method": "other", "evidence": "me"})
        assert response.status_code == 404
        api = bearer(user).post(
            "/api/v1/requester-verifications/",
            {"organization": str(ministry.public_id), "method": "other", "evidence": "me"},
            content_type="application/json",
        )
        assert api.status_code == 404
    assert not RequesterVerification.objects.exists()
    created = bearer(enrolled_reviewer).post(
        "/api/v1/requester-verifications/",
        {"organization": str(ministry.public_id), "method": "official_letter", "evidence": "L-1"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["verified_by"] == "rita@secretariat.example"
    revoked = bearer(enrolled_reviewer).post(
        f"/api/v1/requester-verifications/{created.json()['id']}/revoke/",
        {"reason": "Wrong ministry"},
        content_type="application/json",
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None


def test_civil_society_is_not_verified_as_a_requester(cso, enrolled_reviewer):
    response = bearer(enrolled_reviewer).post(
        "/api/v1/requester-verifications/",
        {"organization": str(cso.public_id), "method": "other", "evidence": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not RequesterVerification.objects.exists()


# --- 3. Consent is tied to the person's current role -----------------------------------------


def test_an_accepted_introduction_shows_contacts_to_its_requester(
    accepted, cso, enrolled_government_user
):
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (200, 200)
    assert ContactReveal.objects.count() == 2


def test_a_requester_who_left_sees_nothing(accepted, cso, enrolled_government_user, ministry):
    enrolled_government_user.memberships.get(organization=ministry).delete()
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (404, 403)
    assert ContactReveal.objects.count() == 0
    # The request itself is no longer theirs to see, on the page or the API.
    detail = signed_in(enrolled_government_user).get(
        reverse("organizations:introduction", args=[accepted.public_id])
    )
    assert detail.status_code == 404
    api = bearer(enrolled_government_user).get(f"/api/v1/introductions/{accepted.public_id}/")
    assert api.status_code == 404


def test_a_revoked_verification_ends_every_accepted_introduction(
    accepted, cso, enrolled_government_user, ministry, enrolled_reviewer
):
    requester_verification_revoke(
        verification=ministry.requester_verifications.get(),
        by=enrolled_reviewer,
        reason="No longer confirmed.",
    )
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)
    assert ContactReveal.objects.count() == 0
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.LAPSED


def test_a_requester_organization_that_changes_sector_loses_its_verification(
    accepted, cso, enrolled_government_user, ministry
):
    ministry.sector = Sector.RESEARCH
    ministry.save()
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)
    ministry.sector = Sector.SECURITY_SECTOR  # a requester sector, but not the verified one
    ministry.save()
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)
    assert ContactReveal.objects.count() == 0


def test_a_cso_that_became_restricted_is_hidden_on_the_page_and_the_api(
    accepted, cso, enrolled_government_user
):
    cso.visibility_tier = VisibilityTier.RESTRICTED
    cso.save()
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (404, 404)
    detail = signed_in(enrolled_government_user).get(
        reverse("organizations:introduction", args=[accepted.public_id])
    )
    assert detail.status_code == 404
    listed = bearer(enrolled_government_user).get("/api/v1/introductions/").json()
    assert listed["count"] == 0
    assert ContactReveal.objects.count() == 0


def test_consent_lapses_after_a_year_and_the_cso_is_told(
    accepted, cso, cso_admin, enrolled_government_user, django_capture_on_commit_callbacks
):
    assert (
        accepted.consent_until.date() == (accepted.decided_at + timedelta(days=365)).date()
        or accepted.consent_until.date() == (accepted.decided_at + timedelta(days=366)).date()
    )
    with time_machine.travel(accepted.consent_until + timedelta(minutes=1)):
        assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)
        with django_capture_on_commit_callbacks(execute=True):
            assert introductions_expire_due(timezone.now()) == 1
        assert introductions_expire_due(timezone.now()) == 0
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.LAPSED
    assert mail.outbox[-1].to == ["alice@cso.example"]
    assert "Ministry of the Interior" in mail.outbox[-1].subject


def test_the_cso_renews_consent(accepted, cso, cso_admin, cso_member, enrolled_government_user):
    before = accepted.consent_until
    url = reverse("organizations:introduction_decide", args=[cso.slug, accepted.public_id])
    assert signed_in(cso_member).post(url, {"renew": "1"}).status_code == 403
    accepted.refresh_from_db()
    assert accepted.consent_until == before
    with time_machine.travel(before - timedelta(days=10)):
        signed_in(cso_admin).post(url, {"renew": "1"})
    accepted.refresh_from_db()
    assert accepted.consent_until > before
    with time_machine.travel(before + timedelta(days=1)):
        assert introductions_expire_due(timezone.now()) == 0
        assert _sees_contacts(enrolled_government_user, accepted, cso) == (200, 200)


# --- 4. What the CSO sees before deciding; blocks, cooldown and limits ------------------------


def test_the_cso_sees_the_requester_before_deciding_even_a_restricted_one(
    cso, cso_admin, shared, enrolled_government_user, ministry
):
    Contact.objects.create(organization=cso, name="Private Person", shareable=False)
    introduction = _ask(enrolled_government_user, ministry, cso)
    ministry.visibility_tier = VisibilityTier.RESTRICTED
    ministry.summary = "Interior ministry, community safety directorate."
    ministry.save()
    body = (
        signed_in(cso_admin)
        .get(
            reverse("organizations:introduction_received", args=[cso.slug, introduction.public_id])
        )
        .content.decode()
    )
    assert "Interior ministry, community safety directorate." in body
    assert "grace@gov.example" in body and enrolled_government_user.name in body
    assert "Verified by the secretariat on" in body
    assert "Asha Mwangi" in body and "Private Person" not in body
    assert "does not vouch" not in body
    ministry.requester_verifications.update(revoked_at=timezone.now())
    body = (
        signed_in(cso_admin)
        .get(
            reverse("organizations:introduction_received", args=[cso.slug, introduction.public_id])
        )
        .content.decode()
    )
    assert "does not vouch" in body


def test_only_the_csos_admins_see_a_received_request(
    cso, cso_member, outsider, enrolled_government_user, ministry
):
    introduction = _ask(enrolled_government_user, ministry, cso)
    url = reverse("organizations:introduction_received", args=[cso.slug, introduction.public_id])
    assert signed_in(cso_member).get(url).status_code == 403
    assert signed_in(outsider).get(url).status_code == 403
    assert signed_in(enrolled_government_user).get(url).status_code == 403


def test_a_blocked_requester_cannot_ask_again(
    cso, cso_admin, enrolled_government_user, ministry, accepted
):
    pending_cso = OrganizationFactory(name="Second CSO")
    MembershipFactory(organization=pending_cso, role="admin")
    url = reverse("organizations:introduction_block", args=[cso.slug, accepted.public_id])
    signed_in(cso_admin).post(url, {"target": "organization"})
    block = IntroductionBlock.objects.get()
    assert (block.blocked_organization, block.blocked_user) == (ministry, None)
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.WITHDRAWN
    response = _page_request(signed_in(enrolled_government_user), cso, ministry)
    assert "does not accept introduction requests" in response.content.decode()
    assert IntroductionRequest.objects.filter(organization=cso).count() == 1
    # Another CSO is not affected.
    assert (
        _page_request(signed_in(enrolled_government_user), pending_cso, ministry).status_code == 302
    )
    unblock = reverse("organizations:introduction_unblock", args=[cso.slug, block.public_id])
    signed_in(cso_admin).post(unblock)
    assert not IntroductionBlock.objects.exists()


def test_a_person_can_be_blocked_through_the_api(
    cso, cso_admin, enrolled_government_user, ministry
):
    introduction = _api_request(bearer(enrolled_government_user), cso, ministry).json()
    refused = bearer(enrolled_government_user).post(
        f"/api/v1/introductions/{introduction['id']}/block/",
        {"target": "person"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert not IntroductionBlock.objects.exists()
    response = bearer(cso_admin).post(
        f"/api/v1/introductions/{introduction['id']}/block/",
        {"target": "person"},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert IntroductionBlock.objects.get().blocked_user == enrolled_government_user
    assert IntroductionRequest.objects.get().status == IntroductionStatus.DECLINED


def test_a_declined_requester_waits_before_asking_again(
    cso, cso_admin, enrolled_government_user, ministry
):
    introduction = _ask(enrolled_government_user, ministry, cso)
    introduction_set_state(introduction=introduction, to=IntroductionStatus.DECLINED, by=cso_admin)
    # A colleague from the same ministry is refused too.
    colleague = MembershipFactory(organization=ministry, user__email="hal@gov.example").user
    enrol_totp(colleague)
    for user in (enrolled_government_user, colleague):
        response = _page_request(signed_in(user), cso, ministry)
        assert "declined a recent request" in response.content.decode()
        assert PURPOSE in response.content.decode()
    assert IntroductionRequest.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert _api_request(bearer(colleague), cso, ministry).status_code == 201


def test_introduction_requests_are_limited_per_person_and_organization(
    settings, enrolled_government_user, ministry
):
    settings.INTRODUCTION_REQUESTS_PER_USER_DAY = 2
    settings.INTRODUCTION_REQUESTS_PER_ORGANIZATION_DAY = 3
    csos = [OrganizationFactory() for _ in range(5)]
    client = bearer(enrolled_government_user)
    assert [_api_request(client, cso, ministry).status_code for cso in csos[:3]] == [201, 201, 429]
    page = _page_request(signed_in(enrolled_government_user), csos[3], ministry)
    assert "too many introduction requests" in page.content.decode()
    colleague = MembershipFactory(organization=ministry).user
    enrol_totp(colleague)
    assert _api_request(bearer(colleague), csos[3], ministry).status_code == 201
    response = _api_request(bearer(colleague), csos[4], ministry)
    assert response.status_code == 429
    assert "Your organization has sent too many" in response.json()["detail"]
    assert IntroductionRequest.objects.count() == 3


# --- 5. One transition function ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (IntroductionStatus.DECLINED, IntroductionStatus.ACCEPTED),
        (IntroductionStatus.WITHDRAWN, IntroductionStatus.ACCEPTED),
        (IntroductionStatus.EXPIRED, IntroductionStatus.ACCEPTED),
        (IntroductionStatus.LAPSED, IntroductionStatus.ACCEPTED),
        (IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED),
    ],
)
def test_refused_transitions_change_nothing(
    start, to, cso, cso_admin, enrolled_government_user, ministry
):
    introduction = _ask(enrolled_government_user, ministry, cso)
    IntroductionRequest.objects.filter(pk=introduction.pk).update(status=start)
    response = signed_in(cso_admin).post(
        reverse("organizations:introduction_decide", args=[cso.slug, introduction.public_id]),
        {"decision": "accept" if to == IntroductionStatus.ACCEPTED else "decline"},
    )
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.status == start


def test_accepting_a_requester_who_has_left_is_refused(
    cso, cso_admin, enrolled_government_user, ministry
):
    introduction = _ask(enrolled_government_user, ministry, cso)
    enrolled_government_user.memberships.all().delete()
    response = bearer(cso_admin).post(f"/api/v1/introductions/{introduction.public_id}/accept/")
    assert response.status_code == 400
    assert "cannot be accepted" in str(response.json())
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING


# --- 16. The introductions API lists each request once -----------------------------------------


def test_the_api_lists_each_request_once_and_its_detail_answers(
    cso, cso_admin, cso_member, enrolled_government_user, ministry
):
    MembershipFactory(organization=cso, role="admin")
    introduction = _api_request(bearer(enrolled_government_user), cso, ministry).json()
    for user in (enrolled_government_user, cso_admin):
        listed = bearer(user).get("/api/v1/introductions/").json()
        assert [item["id"] for item in listed["results"]] == [introduction["id"]]
        detail = bearer(user).get(f"/api/v1/introductions/{introduction['id']}/")
        assert detail.status_code == 200
        assert detail.json()["requester_verified"] is True
    assert bearer(cso_member).get(f"/api/v1/introductions/{introduction['id']}/").status_code == 404


def test_the_introductions_api_list_runs_a_constant_number_of_queries(
    cso_admin, cso, enrolled_government_user, ministry
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = bearer(cso_admin)
    client.get("/api/v1/introductions/")  # records the token's first use
    counts = []
    for n in (1, 6):
        for _ in range(n):
            other = MembershipFactory(organization=ministry).user
            IntroductionRequest.objects.create(
                requester=other, requester_organization=ministry, organization=cso, purpose=PURPOSE
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/introductions/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_verification_history_is_kept(ministry, enrolled_reviewer):
    verification = ministry.requester_verifications.get()
    verify(ministry, by=enrolled_reviewer)
    verification.refresh_from_db()
    assert verification.revoked_at is not None
    assert ministry.requester_verifications.count() == 2
    from pghistory.models import Events

    assert Events.objects.references(verification).count() >= 2


def test_registering_a_requester_organization_says_it_must_be_verified(outsider):
    form = {
        "name": "Ministry of Coastal Affairs",
        "sector": "government",
        "visibility_tier": "network",
    }
    response = signed_in(outsider).post(reverse("organizations:create"), form, follow=True)
    body = response.content.decode()
    assert "The secretariat will verify Ministry of Coastal Affairs before its members" in body
    civil = {
        "name": "Harbour Youth Circle",
        "sector": "civil_society",
        "visibility_tier": "network",
    }
    body = signed_in(outsider).post(reverse("organizations:create"), civil, follow=True)
    assert "The secretariat will verify" not in body.content.decode()


def test_profiles_say_who_is_verified_and_what_an_unverified_member_must_wait_for(
    cso, enrolled_government_user
):
    ministry = enrolled_government_user.memberships.get().organization
    client = signed_in(enrolled_government_user)
    cso_page = client.get(reverse("organizations:detail", args=[cso.slug])).content.decode()
    assert "must be verified by the secretariat before you can ask" in cso_page
    assert "Request an introduction" not in cso_page
    ministry_url = reverse("organizations:detail", args=[ministry.slug])
    assert "Verified by the secretariat" not in client.get(ministry_url).content.decode()
    verify(ministry)
    cso_page = client.get(reverse("organizations:detail", args=[cso.slug])).content.decode()
    assert "must be verified" not in cso_page and "Request an introduction" in cso_page
    assert "Verified by the secretariat" in client.get(ministry_url).content.decode()


def test_the_requesting_organizations_history_shows_nothing_of_the_cso(
    cso, cso_admin, accepted, enrolled_government_user, ministry, enrolled_reviewer
):
    from organizations.models import Membership

    Membership.objects.filter(user=enrolled_government_user).update(role="admin")
    introduction_set_state(introduction=accepted, to=IntroductionStatus.WITHDRAWN, by=cso_admin)
    body = (
        signed_in(enrolled_government_user)
        .get(reverse("organizations:history", args=[ministry.slug]))
        .content.decode()
    )
    assert "alice@cso.example" not in body and cso.name not in body
    assert "_id" not in body and "Letter ref." not in body
    # The CSO's own history keeps the introduction, without serial keys.
    cso_body = (
        signed_in(cso_admin).get(reverse("organizations:history", args=[cso.slug])).content.decode()
    )
    assert f"withdrew the consent given to <bdi>{ministry.name}</bdi>." in cso_body
    assert "IntroductionRequest" not in cso_body and "decided_by" not in cso_body


# --- Consent is given once, to what held then: it never revives ---------------------------------


def test_consent_does_not_revive_when_the_requester_rejoins(
    accepted, cso, enrolled_government_user, ministry
):
    membership = enrolled_government_user.memberships.get(organization=ministry)
    membership.delete()
    MembershipFactory(organization=ministry, user=enrolled_government_user)
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)


def test_consent_does_not_revive_with_a_new_verification(
    accepted, cso, enrolled_government_user, ministry, enrolled_reviewer
):
    requester_verification_revoke(
        verification=ministry.requester_verifications.get(), by=enrolled_reviewer, reason="Check"
    )
    verify(ministry, by=enrolled_reviewer)
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)


def test_consent_ends_when_the_requesting_organization_is_renamed(
    accepted, cso, enrolled_government_user, ministry
):
    Organization = type(ministry)
    Organization.objects.filter(pk=ministry.pk).update(name="National Intelligence Directorate")
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)
    assert ContactReveal.objects.count() == 0


def test_becoming_restricted_withdraws_consent_for_good(
    accepted, cso, cso_admin, enrolled_government_user
):
    from organizations.services import organization_update

    organization_update(
        organization=cso,
        user=cso_admin,
        visibility_tier=VisibilityTier.RESTRICTED,
        confirm_visibility_change=True,
    )
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.WITHDRAWN
    organization_update(
        organization=cso,
        user=cso_admin,
        visibility_tier=VisibilityTier.PUBLIC,
        confirm_visibility_change=True,
    )
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)


def test_a_withdrawal_also_makes_the_requester_wait(
    accepted, cso, cso_admin, enrolled_government_user, ministry
):
    introduction_set_state(introduction=accepted, to=IntroductionStatus.WITHDRAWN, by=cso_admin)
    response = _api_request(bearer(enrolled_government_user), cso, ministry)
    assert response.status_code == 400
    assert "withdrew its consent" in str(response.json())
    assert IntroductionRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migration_data")  # an earlier committing test's flush removed it
def test_concurrent_requests_cannot_pass_the_daily_limit_together(settings):
    import threading

    from django.db import connection

    from organizations.models import Sector

    settings.INTRODUCTION_REQUESTS_PER_USER_DAY = 1
    ministry = OrganizationFactory(sector=Sector.GOVERNMENT)
    requester = MembershipFactory(organization=ministry).user
    enrol_totp(requester)
    verify(ministry)
    csos = [OrganizationFactory() for _ in range(4)]
    barrier = threading.Barrier(len(csos))
    results = []

    def ask(cso):
        try:
            barrier.wait()
            introduction_request(
                requester=requester,
                requester_organization=ministry,
                organization=cso,
                purpose=PURPOSE,
            )
            results.append("sent")
        except Exception as error:
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(cso,)) for cso in csos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["RateLimited"] * 3 + ["sent"]
    assert IntroductionRequest.objects.count() == 1


def test_a_consent_that_no_longer_holds_is_no_dead_end(
    accepted, cso, cso_admin, enrolled_government_user, ministry
):
    # The requester left and rejoined: the consent was given to the membership that is gone.
    enrolled_government_user.memberships.get(organization=ministry).delete()
    MembershipFactory(organization=ministry, user=enrolled_government_user)
    detail = signed_in(enrolled_government_user).get(
        reverse("organizations:introduction", args=[accepted.public_id])
    )
    assert "This consent no longer holds" in detail.content.decode()
    received = signed_in(cso_admin).get(
        reverse("organizations:introduction_received", args=[cso.slug, accepted.public_id])
    )
    assert "no longer in force" in received.content.decode()
    assert "Renew consent" not in received.content.decode()
    renew = bearer(cso_admin).post(f"/api/v1/introductions/{accepted.public_id}/renew/")
    assert renew.status_code == 400
    # The requester may ask again; the old consent ends for good.
    assert _api_request(bearer(enrolled_government_user), cso, ministry).status_code == 201
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.LAPSED


def test_the_sweep_lapses_consents_that_no_longer_hold(
    accepted, enrolled_government_user, ministry, django_capture_on_commit_callbacks
):
    enrolled_government_user.memberships.get(organization=ministry).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert introductions_expire_due(timezone.now()) == 1
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.LAPSED
    assert mail.outbox[-1].to == ["alice@cso.example"]


def test_the_organizations_admins_are_told_of_verification_and_revocation(
    enrolled_government_user, enrolled_reviewer, django_capture_on_commit_callbacks
):
    from organizations.models import Membership

    ministry = enrolled_government_user.memberships.get().organization
    Membership.objects.filter(user=enrolled_government_user).update(role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        verification = verify(ministry, by=enrolled_reviewer)
    assert mail.outbox[-1].to == ["grace@gov.example"]
    assert "«Ministry of the Interior» is verified" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        requester_verification_revoke(
            verification=verification, by=enrolled_reviewer, reason="The letter was forged."
        )
    assert "The letter was forged." in mail.outbox[-1].body


def test_a_declined_requester_is_told_when_they_may_ask_again(
    cso, cso_admin, enrolled_government_user, ministry
):
    introduction = _ask(enrolled_government_user, ministry, cso)
    introduction_set_state(introduction=introduction, to=IntroductionStatus.DECLINED, by=cso_admin)
    client = signed_in(enrolled_government_user)
    detail = client.get(reverse("organizations:introduction", args=[introduction.public_id]))
    assert "may ask this organization again from" in detail.content.decode()
    profile = client.get(reverse("organizations:detail", args=[cso.slug])).content.decode()
    assert "You may ask again from" in profile and "Request an introduction</a>" not in profile


def test_a_requester_organizations_page_tells_its_members_it_is_not_verified(
    enrolled_government_user,
):
    ministry = enrolled_government_user.memberships.get().organization
    page = (
        signed_in(enrolled_government_user)
        .get(reverse("organizations:detail", args=[ministry.slug]))
        .content.decode()
    )
    assert "Not verified yet" in page
    assert "Introduction requests</a>" not in page  # a ministry receives none


def test_a_name_changed_and_changed_back_does_not_revive_consent(
    accepted, cso, enrolled_government_user, ministry, enrolled_reviewer
):
    from organizations.services import organization_update

    original = ministry.name
    for name in ("Ministry of the Interior (renamed)", original):
        organization_update(organization=ministry, user=enrolled_reviewer, name=name)
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.LAPSED
    assert _sees_contacts(enrolled_government_user, accepted, cso) == (403, 403)


def test_revoking_a_verification_lapses_its_consents_at_once(accepted, ministry, enrolled_reviewer):
    requester_verification_revoke(
        verification=ministry.requester_verifications.get(), by=enrolled_reviewer, reason="Check"
    )
    accepted.refresh_from_db()
    assert accepted.status == IntroductionStatus.LAPSED


def test_a_withdrawal_by_turning_restricted_starts_the_cooldown_now(
    accepted, cso, cso_admin, enrolled_government_user, ministry
):
    from organizations.services import organization_update

    with time_machine.travel(timezone.now() + timedelta(days=200)):
        organization_update(
            organization=cso,
            user=cso_admin,
            visibility_tier=VisibilityTier.RESTRICTED,
            confirm_visibility_change=True,
        )
        organization_update(
            organization=cso,
            user=cso_admin,
            visibility_tier=VisibilityTier.NETWORK,
            confirm_visibility_change=True,
        )
        response = _api_request(bearer(enrolled_government_user), cso, ministry)
    assert response.status_code == 400
    assert "withdrew its consent" in str(response.json())


def test_even_a_read_only_token_is_created_after_confirming_the_password(outsider):
    from organizations.models import ApiToken

    response = signed_in(outsider).post(reverse("organizations:api_tokens"), {"name": "laptop"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ApiToken.objects.exists()
