"""The road to the convening lists each month's publications (in their working group's column)
and the review cycles' milestones (in the convening's), from this app's registered source."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dialogues.models import MeetingKind, MeetingStatus
from dialogues.services import working_group_create
from dialogues.timeline import CONVENING, timeline_of
from recommendations.services import (
    recommendation_create,
    review_cycle_create,
    source_document_create,
)
from recommendations.timeline import recommendations_timeline_source
from tests.conftest import new_meeting

pytestmark = pytest.mark.django_db
PAPER = "Working paper on economic policy and extremism"


@pytest.fixture
def road(reviewer, wg_convener):
    group = working_group_create(
        by=reviewer, name="Macroeconomic Policy", slug="macro", conveners=[wg_convener]
    )
    paper = source_document_create(
        by=reviewer,
        title=PAPER,
        kind="working_paper",
        published_on=date(2027, 1, 20),
        working_group=group,
    )
    recommendation_create(
        by=reviewer, source=paper, reference="ECON-1", title="Jobs", text="Jobs.", published=True
    )
    draft_only = source_document_create(
        by=reviewer, title="Unpublished brief", kind="brief", published_on=date(2027, 2, 3)
    )
    recommendation_create(by=reviewer, source=draft_only, reference="DRAFT-1", title="X", text="Y")
    convening = new_meeting(
        reviewer,
        None,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX 2027",
        status=MeetingStatus.PLANNED,
        starts_at=datetime(2027, 9, 21, 13, 30, tzinfo=UTC),
        timezone="America/New_York",
    )
    review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    return group


def _entries(user):
    return {
        (entry.column, entry.date.month, entry.label)
        for entry in recommendations_timeline_source(user, 2027)
    }


def test_publications_and_milestones_are_on_the_road(road, outsider, reviewer):
    entries = _entries(outsider)
    assert (road.pk, 1, PAPER) in entries
    assert (CONVENING, 5, "GSX 2027: the update window opens") in entries
    assert (CONVENING, 8, "GSX 2027: the update window closes") in entries
    assert not any(label == "Unpublished brief" for _c, _m, label in entries)
    assert any(label == "Unpublished brief" for _c, _m, label in _entries(reviewer))


def test_the_page_shows_the_milestones_to_anonymous_visitors(road):
    page = Client().get("/timeline/2027/").content.decode()
    assert "GSX 2027: the update window closes" in page


def test_the_source_costs_the_same_whatever_the_publications(road, outsider, reviewer):
    timeline_of(outsider, 2027)
    with CaptureQueriesContext(connection) as few:
        timeline_of(outsider, 2027)
    for n in range(5):
        source = source_document_create(
            by=reviewer,
            title=f"Brief {n}",
            kind="brief",
            published_on=date(2027, 3, 1),
            working_group=road,
        )
        recommendation_create(
            by=reviewer, source=source, reference=f"B-{n}", title="T", text="T", published=True
        )
    with CaptureQueriesContext(connection) as many:
        timeline_of(outsider, 2027)
    assert len(many.captured_queries) == len(few.captured_queries)
