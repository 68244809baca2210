from gsx_portal.celery import app
from gsx_portal.outbox import outbox_send
from gsx_portal.reminders import reminders_send_due


@app.task(name="gsx_portal.send_due_reminders")
def task_send_due_reminders() -> dict[str, int]:
    return reminders_send_due()


@app.task(name="gsx_portal.send_digests")
def task_send_digests(*, digest_ids: list[int]) -> dict[str, int]:
    """Send each digest on its own (its own lock and transaction). A failed attempt is recorded
    on the row and retried by a later sweep once its backoff ends: no delayed task is queued."""
    from gsx_portal.reminders.digests import reminder_digest_send

    outcomes: dict[str, int] = {}
    for digest_id in digest_ids:
        outcome = reminder_digest_send(digest_id=digest_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@app.task(name="gsx_portal.send_email", bind=True, max_retries=None)
def task_send_email(self, *, email_id: int) -> str:
    # The attempts are counted on the row (bounded there); the task only schedules the next one.
    outcome = outbox_send(email_id=email_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state
