"""The outbox: every email the portal sends is first a row, then a delivery by a worker.

``outbox_add`` writes one ``OutboundEmail`` per recipient in the caller's transaction and queues a
task per row once it commits. ``outbox_send`` is the one place that talks to the mail server: it
claims the row (``SELECT … FOR UPDATE SKIP LOCKED``), sends, and marks it sent only after the
server accepted it; a failure records the attempt and schedules the next with exponential backoff,
up to ``EMAIL_OUTBOX_MAX_ATTEMPTS``. The periodic sweep (``outbox_send_due``) sends rows whose
task never ran, e.g. because the broker was down when they were queued.

Delivery is at least once: a worker that dies after the server accepted a message but before
its transaction commits leaves the row unsent, and it is sent again.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError

from gsx_portal.models import OutboundEmail

logger = logging.getLogger(__name__)

# Fail fast when queuing from a request: the sweep sends what could not be queued.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SendOutcome:
    state: str  # "sent", "retry", "failed" or "skipped" (sent, given up or claimed elsewhere)
    retry_in: int | None = None


def outbox_add(*, template: str, messages: list[Message]) -> list[OutboundEmail]:
    """Write one row per message in the current transaction; queue their delivery on commit.

    Effects: ``OutboundEmail`` rows (rolled back with the caller's change); after commit, one
    ``gsx_portal.send_email`` task per row. A broker that cannot be reached is logged, not raised:
    the change is saved and the sweep sends the rows later.
    """
    rows = []
    for message in messages:
        row = OutboundEmail(
            template=template,
            to=message.to,
            # A subject is one header line; a line break in it would be refused at send time.
            subject=" ".join(message.subject.split())[:300],
            body=message.body,
        )
        row.full_clean()
        rows.append(row)
    OutboundEmail.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: outbox_publish(email_ids=ids))
    return rows


def outbox_publish(*, email_ids: list[int]) -> int:
    """Queue a delivery task per row; return how many were queued."""
    from gsx_portal.tasks import task_send_email

    for queued, email_id in enumerate(email_ids):
        try:
            task_send_email.apply_async(
                kwargs={"email_id": email_id}, retry_policy=PUBLISH_RETRY_POLICY
            )
        except (KombuError, OSError) as error:
            logger.warning(
                "outbox: could not queue %d email(s) (%s); the periodic sweep will send them",
                len(email_ids) - queued,
                error,
            )
            return queued
    return len(email_ids)


def _backoff(attempts: int) -> int:
    base = settings.EMAIL_OUTBOX_RETRY_SECONDS
    return min(base * 2 ** (attempts - 1), settings.EMAIL_OUTBOX_MAX_RETRY_SECONDS)


def outbox_send(*, email_id: int, now: datetime | None = None) -> SendOutcome:
    """Send one row if nobody else is sending it and it is neither sent nor given up.

    Effects: on success the row's ``sent_at`` is set and its body emptied; on failure
    ``attempts``, ``last_error`` and ``next_attempt_at`` are recorded, and after the last allowed
    attempt ``failed_at`` is set and an error is logged (the admin lists failed sends).
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True, failed_at__isnull=True)
            .first()
        )
        if email is None:
            return SendOutcome("skipped")
        email.attempts += 1
        try:
            EmailMessage(email.subject, email.body, None, [email.to]).send()
        except Exception as error:  # the mail server's failures are many and all mean "later"
            return _record_failure(email, error, now or timezone.now())
        email.sent_at = timezone.now()
        email.body = ""
        email.save(update_fields=["attempts", "sent_at", "body"])
        return SendOutcome("sent")


def _record_failure(email: OutboundEmail, error: Exception, now: datetime) -> SendOutcome:
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
        email.failed_at = now
        email.save(update_fields=["attempts", "last_error", "failed_at"])
        logger.error(
            "outbox: gave up on email %s (%s) after %d attempts: %s",
            email.pk,
            email.template,
            email.attempts,
            email.last_error,
        )
        return SendOutcome("failed")
    delay = _backoff(email.attempts)
    email.next_attempt_at = now + timedelta(seconds=delay)
    email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    logger.warning(
        "outbox: email %s attempt %d failed (%s); retrying in %ss",
        email.pk,
        email.attempts,
        email.last_error,
        delay,
    )
    return SendOutcome("retry", retry_in=delay)


def outbox_send_due(now: datetime) -> int:
    """The sweep's source: send rows that are due and unsent; return how many were sent."""
    due = (
        OutboundEmail.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(outbox_send(email_id=pk, now=now).state == "sent" for pk in list(due))
