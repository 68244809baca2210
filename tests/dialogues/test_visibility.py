"""Who sees which meetings, join links, participants and organizations' names
(dialogues.selectors), for each role, and the balance panel."""

from datetime import UTC, datetime, timedelta

import pytest

from dialogues.models import (
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
)
from dialogues.selectors import (
    action_points_carried_to,
    balance_of,
    may_see_join_link,
    meetings_visible_to,
    participants_visible_to,
)
from dialogues.services import (
    action_point_add,
    meeting_create,
    meeting_transition,
)
from organizations.models import Sector, VisibilityTier
from tests.conftest import enrol_totp
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

S = MeetingStatus
P = ParticipationStatus
SOON = datetime.now(UTC) + timedelta(weeks=20)


@pytest.fixture
def people(enrolled_reviewer, convener, wg_convener):
    reviewer = enrolled_reviewer
    enrol_totp(convener)
    at_risk = OrganizationFactory(
        name="Quiet Shelter Network", visibility_tier=VisibilityTier.RESTRICTED
    )
    open_cso = OrganizationFactory(name="Open Youth Forum", visibility_tier=VisibilityTier.NETWORK)
    return {
        "secretariat": reviewer,
        "conveners_group": convener,
        "wg_convener": wg_convener,
        "at_risk_member": MembershipFactory(organization=at_risk).user,
        "at_risk_colleague": MembershipFactory(organization=at_risk).user,
        "open_member": MembershipFactory(organization=open_cso).user,
        "outsider": UserFactory(),
        "at_risk": at_risk,
        "open_cso": open_cso,
    }


@pytest.fixture
def group(working_group):
    return working_group


def _meeting(group, by, **fields):
    values = {
        "kind": MeetingKind.WORKING_GROUP_MEETING if group else MeetingKind.OUTREACH_EVENT,
        "title": "Alternative narratives",
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=4),
        "timezone": "Europe/Paris",
        "format": MeetingFormat.HYBRID,
        "join_url": "https://meet.example/secret-room",
    }
    values.update(fields)
    return meeting_create(by=by, working_group=group, **values)


def test_drafts_are_seen_by_who_manages_them_only(people, group):
    from django.contrib.auth.models import AnonymousUser

    draft = _meeting(group, people["wg_convener"])
    loose_draft = _meeting(None, people["conveners_group"], title="Outreach draft")
    planned = _meeting(group, people["wg_convener"], title="Planned one")
    meeting_transition(meeting=planned, to=S.PLANNED, by=people["wg_convener"])
    seen = {
        who: set(meetings_visible_to(people[who]).values_list("title", flat=True))
        for who in ("secretariat", "wg_convener", "conveners_group", "open_member", "outsider")
    }
    everyone = {"Planned one"}
    assert seen["secretariat"] == {draft.title, loose_draft.title, "Planned one"}
    assert seen["wg_convener"] == {draft.title, "Planned one"}
    assert seen["conveners_group"] == {loose_draft.title, "Planned one"}
    assert seen["open_member"] == seen["outsider"] == everyone
    # Anonymous visitors know of public events only, once past their draft.
    assert set(meetings_visible_to(AnonymousUser()).values_list("title", flat=True)) == set()
    meeting_transition(meeting=loose_draft, to=S.PLANNED, by=people["conveners_group"])
    assert set(meetings_visible_to(AnonymousUser()).values_list("title", flat=True)) == {
        "Outreach draft"
    }
    # A convener who stepped down no longer sees the group's drafts.
    group.conveners.remove(people["wg_convener"])
    assert draft.title not in set(
        meetings_visible_to(people["wg_convener"]).values_list("title", flat=True)
    )


def _open(meeting, by):
    for step in (S.PLANNED, S.INVITATIONS_OPEN):
        meeting, _ = meeting_transition(meeting=meeting, to=step, by=by)
    return meeting


def _coming(meeting, user, organization, status=P.ACCEPTED):
    return Participation.objects.create(
        meeting=meeting, user=user, organization=organization, status=status
    )


def test_the_join_link_is_for_accepted_participants_and_conveners(people, group):
    meeting = _open(_meeting(group, people["wg_convener"]), people["wg_convener"])
    _coming(meeting, people["open_member"], people["open_cso"])
    _coming(meeting, people["at_risk_member"], people["at_risk"], status=P.INVITED)
    assert may_see_join_link(people["wg_convener"], meeting)
    assert may_see_join_link(people["secretariat"], meeting)
    assert may_see_join_link(people["open_member"], meeting)
    assert not may_see_join_link(people["at_risk_member"], meeting)  # invited, not accepted
    assert not may_see_join_link(people["outsider"], meeting)
    meeting_transition(meeting=meeting, to=S.CANCELLED, by=people["wg_convener"], reason="x")
    meeting.refresh_from_db()
    assert not may_see_join_link(people["open_member"], meeting)


def test_the_participant_list_by_role_and_restricted_organizations_unnamed(people, group):
    meeting = _open(_meeting(group, people["wg_convener"]), people["wg_convener"])
    _coming(meeting, people["open_member"], people["open_cso"])
    _coming(meeting, people["at_risk_member"], people["at_risk"])
    _coming(meeting, people["at_risk_colleague"], people["at_risk"], status=P.DECLINED)

    def names(who):
        return {
            (p.user.email, p.organization.name if p.organization_shown else None)
            for p in participants_visible_to(people[who], meeting)
        }

    # Not published yet: conveners and the secretariat only, every invitation.
    assert len(names("wg_convener")) == 3 and len(names("secretariat")) == 3
    assert names("open_member") == names("at_risk_member") == names("outsider") == set()
    meeting.participants_published = True
    meeting.save()
    open_email = people["open_member"].email
    risk_email = people["at_risk_member"].email
    assert names("open_member") == {
        (open_email, "Open Youth Forum"),
        (risk_email, None),  # never named to someone outside it
    }
    assert names("at_risk_member") == {
        (open_email, "Open Youth Forum"),
        (risk_email, "Quiet Shelter Network"),
    }
    assert (risk_email, "Quiet Shelter Network") in names("wg_convener")
    assert names("outsider") == set()  # not a participant
    assert names("at_risk_colleague") == set()  # declined


def test_the_balance_panel_counts_and_warns(people, group):
    meeting = _open(_meeting(group, people["wg_convener"]), people["wg_convener"])
    ministry = OrganizationFactory(sector=Sector.GOVERNMENT, regions=["sub_saharan_africa"])
    police = OrganizationFactory(sector=Sector.SECURITY_SECTOR, regions=["sub_saharan_africa"])
    assert balance_of(meeting).warnings == []
    for org in (ministry, police):
        _coming(meeting, MembershipFactory(organization=org).user, org)
    balance = balance_of(meeting)
    assert balance.total == 2
    assert balance.by_region == {"sub_saharan_africa": 2}
    assert any("No civil society" in w for w in balance.warnings)
    assert any("women-led" in w for w in balance.warnings)
    women = OrganizationFactory(
        sector=Sector.CIVIL_SOCIETY, women_led=True, youth_led=True, regions=["south_asia"]
    )
    _coming(meeting, MembershipFactory(organization=women).user, women)
    other_ministry = OrganizationFactory(sector=Sector.GOVERNMENT)
    _coming(meeting, MembershipFactory(organization=other_ministry).user, other_ministry)
    balance = balance_of(meeting)
    assert (balance.total, balance.women_led, balance.youth_led) == (4, 1, 1)
    assert balance.by_sector[Sector.CIVIL_SOCIETY] == 1
    assert balance.warnings == ["Civil society is less than 33% of the participants."]
    # Declined and invited people are not counted.
    _coming(meeting, MembershipFactory(organization=ministry).user, ministry, status=P.DECLINED)
    assert balance_of(meeting).total == 4


def test_open_action_points_carry_over_within_the_working_group(people, group):
    first = _meeting(group, people["wg_convener"], starts_at=SOON, ends_at=SOON + timedelta(1))
    later = _meeting(
        group,
        people["wg_convener"],
        starts_at=SOON + timedelta(days=60),
        ends_at=SOON + timedelta(days=61),
    )
    elsewhere = _meeting(
        None,
        people["conveners_group"],
        starts_at=SOON + timedelta(days=60),
        ends_at=SOON + timedelta(days=61),
    )
    open_point = action_point_add(meeting=first, by=people["wg_convener"], text="Draft guide")
    done = action_point_add(meeting=first, by=people["wg_convener"], text="Book venue")
    done.status = "done"
    done.save()
    assert list(action_points_carried_to(later)) == [open_point]
    assert list(action_points_carried_to(first)) == []
    assert list(action_points_carried_to(elsewhere)) == []
