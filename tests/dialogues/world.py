"""A small world for the dialogues API and list tests: a working group's open meeting with an
invited person and an accepted participant, a draft of the same group, a public outreach event,
another group with its own convener, an organization at risk, and action points."""

from dataclasses import dataclass
from datetime import date

from django.test import Client

from dialogues.models import AgendaItem, Meeting, MeetingFormat, MeetingStatus, WorkingGroup
from dialogues.services import (
    action_point_add,
    participation_invite,
    participation_respond,
    working_group_create,
)
from organizations.models import Organization, VisibilityTier
from tests.conftest import bearer, enrol_totp
from tests.dialogues.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

# Every role the API and the pages answer differently, in the order of the tests' tables.
ROLES = (
    "anonymous",
    "outsider",
    "invited",
    "accepted",
    "convener",
    "other_convener",
    "secretariat",
)


@dataclass
class World:
    people: dict
    group: WorkingGroup
    other_group: WorkingGroup
    cso: Organization
    at_risk: Organization
    meeting: Meeting  # the group's, invitations open, hybrid, in Abuja
    draft: Meeting  # the group's draft
    public: Meeting  # an outreach event without a group, planned, in Amman
    at_risk_point: object  # an action point of ``meeting`` the organization at risk holds

    def client(self, role: str, *, write: bool = True) -> Client:
        user = self.people[role]
        return Client() if user is None else bearer(user, write=write)


def make_world(*, secretariat, wg_convener, working_group) -> World:
    other_convener = UserFactory(email="other-convener@example.org")
    enrol_totp(other_convener)
    other_group = working_group_create(
        by=secretariat,
        name="Macroeconomic Policy",
        slug="macroeconomic-policy",
        conveners=[other_convener],
    )
    cso = OrganizationFactory(name="Sahel Women Mediators", visibility_tier=VisibilityTier.NETWORK)
    at_risk = OrganizationFactory(
        name="Quiet Shelter Network", visibility_tier=VisibilityTier.RESTRICTED
    )
    people = {
        "anonymous": None,
        "outsider": UserFactory(email="outsider@elsewhere.example"),
        "invited": MembershipFactory(organization=cso, user__email="invited@cso.example").user,
        "accepted": MembershipFactory(organization=cso, user__email="accepted@cso.example").user,
        "convener": wg_convener,
        "other_convener": other_convener,
        "secretariat": secretariat,
        "at_risk_member": MembershipFactory(
            organization=at_risk, user__email="quiet@shelter.example"
        ).user,
    }
    meeting = new_meeting(
        wg_convener,
        working_group,
        status=MeetingStatus.INVITATIONS_OPEN,
        title="Budgets for prevention",
        format=MeetingFormat.HYBRID,
        venue="Room 4, Transcorp Hilton",
        city="Abuja",
        country="NG",
        timezone="Africa/Lagos",
        join_url="https://meet.example/room-4",
    )
    participation_invite(meeting=meeting, by=wg_convener, organization=cso, user=people["invited"])
    accepted, _raw = participation_invite(
        meeting=meeting, by=wg_convener, organization=cso, user=people["accepted"]
    )
    participation_respond(participation=accepted, accept=True, by=people["accepted"])
    draft = new_meeting(wg_convener, working_group, title="Draft on narratives")
    public = new_meeting(
        secretariat,
        None,
        status=MeetingStatus.PLANNED,
        title="Outreach in Amman",
        format=MeetingFormat.IN_PERSON,
        venue="Community hall, Jabal Amman",
        city="Amman",
        country="JO",
        timezone="Asia/Amman",
    )
    for agenda_meeting in (meeting, draft):
        AgendaItem.objects.create(
            meeting=agenda_meeting, position=1, title=f"Opening of {agenda_meeting.title}"
        )
    at_risk_point = action_point_add(
        meeting=meeting,
        by=wg_convener,
        text="Share the shelter's budget model",
        responsible_organization=at_risk,
        due_on=date(2031, 3, 1),
    )
    action_point_add(
        meeting=meeting,
        by=wg_convener,
        text="Draft the joint statement",
        responsible_organization=cso,
        due_on=date(2031, 1, 15),
    )
    action_point_add(meeting=draft, by=wg_convener, text="Book the room")
    return World(
        people=people,
        group=working_group,
        other_group=other_group,
        cso=cso,
        at_risk=at_risk,
        meeting=meeting,
        draft=draft,
        public=public,
        at_risk_point=at_risk_point,
    )
