from gsx_portal.celery import app


@app.task(name="dialogues.erase_visa_details")
def task_erase_visa_details() -> int:
    """Erase the passport facts kept past VISA_DETAILS_KEPT_DAYS after their meeting."""
    from dialogues.services import visa_details_erase_due

    return visa_details_erase_due()
