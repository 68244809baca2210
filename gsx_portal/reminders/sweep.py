"""The sweep's reminder half: claim what the sources say is due, gather each person's waiting
items into one digest in their morning, and hand the digests to the workers.

Everything here is set-based SQL: a sweep over an open review cycle claims tens of thousands of
items and builds as many digests in a few statements, and a second sweep right after inserts
nothing (the ledger's unique key) and builds nothing (one digest per person and day).
"""

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from gsx_portal.models import DigestState, ReminderDelivery, ReminderDigest, ReminderSweepRun
from gsx_portal.notifications import safe_local_path
from gsx_portal.reminders import PRIMITIVES, Due, Source

logger = logging.getLogger(__name__)

CLAIM_BATCH = 5000
QUEUE_CHUNK = 50
_KEY_LENGTHS = {
    "object_key": ReminderDelivery._meta.get_field("object_key").max_length,
    "occasion": ReminderDelivery._meta.get_field("occasion").max_length,
}


def sweep(*, now: datetime, sources: list[Source]) -> dict[str, int]:
    """Claim every source's due items, build the digests whose morning has come, queue the
    digests that are due; return the items claimed per source and the digests queued."""
    done: dict[str, int] = {}
    for source in sources:
        try:
            done[source.name] = reminders_claim(source=source, now=now)
        except Exception:
            logger.exception(
                "reminder source %s failed; asked again from the same point", source.name
            )
            done[source.name] = 0
    reminder_digests_build(now=now)
    done["digests"] = reminder_digests_queue(now=now)
    return done


@transaction.atomic
def reminders_claim(*, source: Source, now: datetime) -> int:
    """Ask ``source`` what fell due since it last answered and claim each item in the ledger;
    return how many were new.

    The source's run row is locked for the transaction, so two sweeps at once (a second beat)
    ask it one after the other, the second from where the first stopped. Its ``since`` is the
    previous run, at most ``REMINDER_CATCH_UP_DAYS`` back; a source's first run covers today.
    """
    run, created = ReminderSweepRun.objects.get_or_create(
        source=source.name, defaults={"last_run_at": now}
    )
    run = ReminderSweepRun.objects.select_for_update().get(pk=run.pk)
    oldest = now - timedelta(days=settings.REMINDER_CATCH_UP_DAYS)
    since = now if created else max(min(run.last_run_at, now), oldest)
    kinds = {kind.name for kind in source.kinds}
    claimed = 0
    batch: list[Due] = []
    for due in source.due(since, now):
        batch.append(_checked(due, kinds))
        if len(batch) >= CLAIM_BATCH:
            claimed += _insert(batch, now)
            batch = []
    claimed += _insert(batch, now)
    if run.last_run_at < now:
        run.last_run_at = now
        run.save(update_fields=["last_run_at"])
    return claimed


def _checked(due: Due, kinds: set[str]) -> Due:
    # A source's programming error stops that source (logged by the sweep), never the others.
    if due.kind not in kinds:
        raise ValueError(f"kind {due.kind!r} is not one of the source's kinds")
    if not all(isinstance(value, PRIMITIVES) for value in due.params.values()):
        raise TypeError(f"parameters of {due.kind} must be primitive values")
    for name, limit in _KEY_LENGTHS.items():
        if not 0 < len(getattr(due, name)) <= limit:
            raise ValueError(f"{name} of {due.kind} must have 1 to {limit} characters")
    return due


def _insert(batch: Iterable[Due], now: datetime) -> int:
    batch = list(batch)
    if not batch:
        return 0
    table = ReminderDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (user_id, kind, object_key, occasion, params, link, claimed_at, state)
            SELECT item.user_id, item.kind, item.object_key, item.occasion, item.params::jsonb,
                   item.link, %s, 'pending'
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                AS item(user_id, kind, object_key, occasion, params, link)
            ON CONFLICT (user_id, kind, object_key, occasion) DO NOTHING
            """,  # noqa: S608 (the table name is the model's; every value is a parameter)
            [
                now,
                [due.user_id for due in batch],
                [due.kind for due in batch],
                [due.object_key for due in batch],
                [due.occasion for due in batch],
                [json.dumps(due.params, sort_keys=True) for due in batch],
                [safe_local_path(due.link)[:500] for due in batch],
            ],
        )
        return cursor.rowcount


@transaction.atomic
def reminder_digests_build(*, now: datetime) -> int:
    """Open today's digest for every person with waiting items whose morning it is, and put
    their waiting items in it; return how many digests were opened.

    "Today" and "morning" are the recipient's, in their time zone (an unknown zone counts as
    UTC); a person who already had today's digest waits for tomorrow's, so nobody gets more
    than one reminder email a day. Items of people whose account was deactivated are withdrawn.
    """
    deliveries = ReminderDelivery._meta.db_table
    digests = ReminderDigest._meta.db_table
    users = ReminderDelivery._meta.get_field("user").related_model._meta.db_table
    start, end = settings.REMINDER_MORNING_HOURS
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {deliveries} AS d SET state = 'withdrawn', settled_at = %s
            FROM {users} AS u
            WHERE d.user_id = u.id AND NOT u.is_active
              AND d.state = 'pending' AND d.digest_id IS NULL
            """,  # noqa: S608
            [now],
        )
        cursor.execute(
            f"""
            WITH waiting AS (
                SELECT DISTINCT user_id FROM {deliveries}
                WHERE state = 'pending' AND digest_id IS NULL
            ), zones AS (SELECT name FROM pg_timezone_names), local AS (
                SELECT u.id AS user_id,
                       (%(now)s AT TIME ZONE coalesce(z.name, 'UTC')) AS moment
                FROM waiting AS w
                JOIN {users} AS u ON u.id = w.user_id
                LEFT JOIN zones AS z ON z.name = u.timezone
            ), opened AS (
                INSERT INTO {digests}
                    (user_id, day, created_at, state, attempts, next_attempt_at, last_error,
                     language, subject)
                SELECT user_id, moment::date, %(now)s, 'pending', 0, %(now)s, '', '', ''
                FROM local
                WHERE extract(hour FROM moment) >= %(start)s
                  AND extract(hour FROM moment) < %(end)s
                ON CONFLICT (user_id, day) DO NOTHING
                RETURNING id, user_id
            )
            UPDATE {deliveries} AS d SET digest_id = opened.id
            FROM opened
            WHERE d.user_id = opened.user_id AND d.state = 'pending' AND d.digest_id IS NULL
            RETURNING opened.id
            """,  # noqa: S608
            {"now": now, "start": start, "end": end},
        )
        return len({row[0] for row in cursor.fetchall()})


def reminder_digests_queue(*, now: datetime) -> int:
    """Hand every pending digest whose (next) attempt is due to the workers; return how many.

    Each is leased for ``REMINDER_REQUEUE_MINUTES`` (its next attempt moved that far ahead) so
    the next sweep does not queue it again while a worker has it; a task lost with its worker
    is queued again once the lease ends. A digest queued twice is still sent once: the worker
    locks the row and sends only an unsent one.
    """
    lease = now + timedelta(minutes=settings.REMINDER_REQUEUE_MINUTES)
    with transaction.atomic():
        ids = list(
            ReminderDigest.objects.select_for_update(skip_locked=True)
            .filter(state=DigestState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        ReminderDigest.objects.filter(pk__in=ids).update(next_attempt_at=lease)
        transaction.on_commit(lambda: reminder_digests_publish(digest_ids=ids))
    return len(ids)


def reminder_digests_publish(*, digest_ids: list[int]) -> int:
    """Queue the digests in chunks of ``QUEUE_CHUNK`` (one task each); return how many were
    queued. A broker that cannot be reached is logged: the lease ends and a later sweep
    queues them again."""
    from gsx_portal.outbox import PUBLISH_RETRY_POLICY
    from gsx_portal.tasks import task_send_digests

    queued = 0
    for start in range(0, len(digest_ids), QUEUE_CHUNK):
        chunk = digest_ids[start : start + QUEUE_CHUNK]
        try:
            task_send_digests.apply_async(
                kwargs={"digest_ids": chunk}, retry_policy=PUBLISH_RETRY_POLICY
            )
        except Exception as error:  # kombu's and the socket's errors alike mean "later"
            logger.warning(
                "reminders: could not queue %d digest(s) (%s); a later sweep will",
                len(digest_ids) - queued,
                error,
            )
            return queued
        queued += len(chunk)
    return queued
