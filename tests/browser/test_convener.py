"""A working group's convener schedules a meeting from the group's page, walks it to open
invitations, invites a CSO's member and builds the agenda (moved without JavaScript's help: each
move is a form); the member accepts from "My meetings" and finds it on the timeline."""

import pytest

from dialogues.models import Meeting, MeetingStatus, ParticipationStatus
from dialogues.services import working_group_create
from organizations.models import MembershipRole, VisibilityTier
from tests.browser.pages import Visitor, assert_clean
from tests.browser.steps import sign_in
from tests.browser.world import PASSWORD, reviewers
from tests.conftest import TOTP_SECRET, enrol_totp
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Policing with communities"


def world(language: str):
    secretariat, _second = reviewers(language)
    convener = UserFactory(email="conrad@convener.example", name="Conrad Ames", language=language)
    enrol_totp(convener)
    group = working_group_create(
        by=secretariat, name="Security Interventions", slug="security", conveners=[convener]
    )
    member = MembershipFactory(
        organization=OrganizationFactory(
            name="Coastal Youth Forum",
            slug="coastal-youth-forum",
            visibility_tier=VisibilityTier.PUBLIC,
        ),
        role=MembershipRole.ADMIN,
        user__email="alice@cso.example",
        user__language=language,
    ).user
    return convener, group, member


def schedule(visitor: Visitor, group) -> None:
    visitor.follow(visitor.nav("Working groups"), "working-groups")
    visitor.follow(visitor.page.get_by_role("link", name=group.name, exact=True), "working-group")
    visitor.follow(visitor.link("Schedule a meeting"), "meeting-new")
    visitor.field("title").fill(TITLE)
    visitor.field("Starts (venue's time)").fill("2027-10-20T09:30")
    visitor.field("Ends (venue's time)").fill("2027-10-20T17:00")
    visitor.field("Venue's time zone").select_option("Europe/London")
    visitor.field("format").select_option("online")
    visitor.submit("Save", "meeting-draft")
    visitor.submit("Plan (shown to the network)", "meeting-planned")
    visitor.submit("Open the invitations", "meeting-invitations-open")


def invite(visitor: Visitor, email: str, organization: str) -> None:
    visitor.follow(visitor.link("Invite people"), "invite")
    visitor.field("Email").fill(email)
    visitor.field("On behalf of (organization's web address)").fill(organization)
    visitor.submit("Send the invitation", "invited")


def build_agenda(visitor: Visitor, meeting_path: str) -> None:
    for title in ("Opening", "Trust and policing"):
        visitor.goto(meeting_path, "meeting")
        visitor.follow(visitor.link("Add an agenda item"), "agenda-item-new")
        visitor.field("title").fill(title)
        visitor.submit("Save", "agenda-saved")
    move_up = visitor.page.get_by_role(
        "button", name=f"{visitor.t('Move up')} Trust and policing", exact=True
    )
    visitor.follow(move_up, "agenda-moved")
    items = visitor.page.locator("ol.agenda > li strong").all_inner_texts()
    assert items == ["Trust and policing", "Opening"], items


def accept(visitor: Visitor) -> None:
    visitor.follow(visitor.nav("My meetings"), "my-meetings")
    visitor.follow(
        visitor.page.get_by_role("button", name=f"{visitor.t('Accept')} {TITLE}", exact=True),
        "accepted",
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_convener_schedules_invites_and_the_member_accepts(visitors, language):
    convener_user, group, member = world(language)

    convener = visitors(language, "the convener")
    convener.goto("/", "home")
    convener.choose_language()
    sign_in(convener, convener_user.email, PASSWORD, secret=TOTP_SECRET)
    schedule(convener, group)
    meeting = Meeting.objects.get(title=TITLE)
    assert meeting.status == MeetingStatus.INVITATIONS_OPEN
    invite(convener, member.email, "coastal-youth-forum")
    build_agenda(convener, f"/meetings/{meeting.public_id}/")

    guest = visitors(language, "the CSO's member")
    guest.goto("/", "home")
    guest.choose_language()
    sign_in(guest, member.email, PASSWORD)
    accept(guest)
    assert meeting.participations.get().status == ParticipationStatus.ACCEPTED
    guest.goto("/timeline/2027/", "timeline")
    assert guest.page.get_by_role("link", name=TITLE).count() == 1
    assert_clean(convener, guest)
