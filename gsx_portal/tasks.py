from gsx_portal.celery import app
from gsx_portal.outbox import outbox_send
from gsx_portal.reminders import reminders_send_due


@app.task(name="gsx_portal.send_due_reminders")
def task_send_due_reminders() -> dict[str, int]:
    return reminders_send_due()


@app.task(name="gsx_portal.send_email", bind=True, max_retries=None)
def task_send_email(self, *, email_id: int) -> str:
    # The attempts are counted on the row (bounded there); the task only schedules the next one.
    outcome = outbox_send(email_id=email_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state
