from gsx_portal.celery import app
from gsx_portal.reminders import reminders_send_due


@app.task(name="gsx_portal.send_due_reminders")
def task_send_due_reminders() -> dict[str, int]:
    return reminders_send_due()
