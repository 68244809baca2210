"""The demo's dialogues: what `make run` shows a visitor, made through the services."""

from datetime import date

import pytest
from django.core.management import call_command

from dialogues.demo import unga_week_tuesday
from dialogues.models import (
    ActionPointStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    ParticipationStatus,
    VisaDetails,
    WorkingGroup,
)
from organizations.models import User
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_demo")


def test_the_annual_convening_is_in_un_general_assembly_week():
    assert unga_week_tuesday(date(2026, 11, 26)) == date(2027, 9, 21)
    assert unga_week_tuesday(date(2027, 1, 5)) == date(2027, 9, 21)
    assert unga_week_tuesday(date(2027, 9, 21)) == date(2028, 9, 19)


def test_the_demo_has_the_three_groups_owned_by_the_demo_convener(demo, capsys):
    convener = User.objects.get(email="convener@demo.gsx.example")
    groups = WorkingGroup.objects.order_by("name")
    assert [g.name for g in groups] == [
        "Education and Alternative Narratives",
        "Macroeconomic Policy",
        "Security Interventions",
    ]
    assert all(list(g.conveners.all()) == [convener] for g in groups)
    # A second run adds nothing.
    call_command("load_demo")
    assert "Demo meetings: 0 created." in capsys.readouterr().out
    # Six of dialogues' own, and last year's convening that the recommendations' closed
    # review cycle fed.
    assert Meeting.objects.count() == 7


def test_the_london_meeting_is_held_with_its_report_and_action_points(demo):
    london = Meeting.objects.get(city="London")
    assert london.status == MeetingStatus.REPORT_PUBLISHED and london.chatham_house
    assert list(london.agenda_items.order_by("position").values_list("title", flat=True)) == [
        "Security for Independent Civil Society",
        "Promoting Effective Policing",
        "Addressing Militias and Militarization",
        "Effective International Interventions",
    ]
    statuses = sorted(london.participations.values_list("status", flat=True))
    assert statuses == ["attended", "attended", "declined", "no_show"]
    points = london.action_points.all()
    assert sorted(p.status for p in points) == ["done", "open", "open"]
    today = date.today()
    open_dues = sorted(p.due_on for p in points if p.status == ActionPointStatus.OPEN)
    assert open_dues[0] < today < open_dues[1]


def test_invitations_in_every_state_and_a_visa_request(demo):
    states = set(
        Meeting.objects.filter(status=MeetingStatus.INVITATIONS_OPEN)
        .values_list("participations__status", flat=True)
        .distinct()
    )
    assert {
        ParticipationStatus.INVITED,
        ParticipationStatus.ACCEPTED,
        ParticipationStatus.DECLINED,
        ParticipationStatus.WAITLISTED,
    } <= states
    convening = Meeting.objects.get(
        kind=MeetingKind.ANNUAL_CONVENING, status=MeetingStatus.INVITATIONS_OPEN
    )
    assert convening.starts_at.astimezone(convening.zone).month == 9
    details = VisaDetails.objects.get()
    assert details.participation.meeting == convening
    assert "DEMO12345" not in details.sealed


def test_the_demo_convener_sees_the_meeting_page_and_its_controls(demo):
    convener = User.objects.get(email="convener@demo.gsx.example")
    convening = Meeting.objects.get(
        kind=MeetingKind.ANNUAL_CONVENING, status=MeetingStatus.INVITATIONS_OPEN
    )
    page = signed_in(convener).get(f"/meetings/{convening.public_id}/").content.decode()
    assert "For the conveners" in page and "Confirm the meeting" in page
    assert "Who is coming" in page
