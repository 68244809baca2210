"""The reminders' share of the benchmark data (bench/reminders_data.py), on a tiny dataset: the
open cycle asks on the day of the measured sweep, with the counts it announces; changes wait
for followers; both are idempotent."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.data import generate
from bench.reminders_data import REOPEN_DAYS, ensure_follow_events, ensure_open_cycle
from gsx_portal.models import ReminderDelivery
from recommendations.models import CycleState, FollowEvent, ReviewCycle
from recommendations.reminders import FOLLOWED_CHANGE, SOURCE, UPDATE_REQUEST

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    return generate(
        orgs=200, seed=3, meetings=60, participations=600, recommendations=600, updates=1800
    )


def test_ensure_open_cycle_asks_on_the_day_of_the_sweep(dataset):
    now = timezone.now()
    found = ensure_open_cycle(now=now)
    cycle = ReviewCycle.objects.get(state=CycleState.OPEN)
    offset = (cycle.closes_on - now.astimezone(cycle.convening.zone).date()).days
    assert found == {
        "cycle": cycle.pk,
        "name": cycle.name,
        "closes_on": cycle.closes_on,
        "occasion": f"offset-{offset}",
        "items": found["items"],
        "recipients": found["recipients"],
    }
    assert cycle.reminder_offsets.count(offset) == 1
    items = [item for item in SOURCE.due(now, now) if item.kind == UPDATE_REQUEST]
    assert Counter(item.occasion for item in items) == {f"offset-{offset}": found["items"]}
    assert len({item.user_id for item in items}) == found["recipients"] > 0
    assert ensure_open_cycle(now=now) == found


def test_ensure_open_cycle_moves_a_window_that_closed(dataset):
    cycle = ReviewCycle.objects.get(state=CycleState.OPEN)
    later = timezone.now() + timedelta(days=(cycle.closes_on - timezone.now().date()).days + 10)
    found = ensure_open_cycle(now=later, count=False)
    day = later.astimezone(cycle.convening.zone).date()
    assert found["closes_on"] == day + timedelta(days=REOPEN_DAYS)
    assert found["occasion"] == f"offset-{REOPEN_DAYS}"
    cycle.refresh_from_db()
    cycle.full_clean()
    assert (cycle.closes_on, cycle.state) == (found["closes_on"], CycleState.OPEN)


def test_ensure_follow_events_makes_changes_wait_once(dataset):
    now = timezone.now()
    assert ensure_follow_events(now=now, count=40) == 40
    assert ensure_follow_events(now=now, count=40) == 0
    items = [item for item in SOURCE.due(now, now) if item.kind == FOLLOWED_CHANGE]
    assert len(items) == 40 == FollowEvent.objects.filter(sent_at__isnull=True).count()
    claimed = [
        ReminderDelivery.objects.create(
            user_id=item.user_id, kind=item.kind, object_key=item.object_key, occasion=item.occasion
        )
        for item in items
    ]
    assert SOURCE.still_due(claimed) == {row.pk for row in claimed}
