import pytest

from gsx_portal import reminders
from gsx_portal.celery import app as celery_app
from gsx_portal.tasks import task_send_due_reminders


@pytest.fixture
def recording_source():
    calls = []
    reminders.register_job("test-source", lambda now: calls.append(now) or 3)
    yield calls
    reminders.unregister_job("test-source")


def test_the_beat_schedule_runs_the_sweep():
    entry = celery_app.conf.beat_schedule["send-due-reminders"]
    assert entry["task"] == task_send_due_reminders.name == "gsx_portal.send_due_reminders"
    assert entry["schedule"] == 300


@pytest.mark.django_db
def test_a_failing_source_does_not_silence_the_others(recording_source):
    def broken(now):
        raise ValueError("broken source")

    reminders.register_job("broken", broken)
    try:
        result = reminders.reminders_send_due()
        assert (result["broken"], result["test-source"]) == (0, 3)
    finally:
        reminders.unregister_job("broken")


def test_the_apps_sources_are_registered():
    assert "organizations.introductions_expire" in reminders.registered()
