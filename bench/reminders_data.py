"""The recommendations' share of the reminder sweep's benchmark: an open review cycle whose
reminder falls on the day of the measured sweep, and changes waiting for followers.

``make bench-data`` (bench/recommendations.py) already writes the open cycle of the coming
annual convening over all the recommendations. At the standard scale (100,000 organizations,
100,000 recommendations) a reminder day of that cycle asks about 35,000 people: some 18,800
administrators and editors of the ~15,900 addressed organizations lacking a self-report, and
some 16,200 of the ~13,700 civil society organizations vetted now (assessments lack too). What
the dataset cannot know is the day the sweep will run; the bench calls, in the bench database
and before it measures a sweep at ``now``:

    from bench.reminders_data import ensure_open_cycle, ensure_follow_events
    found = ensure_open_cycle(now=now)          # {"cycle": …, "occasion": "offset-…", …}
    ensure_follow_events(now=now, count=20_000)  # optional: followed changes too

Both are idempotent, and write with querysets, as the rest of the bench data (no history).
"""

from datetime import datetime, timedelta

# A window that closed before the sweep is moved to close this many days after it.
REOPEN_DAYS = 30


def ensure_open_cycle(*, now: datetime, count: bool = True) -> dict:
    """Make sure the open review cycle has a reminder on the day of ``now`` (in its
    convening's time zone), so that a sweep at ``now`` (since = now) asks for its updates.

    - The open cycle is the one ``make bench-data`` opened; without one, the latest upcoming
      cycle is opened (``RuntimeError`` if there is none: fill the database with
      recommendations first).
    - If its window closed on or before that day, it now closes ``REOPEN_DAYS`` later (a bench
      only: a real cycle's window never moves once open).
    - The days from that day to the close are added to its ``reminder_offsets``.

    Returns ``{"cycle": id, "name", "closes_on", "occasion"}`` and, with ``count``, what the
    sweep's source will find: ``"items"`` (update requests) and ``"recipients"`` (people),
    read with the source's own query (a second or two at the standard scale)."""
    from recommendations.models import CycleState, ReviewCycle

    cycle = (
        ReviewCycle.objects.filter(state=CycleState.OPEN).select_related("convening").first()
        or ReviewCycle.objects.filter(state=CycleState.UPCOMING)
        .select_related("convening")
        .order_by("-closes_on")
        .first()
    )
    if cycle is None:
        raise RuntimeError("No review cycle in this database: run make bench-data first.")
    day = now.astimezone(cycle.convening.zone).date()
    if cycle.closes_on <= day:
        cycle.closes_on = day + timedelta(days=REOPEN_DAYS)
        cycle.opens_on = min(cycle.opens_on, day - timedelta(days=1))
    offset = (cycle.closes_on - day).days
    cycle.reminder_offsets = sorted({*cycle.reminder_offsets, offset}, reverse=True)
    ReviewCycle.objects.filter(pk=cycle.pk).update(
        state=CycleState.OPEN,
        opened_at=cycle.opened_at or now,
        opens_on=cycle.opens_on,
        closes_on=cycle.closes_on,
        reminder_offsets=cycle.reminder_offsets,
    )
    found = {
        "cycle": cycle.pk,
        "name": cycle.name,
        "closes_on": cycle.closes_on,
        "occasion": f"offset-{offset}",
    }
    if count:
        from recommendations.selectors_reminders import update_request_rows

        _assessments, rows = update_request_rows(cycle, now)
        people = [row[0] for row in rows]
        found |= {"items": len(people), "recipients": len(set(people))}
    return found


def ensure_follow_events(*, now: datetime, count: int = 20_000, seed: int = 8) -> int:
    """Make ``count`` changes wait for followers at ``now``: generated accounts follow a
    published recommendation each (a follow made if missing) and one unsent ``FollowEvent``
    each is recorded just before ``now``. Adds only what is missing (counted among the unsent
    events of that day); returns how many events it wrote."""
    import random

    from django.db import transaction

    from bench.data import EMAIL_DOMAIN
    from organizations.models import User
    from recommendations.models import Follow, FollowEvent, FollowEventKind, Recommendation

    start = now - timedelta(hours=1)
    waiting = FollowEvent.objects.filter(
        sent_at__isnull=True, created_at__gte=start, created_at__lte=now
    ).count()
    missing = count - waiting
    if missing <= 0:
        return 0
    rng = random.Random(f"{seed}-follow-events")  # noqa: S311 - reproducible, not secret
    users = list(
        User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", is_staff=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:missing]
    )
    published = list(Recommendation.objects.filter(published=True).values_list("pk", flat=True))
    if not users or not published:
        return 0
    pairs = [(users[n % len(users)], rng.choice(published)) for n in range(missing)]
    kinds = [FollowEventKind.RESPONSE, FollowEventKind.UPDATE]
    with transaction.atomic():
        Follow.objects.bulk_create(
            [Follow(user_id=u, recommendation_id=r) for u, r in set(pairs)],
            ignore_conflicts=True,
            batch_size=5000,
        )
        events = FollowEvent.objects.bulk_create(
            [FollowEvent(user_id=u, recommendation_id=r, kind=rng.choice(kinds)) for u, r in pairs],
            batch_size=5000,
        )
        # Recorded just before the sweep (created_at is set on insert).
        FollowEvent.objects.filter(pk__in=[e.pk for e in events]).update(
            created_at=now - timedelta(minutes=5)
        )
    return len(events)
