"""The dialogues tests' shared world: a working group created by the secretariat, with one
convener; both enrolled in two-factor authentication, as privileged people must be."""

from datetime import UTC, datetime, timedelta

import pytest

from dialogues.models import Meeting, MeetingFormat, MeetingKind, MeetingStatus
from dialogues.services import meeting_create, meeting_transition, working_group_create
from tests.conftest import enrol_totp
from tests.factories import UserFactory


@pytest.fixture
def wg_convener(db):
    user = UserFactory(email="wg-convener@example.org")
    enrol_totp(user)
    return user


@pytest.fixture
def working_group(enrolled_reviewer, wg_convener):
    return working_group_create(
        by=enrolled_reviewer,
        name="Security Interventions",
        slug="security-interventions",
        conveners=[wg_convener],
    )


SOON = datetime.now(UTC) + timedelta(weeks=20)
ON_THE_WAY = (MeetingStatus.PLANNED, MeetingStatus.INVITATIONS_OPEN, MeetingStatus.CONFIRMED)


def new_meeting(by, working_group=None, *, status=MeetingStatus.DRAFT, **fields) -> Meeting:
    """A meeting made through the services (an online working-group meeting in 20 weeks, or an
    outreach event without a group, unless ``fields`` say otherwise), walked along the workflow
    to ``status`` (draft, planned, invitations open or confirmed)."""
    values = {
        "kind": (
            MeetingKind.WORKING_GROUP_MEETING if working_group else MeetingKind.OUTREACH_EVENT
        ),
        "title": "A meeting",
        "starts_at": SOON,
        "timezone": "Europe/London",
        "format": MeetingFormat.ONLINE,
        **fields,
    }
    values.setdefault("ends_at", values["starts_at"] + timedelta(hours=4))
    meeting = meeting_create(by=by, working_group=working_group, **values)
    if status != MeetingStatus.DRAFT:
        for step in ON_THE_WAY[: ON_THE_WAY.index(status) + 1]:
            meeting, _warnings = meeting_transition(meeting=meeting, to=step, by=by)
    return meeting
