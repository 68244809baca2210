"""The organizations app's reminders (organizations.reminders): what falls due, for whom, on
which day (UTC), and what still holds when the digest is sent."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation

from gsx_portal import reminders
from gsx_portal.models import ReminderDelivery
from organizations.models import (
    Contact,
    IntroductionRequest,
    IntroductionStatus,
    MembershipRole,
    VettingApplication,
    VettingStatus,
)
from organizations.reminders import (
    APPLICATION_WAITING,
    INTRODUCTION_WAITING,
    SOURCE,
    VETTING_EXPIRING,
)
from organizations.services import (
    introduction_block,
    introduction_request,
    introduction_set_state,
    membership_change_role,
    membership_remove,
    organization_update,
    requester_verification_revoke,
    vetting_expire_due,
    vetting_set_state,
    vetting_start,
)
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.organizations.conftest import vetting_approved, vetting_rate_all, vetting_submitted

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
EXPIRY = date(2028, 3, 10)  # T0 + VETTING_VALID_MONTHS (24)
PURPOSE = "We would like to discuss a community policing pilot in the coastal districts."


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def due(kind: str, now: datetime, since: datetime | None = None) -> list[reminders.Due]:
    with time_machine.travel(now, tick=False):
        items = [item for item in SOURCE.due(since or now, now) if item.kind == kind]
    return sorted(items, key=lambda item: (item.user_id, item.object_key, item.occasion))


def claim(items) -> list[ReminderDelivery]:
    return [
        ReminderDelivery.objects.create(
            user_id=item.user_id,
            kind=item.kind,
            object_key=item.object_key,
            occasion=item.occasion,
            params=item.params,
            link=item.link,
        )
        for item in items
    ]


def still_due(rows, now: datetime) -> set[int]:
    rows = list(ReminderDelivery.objects.filter(pk__in=[row.pk for row in rows]))
    with time_machine.travel(now, tick=False):
        return SOURCE.still_due(rows)


def ids(rows) -> set[int]:
    return {row.pk for row in rows}


def test_the_source_is_registered_with_its_three_kinds():
    assert SOURCE in reminders.sources()
    assert [kind.name for kind in SOURCE.kinds] == [
        "organizations.vetting_expiring",
        "organizations.application_waiting",
        "organizations.introduction_waiting",
    ]
    assert reminders.source_of_kind(INTRODUCTION_WAITING) is SOURCE


def test_the_housekeeping_jobs_stay_registered():
    assert {"organizations.vetting_expire", "organizations.introductions_expire"} <= set(
        reminders.registered()
    )


# --- organizations.vetting_expiring ---------------------------------------------------------


@pytest.fixture
def co_admin(cso):
    return MembershipFactory(
        organization=cso, role=MembershipRole.ADMIN, user__email="ada@cso.example"
    ).user


@pytest.fixture
def approval(cso, cso_admin, cso_member, co_admin, reviewer, second_reviewer):
    # An admin whose account was deactivated is not reminded.
    MembershipFactory(organization=cso, role=MembershipRole.ADMIN, user__is_active=False)
    with time_machine.travel(T0, tick=False):
        return vetting_approved(vetting_submitted(cso, cso_admin), reviewer, second_reviewer)


def expiring(approval, admins, offset):
    organization = approval.organization
    return [
        reminders.Due(
            user_id=admin.pk,
            kind=VETTING_EXPIRING,
            object_key=f"organization:{organization.public_id}:approval:{approval.public_id}",
            occasion=f"expires-{offset}",
            params={
                "organization": "Coastal Youth Forum",
                "expires_at": "2028-03-10T09:00:00+00:00",
            },
            link="/organizations/coastal-youth-forum/vetting/",
        )
        for admin in sorted(admins, key=lambda user: user.pk)
    ]


@pytest.mark.parametrize("offset", [60, 14])
def test_vetting_expiring_is_due_to_the_admins_on_its_day_in_utc(
    approval, cso_admin, co_admin, offset
):
    day = EXPIRY - timedelta(days=offset)
    assert approval.valid_until == at(EXPIRY, 9)
    assert due(VETTING_EXPIRING, at(day - timedelta(days=1), 23)) == []
    assert due(VETTING_EXPIRING, at(day, 0)) == expiring(approval, [cso_admin, co_admin], offset)
    assert due(VETTING_EXPIRING, at(day, 23)) == expiring(approval, [cso_admin, co_admin], offset)
    assert due(VETTING_EXPIRING, at(day + timedelta(days=1), 0)) == []


@pytest.mark.parametrize("offset", [60, 14])
def test_vetting_expiring_is_caught_up_when_the_sweep_missed_its_day(
    approval, cso_admin, co_admin, offset
):
    day = EXPIRY - timedelta(days=offset)
    assert due(
        VETTING_EXPIRING, at(day + timedelta(days=2)), since=at(day - timedelta(days=1))
    ) == expiring(approval, [cso_admin, co_admin], offset)


def test_vetting_expiring_still_holds_while_the_approval_is_in_force(approval):
    day = EXPIRY - timedelta(days=14)
    rows = claim(due(VETTING_EXPIRING, at(day)))
    assert still_due(rows, at(day, 18)) == ids(rows)


def test_vetting_expiring_drops_an_admin_who_is_admin_no_more(approval, cso_admin, co_admin):
    day = EXPIRY - timedelta(days=60)
    rows = claim(due(VETTING_EXPIRING, at(day)))
    membership_change_role(
        membership=cso_admin.memberships.get(), by=co_admin, role=MembershipRole.MEMBER
    )
    assert still_due(rows, at(day, 18)) == {row.pk for row in rows if row.user_id == co_admin.pk}


def test_vetting_expiring_drops_a_renewed_approval_and_reminds_of_the_new_one(
    approval, cso, cso_admin, co_admin, reviewer, second_reviewer
):
    day = EXPIRY - timedelta(days=60)
    rows = claim(due(VETTING_EXPIRING, at(day)))
    with time_machine.travel(at(day, 15), tick=False):
        renewal = vetting_start(organization=cso, by=cso_admin)
        vetting_set_state(application=renewal, to=VettingStatus.SUBMITTED, by=cso_admin)
        renewal = vetting_approved(renewal, reviewer, second_reviewer)
    assert still_due(rows, at(day, 18)) == set()
    assert due(VETTING_EXPIRING, at(day, 18)) == []
    new_day = renewal.valid_until.date() - timedelta(days=60)
    assert [item.object_key for item in due(VETTING_EXPIRING, at(new_day))] == [
        f"organization:{cso.public_id}:approval:{renewal.public_id}"
    ] * 2


def test_vetting_expiring_drops_an_approval_that_expired(approval):
    day = EXPIRY - timedelta(days=14)
    rows = claim(due(VETTING_EXPIRING, at(day)))
    assert vetting_expire_due(at(EXPIRY, 10)) == 1
    assert VettingApplication.objects.get(pk=approval.pk).status == VettingStatus.EXPIRED
    assert still_due(rows, at(EXPIRY, 11)) == set()


def test_vetting_expiring_drops_an_erased_organization(approval, cso):
    day = EXPIRY - timedelta(days=60)
    rows = claim(due(VETTING_EXPIRING, at(day)))
    cso.delete()
    assert still_due(rows, at(day, 18)) == set()


def test_vetting_expiring_reminds_the_admins_of_a_restricted_organization(approval, cso):
    # Members see their own organization whatever its tier (DESIGN.md §4).
    cso.visibility_tier = "restricted"
    cso.save()
    day = EXPIRY - timedelta(days=60)
    rows = claim(due(VETTING_EXPIRING, at(day)))
    assert len(rows) == 2
    assert still_due(rows, at(day, 18)) == ids(rows)


# --- organizations.application_waiting ------------------------------------------------------


@pytest.fixture
def application(cso, cso_admin, reviewer, second_reviewer):
    # Neither a reviewer who belongs to the applicant, nor one whose account was deactivated,
    # nor staff outside the secretariat may review it (services.vetting.may_review).
    MembershipFactory(organization=cso, user__groups=["secretariat"])
    UserFactory(groups=["secretariat"], is_active=False)
    UserFactory(is_staff=True)
    with time_machine.travel(T0, tick=False):
        return vetting_submitted(cso, cso_admin)


def waiting(application, reviewers, day):
    return [
        reminders.Due(
            user_id=reviewer.pk,
            kind=APPLICATION_WAITING,
            object_key=f"vetting-application:{application.public_id}",
            occasion=day.isoformat(),
            params={"organization": "Coastal Youth Forum", "submitted_at": T0.isoformat()},
            link="/organizations/coastal-youth-forum/vetting/",
        )
        for reviewer in sorted(reviewers, key=lambda user: user.pk)
    ]


@pytest.mark.parametrize("weeks", [1, 2, 3])
def test_application_waiting_is_due_to_the_reviewers_every_seven_days(
    application, reviewer, second_reviewer, weeks
):
    day = T0.date() + timedelta(weeks=weeks)
    assert due(APPLICATION_WAITING, at(day - timedelta(days=1), 23)) == []
    assert due(APPLICATION_WAITING, at(day, 0)) == waiting(
        application, [reviewer, second_reviewer], day
    )
    assert due(APPLICATION_WAITING, at(day + timedelta(days=1), 0)) == []
    assert due(APPLICATION_WAITING, at(day + timedelta(days=1)), since=at(day, 8)) == waiting(
        application, [reviewer, second_reviewer], day
    )


def test_application_waiting_catches_up_every_day_it_missed(application, reviewer):
    assert [
        item.occasion
        for item in due(APPLICATION_WAITING, at(date(2026, 3, 25)), since=at(date(2026, 3, 16)))
        if item.user_id == reviewer.pk
    ] == ["2026-03-17", "2026-03-24"]


def test_application_waiting_still_holds_while_no_reviewer_took_it_up(application):
    day = T0.date() + timedelta(days=7)
    rows = claim(due(APPLICATION_WAITING, at(day)))
    assert len(rows) == 2
    assert still_due(rows, at(day, 18)) == ids(rows)


def test_application_waiting_drops_a_reviewer_who_left_the_secretariat(
    application, reviewer, second_reviewer
):
    day = T0.date() + timedelta(days=7)
    rows = claim(due(APPLICATION_WAITING, at(day)))
    reviewer.groups.clear()
    assert still_due(rows, at(day, 18)) == {r.pk for r in rows if r.user_id == second_reviewer.pk}


def test_application_waiting_drops_a_reviewer_who_joined_the_applicant(
    application, cso, reviewer, second_reviewer
):
    day = T0.date() + timedelta(days=7)
    rows = claim(due(APPLICATION_WAITING, at(day)))
    MembershipFactory(organization=cso, user=reviewer)
    assert still_due(rows, at(day, 18)) == {r.pk for r in rows if r.user_id == second_reviewer.pk}


def test_application_waiting_drops_an_application_taken_up_by_a_reviewer(
    application, second_reviewer
):
    day = T0.date() + timedelta(days=7)
    rows = claim(due(APPLICATION_WAITING, at(day)))
    with time_machine.travel(at(day, 15), tick=False):
        vetting_rate_all(application, second_reviewer)
    assert VettingApplication.objects.get(pk=application.pk).status == VettingStatus.IN_REVIEW
    assert still_due(rows, at(day, 18)) == set()
    assert due(APPLICATION_WAITING, at(day + timedelta(days=7))) == []


def test_application_waiting_starts_again_when_the_application_is_resubmitted(
    application, cso_admin, reviewer
):
    day = T0.date() + timedelta(days=7)
    rows = claim(due(APPLICATION_WAITING, at(day)))
    with time_machine.travel(at(day, 15), tick=False):
        vetting_set_state(
            application=application,
            to=VettingStatus.CHANGES_REQUESTED,
            by=reviewer,
            message="Tell us more about your constituency.",
        )
    assert still_due(rows, at(day, 16)) == set()
    with time_machine.travel(at(day + timedelta(days=2), 10), tick=False):
        vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=cso_admin)
    # Submitted again, but the day counted from the first submission is no day of waiting.
    assert still_due(rows, at(day + timedelta(days=2), 11)) == set()
    assert due(APPLICATION_WAITING, at(day + timedelta(days=7))) == []
    assert {
        (item.occasion, item.params["submitted_at"])
        for item in due(APPLICATION_WAITING, at(day + timedelta(days=9)))
    } == {("2026-03-26", "2026-03-19T10:00:00+00:00")}


# --- organizations.introduction_waiting -----------------------------------------------------


@pytest.fixture
def introduction(cso, cso_admin, cso_member, co_admin, enrolled_government_user, ministry):
    with time_machine.travel(T0, tick=False):
        return introduction_request(
            requester=enrolled_government_user,
            requester_organization=ministry,
            organization=cso,
            purpose=PURPOSE,
        )


def answering(introduction, admins, step, *, named=True):
    return [
        reminders.Due(
            user_id=admin.pk,
            kind=INTRODUCTION_WAITING,
            object_key=f"introduction:{introduction.public_id}",
            occasion=f"{step}-3",
            params={
                "step": step,
                "organization": "Coastal Youth Forum",
                "requester_organization": "Ministry of the Interior" if named else None,
                "asked_at": "2026-03-10T09:00:00+00:00",
                "expires_at": "2026-04-09T09:00:00+00:00",
            },
            link=f"/organizations/coastal-youth-forum/introductions/{introduction.public_id}/",
        )
        for admin in sorted(admins, key=lambda user: user.pk)
    ]


@pytest.mark.parametrize(
    ("step", "day"), [("waiting", date(2026, 3, 13)), ("expires", date(2026, 4, 6))]
)
def test_introduction_waiting_is_due_to_the_csos_admins_on_its_day(
    introduction, cso_admin, co_admin, step, day
):
    admins = [cso_admin, co_admin]
    assert due(INTRODUCTION_WAITING, at(day - timedelta(days=1), 23)) == []
    assert due(INTRODUCTION_WAITING, at(day, 0)) == answering(introduction, admins, step)
    assert due(INTRODUCTION_WAITING, at(day + timedelta(days=1), 0)) == []
    assert due(INTRODUCTION_WAITING, at(day + timedelta(days=1)), since=at(day, 6)) == answering(
        introduction, admins, step
    )


def test_introduction_waiting_names_the_requester_only_to_an_admin_who_may_see_it(
    introduction, ministry, cso_admin, co_admin
):
    # A restricted organization is seen by its own members and the secretariat only.
    MembershipFactory(organization=ministry, user=co_admin)
    organization_update(
        organization=ministry,
        user=UserFactory(is_staff=True),
        visibility_tier="restricted",
        confirm_visibility_change=True,
    )
    day = date(2026, 3, 13)
    assert due(INTRODUCTION_WAITING, at(day)) == sorted(
        answering(introduction, [cso_admin], "waiting", named=False)
        + answering(introduction, [co_admin], "waiting"),
        key=lambda item: item.user_id,
    )


def test_introduction_waiting_still_holds_while_the_request_waits(introduction):
    rows = claim(due(INTRODUCTION_WAITING, at(date(2026, 3, 13))))
    assert len(rows) == 2
    assert still_due(rows, at(date(2026, 3, 13), 18)) == ids(rows)


def test_introduction_waiting_drops_an_answered_request(introduction, cso_admin):
    rows = claim(due(INTRODUCTION_WAITING, at(date(2026, 3, 13))))
    with time_machine.travel(at(date(2026, 3, 13), 15), tick=False):
        introduction_set_state(
            introduction=introduction, to=IntroductionStatus.DECLINED, by=cso_admin
        )
    assert still_due(rows, at(date(2026, 3, 13), 18)) == set()


def test_introduction_waiting_drops_an_admin_who_is_admin_no_more(
    introduction, cso_admin, co_admin
):
    rows = claim(due(INTRODUCTION_WAITING, at(date(2026, 3, 13))))
    membership_remove(membership=co_admin.memberships.get(), by=co_admin)
    assert still_due(rows, at(date(2026, 3, 13), 18)) == {
        row.pk for row in rows if row.user_id == cso_admin.pk
    }


def test_introduction_waiting_drops_a_blocked_requester(
    introduction, cso, cso_admin, enrolled_government_user
):
    rows = claim(due(INTRODUCTION_WAITING, at(date(2026, 3, 13))))
    with time_machine.travel(at(date(2026, 3, 13), 15), tick=False):
        introduction_block(organization=cso, by=cso_admin, user=enrolled_government_user)
    assert still_due(rows, at(date(2026, 3, 13), 18)) == set()


def test_introduction_waiting_drops_a_requester_who_left_their_organization(
    introduction, enrolled_government_user
):
    rows = claim(due(INTRODUCTION_WAITING, at(date(2026, 3, 13))))
    membership_remove(
        membership=enrolled_government_user.memberships.get(), by=enrolled_government_user
    )
    assert still_due(rows, at(date(2026, 3, 13), 18)) == set()


def test_introduction_waiting_drops_a_requester_no_longer_verified(
    introduction, ministry, reviewer
):
    rows = claim(due(INTRODUCTION_WAITING, at(date(2026, 4, 6))))
    requester_verification_revoke(
        verification=ministry.requester_verifications.get(), by=reviewer, reason="Letter forged."
    )
    assert still_due(rows, at(date(2026, 4, 6), 18)) == set()


def test_introduction_waiting_drops_a_name_the_admin_may_no_longer_see(
    introduction, ministry, cso_admin
):
    named = claim(due(INTRODUCTION_WAITING, at(date(2026, 3, 13))))
    organization_update(
        organization=ministry,
        user=UserFactory(is_staff=True),
        visibility_tier="restricted",
        confirm_visibility_change=True,
    )
    assert still_due(named, at(date(2026, 3, 13), 18)) == set()
    # Claimed without the name, the request's later reminder is sent.
    unnamed = claim(due(INTRODUCTION_WAITING, at(date(2026, 4, 6))))
    assert [row.params["requester_organization"] for row in unnamed] == [None, None]
    assert still_due(unnamed, at(date(2026, 4, 6), 18)) == ids(unnamed)


def test_introduction_waiting_drops_an_expired_request(introduction):
    rows = claim(due(INTRODUCTION_WAITING, at(date(2026, 4, 6))))
    assert still_due(rows, at(date(2026, 4, 9), 10)) == set()
    assert IntroductionRequest.objects.get().status == IntroductionStatus.PENDING


# --- Queries and the demo -------------------------------------------------------------------


def world(n: int, *, requester, ministry) -> None:
    """``n`` civil society organizations, each with an admin and, on 17 March 2026, an
    approval expiring in 60 days, an application waiting 7 days and an introduction request
    waiting 3 days."""
    for _n in range(n):
        organization = OrganizationFactory()
        MembershipFactory(organization=organization, role=MembershipRole.ADMIN)
        with time_machine.travel(T0, tick=False):
            VettingApplication.objects.create(
                organization=organization,
                status=VettingStatus.APPROVED,
                decided_at=T0,
                valid_until=at(date(2026, 5, 16), 9),
            )
            VettingApplication.objects.create(
                organization=organization, status=VettingStatus.SUBMITTED, submitted_at=T0
            )
        with time_machine.travel(at(date(2026, 3, 14)), tick=False):
            IntroductionRequest.objects.create(
                organization=organization,
                requester=requester,
                requester_organization=ministry,
                requester_membership=requester.memberships.get(),
                purpose=PURPOSE,
            )


@pytest.mark.parametrize("n", [1, 7])
def test_due_and_still_due_ask_one_query_per_kind_whatever_the_rows(
    n, django_assert_num_queries, reviewer, enrolled_government_user, ministry
):
    world(n, requester=enrolled_government_user, ministry=ministry)
    reviewers = len(reviewer.groups.get().user_set.all())
    now = at(date(2026, 3, 17))
    with time_machine.travel(now, tick=False), django_assert_num_queries(3):
        items = list(SOURCE.due(now, now))
    assert sorted(item.kind for item in items) == sorted(
        [VETTING_EXPIRING] * n + [APPLICATION_WAITING] * n * reviewers + [INTRODUCTION_WAITING] * n
    )
    rows = claim(items)
    rows = list(ReminderDelivery.objects.all())
    with time_machine.travel(now, tick=False), django_assert_num_queries(3):
        assert SOURCE.still_due(rows) == ids(rows)


def test_no_sensitive_value_reaches_a_reminder(reviewer, enrolled_government_user, ministry):
    world(1, requester=enrolled_government_user, ministry=ministry)
    organization = VettingApplication.objects.first().organization
    Contact.objects.create(
        organization=organization,
        name="SECRET-name",
        email="secret-email@cso.example",
        phone="+000 SECRET",
        secure_channel="SECRET-signal",
        shareable=True,
    )
    IntroductionRequest.objects.update(purpose="SECRET-purpose of the request")
    now = at(date(2026, 3, 17))
    with time_machine.travel(now, tick=False):
        items = list(SOURCE.due(now, now))
    assert {item.kind for item in items} == {
        VETTING_EXPIRING,
        APPLICATION_WAITING,
        INTRODUCTION_WAITING,
    }
    for item in items:
        text = " ".join([sentence(item.kind, item.params, now), repr(item.params), item.link])
        assert "SECRET" not in text and "secret-email" not in text, text


def test_the_demo_cso_admin_is_reminded_on_the_day_the_demo_is_loaded(settings):
    from organizations.models import User

    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("load_demo", stdout=None)
    amina = User.objects.get(email="cso.admin@demo.gsx.example")
    now = timezone.now()
    items = [item for item in SOURCE.due(now, now) if item.user_id == amina.pk]
    assert [(item.kind, item.occasion) for item in items] == [(INTRODUCTION_WAITING, "waiting-3")]
    assert items[0].params["organization"] == "Sahel Women's Peace Circle"
    assert items[0].params["requester_organization"] == "Lakeside Police Service (demo)"
    assert still_due(claim(items), now) == ids(ReminderDelivery.objects.all())


# --- Sentences ------------------------------------------------------------------------------


def sentence(kind: str, params: dict, now: datetime, zone: str = "UTC") -> str:
    with (
        time_machine.travel(now, tick=False),
        translation.override("en"),
        timezone.override(zone),
    ):
        return reminders.kinds()[kind].sentence(params)


def test_the_sentences_give_dates_in_the_recipients_time_zone():
    expiring = {"organization": "Coastal Youth Forum", "expires_at": "2028-03-10T02:00:00+00:00"}
    now = at(date(2028, 1, 10), 12)
    assert sentence(VETTING_EXPIRING, expiring, now) == (
        "The vetting of «Coastal Youth Forum» expires on March 10, 2028 (in 60 days): apply "
        "again to stay vetted."
    )
    assert sentence(VETTING_EXPIRING, expiring, now, "America/Los_Angeles") == (
        "The vetting of «Coastal Youth Forum» expires on March 9, 2028 (in 59 days): apply "
        "again to stay vetted."
    )
    submitted = {"organization": "Coastal Youth Forum", "submitted_at": T0.isoformat()}
    assert sentence(APPLICATION_WAITING, submitted, at(date(2026, 3, 17))) == (
        "The vetting application of «Coastal Youth Forum» has waited 7 days for a reviewer "
        "(submitted on March 10, 2026)."
    )


def test_the_introduction_sentences_name_the_requester_only_when_given():
    params = {
        "step": "waiting",
        "organization": "Coastal Youth Forum",
        "requester_organization": "Ministry of the Interior",
        "asked_at": "2026-03-10T09:00:00+00:00",
        "expires_at": "2026-04-09T09:00:00+00:00",
    }
    now = at(date(2026, 3, 13))
    assert sentence(INTRODUCTION_WAITING, params, now) == (
        "«Ministry of the Interior» asked «Coastal Youth Forum» for an introduction on March "
        "10, 2026 and waits for your answer."
    )
    params["requester_organization"] = None
    assert sentence(INTRODUCTION_WAITING, params, now) == (
        "An organization asked «Coastal Youth Forum» for an introduction on March 10, 2026 and "
        "waits for your answer."
    )
    params.update(step="expires", requester_organization="Ministry of the Interior")
    assert sentence(INTRODUCTION_WAITING, params, at(date(2026, 4, 6))) == (
        "The introduction request of «Ministry of the Interior» to «Coastal Youth Forum» "
        "expires on April 9, 2026 (in 3 days) unless you answer it."
    )
