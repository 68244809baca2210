"""The recommendations' reminder source: what falls due on each kind's day (counted in the
convening's time zone for review cycles, in UTC for followed changes), nothing the day before
or after, the same keys again when a sweep catches up; what still holds when a digest is sent
(roles, states and visibility now); the followed changes stamped once sent; a fixed number of
queries whatever the number of rows."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import translation

from dialogues.models import MeetingKind, MeetingStatus
from gsx_portal import reminders
from gsx_portal.models import ReminderDelivery
from organizations.models import Membership, MembershipRole, Organization, Sector, Theme
from recommendations.models import (
    CycleState,
    Follow,
    FollowEvent,
    ImplementationStatus,
    Perspective,
    ReviewCycle,
)
from recommendations.reminders import (
    CLOSING_SUMMARY,
    FOLLOWED_CHANGE,
    SOURCE,
    UPDATE_REQUEST,
)
from recommendations.services import (
    follow,
    implementation_update_add,
    implementation_update_hide,
    recommendation_create,
    response_record,
    review_cycle_create,
    review_cycle_transition,
    source_document_create,
    unfollow,
)
from tests.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
BUILT = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
CLOSES = date(2027, 8, 24)
# Offset 14: the 10th of August in New York.
REMINDER_DAY = date(2027, 8, 10)


def at(day: date, hour: int, zone=NEW_YORK) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def due(since: datetime, now: datetime | None = None) -> list:
    return list(SOURCE.due(since, now or since))


def of_kind(items, kind):
    return [item for item in items if item.kind == kind]


def claim(items) -> list[ReminderDelivery]:
    """The items as the engine's ledger holds them once claimed."""
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


def person(organization, role=MembershipRole.ADMIN):
    return MembershipFactory(organization=organization, role=role).user


def publish(reviewer, source, reference, addressees, **fields):
    return recommendation_create(
        by=reviewer,
        source=source,
        reference=reference,
        title=f"Recommendation {reference}",
        text="Train police services in community policing.",
        addressed_organizations=addressees,
        published=fields.pop("published", True),
        **fields,
    )


def update(user, recommendation, organization, perspective=Perspective.SELF_REPORT):
    return implementation_update_add(
        by=user,
        recommendation=recommendation,
        perspective=perspective,
        reporting_organization=organization,
        status=ImplementationStatus.IN_PROGRESS,
        summary="Under way in two provinces.",
    )


@pytest.fixture
def world(reviewer):
    """On 1 June 2027, the open cycle GSX 2027 (closing 24 August, New York), and:

    - the Ministry of Safety, addressed by R-1 and R-2, has reported on neither (lacking 2);
      its admin and editor are asked, not its plain member;
    - the Lakeside Police, addressed by R-1, reported on it (its report on R-2's draft twin
      never counts): not asked;
    - Sahel Monitors, a civil society organization vetted now, assessed R-1 (R-2 lacks an
      assessment): its admin is asked for assessments; its member is not;
    - the Peace Circle, vetted and addressed by R-2: asked for both, in one item;
    - Unvetted Voices, civil society not vetted: not asked;
    - a draft D-1 addressed to the ministry, and updates of an earlier cycle, never count."""
    with time_machine.travel(BUILT, tick=False):
        convening = new_meeting(
            reviewer,
            None,
            kind=MeetingKind.ANNUAL_CONVENING,
            title="GSX 2027",
            status=MeetingStatus.PLANNED,
            starts_at=datetime(2027, 9, 21, 13, 30, tzinfo=UTC),
            timezone="America/New_York",
        )
        ministry = OrganizationFactory(name="Ministry of Safety", sector=Sector.GOVERNMENT)
        police = OrganizationFactory(name="Lakeside Police", sector=Sector.SECURITY_SECTOR)
        monitors = OrganizationFactory(name="Sahel Monitors", sector=Sector.CIVIL_SOCIETY)
        circle = OrganizationFactory(name="Peace Circle", sector=Sector.CIVIL_SOCIETY)
        unvetted = OrganizationFactory(name="Unvetted Voices", sector=Sector.CIVIL_SOCIETY)
        Organization.objects.filter(pk__in=[monitors.pk, circle.pk]).update(
            vetted_until=datetime(2027, 12, 31, tzinfo=UTC)
        )
        monitors.refresh_from_db()
        circle.refresh_from_db()
        people = {
            "ministry_admin": person(ministry),
            "ministry_editor": person(ministry, MembershipRole.EDITOR),
            "ministry_member": person(ministry, MembershipRole.MEMBER),
            "police_admin": person(police),
            "monitors_admin": person(monitors),
            "monitors_member": person(monitors, MembershipRole.MEMBER),
            "circle_admin": person(circle),
            "unvetted_admin": person(unvetted),
        }
        source = source_document_create(
            by=reviewer, title="Community policing", kind="brief", published_on=date(2017, 3, 1)
        )
        policing = Theme.objects.get(slug="community-policing")
        r1 = publish(reviewer, source, "R-1", [ministry, police], themes=[policing])
        r2 = publish(reviewer, source, "R-2", [ministry, circle])
        draft = publish(reviewer, source, "D-1", [ministry], published=False)
        cycle = review_cycle_create(
            by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
        )
        review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
        update(people["police_admin"], r1, police)
        update(people["monitors_admin"], r1, monitors, Perspective.INDEPENDENT)
    assert cycle.closes_on == CLOSES and cycle.reminder_offsets == [60, 30, 14, 7, 1]
    return {
        "cycle": cycle,
        "ministry": ministry,
        "police": police,
        "monitors": monitors,
        "circle": circle,
        "people": people,
        "recommendations": (r1, r2),
        "draft": draft,
        "source": source,
        "reviewer": reviewer,
        "theme": policing,
    }


def request_key(world, organization) -> str:
    return f"cycle:{world['cycle'].pk}:org:{organization.pk}"


def expected_requests(world, occasion="offset-14"):
    p = world["people"]
    base = {"cycle": "GSX 2027", "closes_on": "2027-08-24"}

    def item(user, organization, lacking, assessments, link):
        params = {**base, "organization": organization.name}
        params |= {"lacking": lacking, "assessments": assessments}
        key = request_key(world, organization)
        return reminders.Due(user.pk, UPDATE_REQUEST, key, occasion, params, link)

    to_report = "/recommendations/?organization="
    ministry, circle, monitors = world["ministry"], world["circle"], world["monitors"]
    return sorted(
        [
            item(p["ministry_admin"], ministry, 2, 0, f"{to_report}{ministry.public_id}"),
            item(p["ministry_editor"], ministry, 2, 0, f"{to_report}{ministry.public_id}"),
            item(p["circle_admin"], circle, 1, 1, f"{to_report}{circle.public_id}"),
            item(p["monitors_admin"], monitors, 0, 1, "/recommendations/?independent_status=none"),
        ],
        key=lambda d: (d.user_id, d.object_key),
    )


# --- Update requests: the day, the zone, the catch-up -------------------------------------------


def test_update_requests_on_a_reminder_day_go_to_the_admins_and_editors_asked(world):
    items = due(at(REMINDER_DAY, 9))
    assert of_kind(items, UPDATE_REQUEST) == expected_requests(world)
    assert items == of_kind(items, UPDATE_REQUEST)


def test_update_requests_nothing_the_day_before_in_the_cycles_zone(world):
    # 22:00 in New York on the 9th is already the 10th in UTC.
    evening = at(REMINDER_DAY - timedelta(days=1), 22)
    assert evening.astimezone(UTC).date() == REMINDER_DAY
    assert due(evening) == []


def test_update_requests_still_on_the_day_late_in_the_evening_in_new_york(world):
    late = at(REMINDER_DAY, 23)
    assert late.astimezone(UTC).date() == REMINDER_DAY + timedelta(days=1)
    assert due(late) == expected_requests(world)


def test_update_requests_nothing_the_day_after_in_a_fresh_world(world):
    assert due(at(REMINDER_DAY + timedelta(days=1), 9)) == []


def test_update_requests_caught_up_with_the_same_keys(world):
    since = at(REMINDER_DAY, 8)
    assert due(since, at(REMINDER_DAY + timedelta(days=3), 9)) == expected_requests(world)


def test_update_requests_a_catch_up_over_two_reminder_days_asks_once_the_nearest(world):
    since = at(date(2027, 8, 10), 8)  # offset 14; offset 7 falls on the 17th
    items = due(since, at(date(2027, 8, 18), 9))
    assert {item.occasion for item in items} == {"offset-7"}
    assert items == expected_requests(world, "offset-7")


@pytest.mark.parametrize(
    "offset,day", [(60, date(2027, 6, 25)), (30, date(2027, 7, 25)), (1, date(2027, 8, 23))]
)
def test_update_requests_at_each_offset(world, offset, day):
    assert due(at(day, 12)) == expected_requests(world, f"offset-{offset}")


def test_update_requests_follow_the_cycles_own_offsets(world):
    ReviewCycle.objects.filter(pk=world["cycle"].pk).update(reminder_offsets=[3])
    assert due(at(REMINDER_DAY, 9)) == []
    assert due(at(date(2027, 8, 21), 9)) == expected_requests(world, "offset-3")


def test_update_requests_none_for_an_upcoming_or_closed_cycle(world):
    review_cycle_transition(cycle=world["cycle"], to=CycleState.CLOSED, by=world["reviewer"])
    assert due(at(REMINDER_DAY, 9)) == []


def test_update_requests_count_hidden_reports_and_drafts_as_nothing(world):
    p = world["people"]
    r1, r2 = world["recommendations"]
    with time_machine.travel(BUILT, tick=False):
        update(p["ministry_admin"], r1, world["ministry"])
        hidden = update(p["ministry_admin"], r2, world["ministry"])
        implementation_update_hide(update=hidden, by=world["reviewer"], reason="Copied.")
    ministry = [i for i in due(at(REMINDER_DAY, 9)) if i.params["organization"].startswith("Min")]
    assert {i.params["lacking"] for i in ministry} == {1}


def test_update_requests_nothing_once_everyone_reported_and_assessed(world):
    p = world["people"]
    r1, r2 = world["recommendations"]
    with time_machine.travel(BUILT, tick=False):
        update(p["ministry_admin"], r1, world["ministry"])
        update(p["ministry_admin"], r2, world["ministry"])
        update(p["circle_admin"], r2, world["circle"])
        update(p["monitors_admin"], r2, world["monitors"], Perspective.INDEPENDENT)
    assert due(at(REMINDER_DAY, 9)) == []


def test_update_request_sentences_in_the_recipients_language(world):
    items = {i.user_id: i for i in due(at(REMINDER_DAY, 9))}
    kind = reminders.kinds()[UPDATE_REQUEST]
    circle = items[world["people"]["circle_admin"].pk].params
    assert kind.sentence(circle) == (
        "«Peace Circle» has not yet reported, in the review cycle «GSX 2027», on 1 "
        "recommendation addressed to it. 1 published recommendation has no independent "
        "assessment yet in the review cycle «GSX 2027»; as a vetted civil society "
        "organization, «Peace Circle» may give one. The window for updates closes on "
        "Aug. 24, 2027."
    )
    ministry = items[world["people"]["ministry_admin"].pk].params
    with translation.override("fr"):
        assert "24 août 2027" in kind.sentence(ministry)


# --- The closing summary ------------------------------------------------------------------------


@pytest.fixture
def second_reviewer(db):
    return UserFactory(email="kwame@secretariat.example", groups=["secretariat"])


def expected_summaries(world, *users):
    cycle = world["cycle"]
    params = {
        "cycle": "GSX 2027",
        "closes_on": "2027-08-24",
        "addressees": 2,  # the ministry and the circle
        "recommendations": 2,
        "assessments": 1,
    }
    link = f"/review-cycles/{cycle.public_id}/"
    return [
        reminders.Due(u.pk, CLOSING_SUMMARY, f"cycle:{cycle.pk}", "closing", params, link)
        for u in sorted(users, key=lambda u: u.pk)
    ]


def test_closing_summary_on_the_closing_day_to_the_secretariat(world, second_reviewer):
    assert due(at(CLOSES, 9)) == expected_summaries(world, world["reviewer"], second_reviewer)


def test_closing_summary_nothing_the_day_before_or_after(world, second_reviewer):
    assert of_kind(due(at(CLOSES - timedelta(days=1), 23)), CLOSING_SUMMARY) == []
    assert due(at(CLOSES + timedelta(days=1), 0)) == []


def test_closing_summary_caught_up_with_the_same_key(world, second_reviewer):
    items = due(at(CLOSES, 12), at(CLOSES + timedelta(days=2), 9))
    assert items == expected_summaries(world, world["reviewer"], second_reviewer)


def test_closing_summary_sentence(world):
    (item,) = due(at(CLOSES, 9))
    assert reminders.kinds()[CLOSING_SUMMARY].sentence(item.params) == (
        "The window for updates of the review cycle «GSX 2027» closes on Aug. 24, 2027. "
        "2 addressed organizations have not reported on every recommendation addressed to "
        "them. 2 published recommendations lack a self-report from an addressee. 1 published "
        "recommendation has no independent assessment."
    )
    done = {**item.params, "addressees": 0, "recommendations": 0, "assessments": 0}
    assert (
        reminders.kinds()[CLOSING_SUMMARY]
        .sentence(done)
        .endswith("Every addressee has reported and every recommendation is assessed.")
    )


# --- Whether a claimed request or summary still holds --------------------------------------------


def claimed_requests(world):
    return claim(due(at(REMINDER_DAY, 9)))


def holding(rows) -> set[int]:
    with time_machine.travel(at(REMINDER_DAY, 10), tick=False):
        return SOURCE.still_due(rows)


def ids_of(rows, *users) -> set[int]:
    wanted = {u.pk for u in users}
    return {row.pk for row in rows if row.user_id in wanted}


def test_still_due_requests_hold_while_nothing_changed(world):
    rows = claimed_requests(world)
    assert holding(rows) == {row.pk for row in rows}


def test_still_due_drops_a_request_to_someone_no_longer_admin_or_editor(world):
    rows = claimed_requests(world)
    p = world["people"]
    Membership.objects.filter(user=p["ministry_editor"]).update(role=MembershipRole.MEMBER)
    Membership.objects.filter(user=p["circle_admin"]).delete()
    assert holding(rows) == ids_of(rows, p["ministry_admin"], p["monitors_admin"])


def test_still_due_drops_a_request_once_the_organization_reported(world):
    rows = claimed_requests(world)
    p = world["people"]
    r1, r2 = world["recommendations"]
    with time_machine.travel(BUILT, tick=False):
        update(p["ministry_admin"], r1, world["ministry"])
        assert holding(rows) == {row.pk for row in rows}  # R-2 still lacks its report
        update(p["ministry_admin"], r2, world["ministry"])
    assert holding(rows) == ids_of(rows, p["circle_admin"], p["monitors_admin"])


def test_still_due_keeps_a_vetted_cso_asked_for_assessments_until_none_lack(world):
    rows = claimed_requests(world)
    p = world["people"]
    _r1, r2 = world["recommendations"]
    with time_machine.travel(BUILT, tick=False):
        update(p["circle_admin"], r2, world["circle"])  # the circle's own report
    assert holding(rows) == {row.pk for row in rows}  # still asked for assessments
    with time_machine.travel(BUILT, tick=False):
        update(p["monitors_admin"], r2, world["monitors"], Perspective.INDEPENDENT)
    assert holding(rows) == ids_of(rows, p["ministry_admin"], p["ministry_editor"])


def test_still_due_drops_an_assessment_request_once_the_vetting_lapsed(world):
    rows = claimed_requests(world)
    p = world["people"]
    Organization.objects.filter(pk=world["monitors"].pk).update(vetted_until=at(REMINDER_DAY, 9))
    everyone_but = ids_of(rows, p["ministry_admin"], p["ministry_editor"], p["circle_admin"])
    assert holding(rows) == everyone_but


def test_still_due_drops_requests_once_the_cycle_closed(world, second_reviewer):
    rows = claimed_requests(world)
    summaries = claim(due(at(CLOSES, 9)))
    review_cycle_transition(cycle=world["cycle"], to=CycleState.CLOSED, by=world["reviewer"])
    # The summary still says how the window closed.
    assert holding(rows + summaries) == {row.pk for row in summaries}


def test_still_due_drops_a_summary_to_someone_who_left_the_secretariat(world, second_reviewer):
    rows = claim(due(at(CLOSES, 9)))
    second_reviewer.groups.remove(Group.objects.get(name="secretariat"))
    assert holding(rows) == ids_of(rows, world["reviewer"])


def test_still_due_ignores_items_of_other_sources_and_malformed_keys(world):
    (row,) = claim(due(at(CLOSES, 9)))
    strangers = [
        ReminderDelivery.objects.create(
            user=world["reviewer"], kind=CLOSING_SUMMARY, object_key="cycle:x", occasion="closing"
        ),
        ReminderDelivery.objects.create(
            user=world["reviewer"], kind=UPDATE_REQUEST, object_key="cycle:1", occasion="x"
        ),
        ReminderDelivery.objects.create(
            user=world["reviewer"], kind=FOLLOWED_CHANGE, object_key="r", occasion="event-x"
        ),
    ]
    assert holding([row, *strangers]) == {row.pk}


# --- Followed changes -----------------------------------------------------------------------------


CHANGE_DAY = date(2027, 7, 1)


@pytest.fixture
def followed(world, outsider, government_user):
    """The outsider follows R-1; the government user follows its theme. On 1 July at 15:00
    UTC the ministry responds to R-1: one event for each."""
    r1, _r2 = world["recommendations"]
    follow(by=outsider, recommendation=r1)
    follow(by=government_user, theme=world["theme"])
    with time_machine.travel(at(CHANGE_DAY, 15, UTC), tick=False):
        response = r1.responses.get(organization=world["ministry"])
        response_record(response=response, by=world["people"]["ministry_admin"], status="supported")
    events = {e.user_id: e for e in FollowEvent.objects.all()}
    assert set(events) == {outsider.pk, government_user.pk}
    return events


def expected_changes(world, events):
    r1, _r2 = world["recommendations"]
    params = {"reference": "R-1", "title": "Recommendation R-1", "change": "response"}
    link = f"/recommendations/{r1.public_id}/"
    return [
        reminders.Due(
            e.user_id,
            FOLLOWED_CHANGE,
            f"recommendation:{r1.public_id}",
            f"event-{e.pk}",
            params,
            link,
        )
        for e in sorted(events.values(), key=lambda e: e.pk)
    ]


def test_followed_changes_on_their_day_to_each_follower(world, followed):
    items = due(at(CHANGE_DAY, 20, UTC))
    assert items == expected_changes(world, followed)


def test_followed_changes_nothing_before_they_happened(world, followed):
    assert due(at(CHANGE_DAY - timedelta(days=1), 12, UTC)) == []
    assert due(at(CHANGE_DAY, 14, UTC)) == []


def test_followed_changes_nothing_the_day_after_in_a_fresh_world(world, followed):
    assert due(at(CHANGE_DAY + timedelta(days=1), 9, UTC)) == []


def test_followed_changes_caught_up_with_the_same_keys(world, followed):
    since = at(CHANGE_DAY, 1, UTC)
    items = due(since, at(CHANGE_DAY + timedelta(days=3), 9, UTC))
    assert items == expected_changes(world, followed)


def test_followed_changes_once_sent_are_not_due_again(world, followed, outsider):
    rows = claim(due(at(CHANGE_DAY, 20, UTC)))
    sent = [row for row in rows if row.user_id == outsider.pk]
    with time_machine.travel(at(CHANGE_DAY, 21, UTC), tick=False):
        SOURCE.delivered(sent)
    assert FollowEvent.objects.get(user=outsider).sent_at == at(CHANGE_DAY, 21, UTC)
    assert FollowEvent.objects.exclude(user=outsider).get().sent_at is None
    items = due(at(CHANGE_DAY, 1, UTC), at(CHANGE_DAY, 22, UTC))
    assert [item.user_id for item in items] == [row.user_id for row in rows if row not in sent]
    assert SOURCE.still_due(sent) == set()


def test_followed_change_sentences(world):
    kind = reminders.kinds()[FOLLOWED_CHANGE]
    params = {"reference": "R-1", "title": "Train police"}
    assert kind.sentence({**params, "change": "response"}) == (
        "A response was recorded to R-1 «Train police»."
    )
    assert kind.sentence({**params, "change": "update"}) == (
        "An implementation update was published on R-1 «Train police»."
    )
    assert kind.sentence({**params, "change": "published"}) == "R-1 «Train police» was published."


def test_still_due_keeps_changes_while_followed_and_visible(world, followed):
    rows = claim(due(at(CHANGE_DAY, 20, UTC)))
    assert SOURCE.still_due(rows) == {row.pk for row in rows}


def test_still_due_drops_a_change_once_unfollowed(world, followed, outsider, government_user):
    rows = claim(due(at(CHANGE_DAY, 20, UTC)))
    unfollow(by=outsider, follow_id=outsider.follows.get().pk)
    assert SOURCE.still_due(rows) == ids_of(rows, government_user)
    r1, _r2 = world["recommendations"]
    r1.themes.clear()  # the government user followed it through its theme
    assert SOURCE.still_due(rows) == set()


def test_still_due_keeps_a_change_followed_through_the_working_group(
    world, followed, government_user, working_group
):
    rows = claim(due(at(CHANGE_DAY, 20, UTC)))
    world["recommendations"][0].themes.clear()
    assert SOURCE.still_due(rows) == {row.pk for row in rows if row.user_id != government_user.pk}
    world["source"].working_group = working_group
    world["source"].save()
    follow(by=government_user, working_group=working_group)
    assert SOURCE.still_due(rows) == {row.pk for row in rows}


def test_still_due_never_leaks_a_draft(world, outsider):
    draft = world["draft"]
    reviewer = world["reviewer"]
    with time_machine.travel(at(CHANGE_DAY, 15, UTC), tick=False):
        # Follows of a draft are refused; a change recorded for it would reach only the
        # secretariat, who may see drafts.
        for user in (outsider, reviewer):
            Follow.objects.create(user=user, recommendation=draft)
            FollowEvent.objects.create(user=user, recommendation=draft, kind="update")
    rows = claim(due(at(CHANGE_DAY, 20, UTC)))
    assert [row.object_key for row in rows] == [f"recommendation:{draft.public_id}"] * 2
    assert SOURCE.still_due(rows) == ids_of(rows, reviewer)


# --- A fixed number of queries -------------------------------------------------------------


def more_addressees(world, count: int) -> None:
    """``count`` more ministries addressed by R-1, each with an admin and an editor; and
    ``count`` + 1 followers of R-1, each with a change on the reminder day."""
    r1, _r2 = world["recommendations"]
    for n in range(count):
        organization = OrganizationFactory(name=f"Ministry {n}", sector=Sector.GOVERNMENT)
        person(organization)
        person(organization, MembershipRole.EDITOR)
        r1.responses.create(organization=organization)
    followers = [UserFactory() for _n in range(count + 1)]
    with time_machine.travel(at(REMINDER_DAY, 8), tick=False):
        FollowEvent.objects.bulk_create(
            FollowEvent(
                user=follow(by=user, recommendation=r1).user, recommendation=r1, kind="update"
            )
            for user in followers
        )


@pytest.mark.parametrize("extra", [0, 25])
def test_due_runs_a_fixed_number_of_queries(world, extra, django_assert_num_queries):
    more_addressees(world, extra)
    # The open cycle, the assessments lacking, the people asked, the followed changes.
    with django_assert_num_queries(4):
        items = due(at(REMINDER_DAY, 9))
    assert len(of_kind(items, UPDATE_REQUEST)) == 4 + 2 * extra
    assert len(of_kind(items, FOLLOWED_CHANGE)) == extra + 1
    # On the closing day: the cycle, its two counts, the secretariat, the followed changes.
    with django_assert_num_queries(5):
        due(at(CLOSES, 9))


@pytest.mark.parametrize("extra", [0, 25])
def test_still_due_runs_a_fixed_number_of_queries(
    world, extra, second_reviewer, django_assert_num_queries
):
    more_addressees(world, extra)
    rows = claim(due(at(REMINDER_DAY, 9)) + due(at(CLOSES, 9)))
    assert len(rows) == 4 + 2 * extra + extra + 1 + 2
    # Cycles, follow events, memberships, vetted organizations, lacking pairs, secretariat.
    with django_assert_num_queries(6), time_machine.travel(at(REMINDER_DAY, 10), tick=False):
        held = SOURCE.still_due(rows)
    assert held == {row.pk for row in rows}
    with django_assert_num_queries(1):
        SOURCE.delivered(rows)


# --- Registered --------------------------------------------------------------------------------


def test_the_source_is_registered_with_its_kinds():
    assert "recommendations" in reminders.registered()
    assert list(reminders.kinds()).count(UPDATE_REQUEST) == 1
    assert reminders.source_of_kind(FOLLOWED_CHANGE) is SOURCE
    assert {kind.name for kind in SOURCE.kinds} == {
        UPDATE_REQUEST,
        CLOSING_SUMMARY,
        FOLLOWED_CHANGE,
    }
