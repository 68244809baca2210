"""Celery against a real Redis-protocol broker with a real worker (in a thread of this process):
REDIS_URL's server, or without it the embedded Valkey (gsx_portal/embedded_redis.py)."""

import threading

import pytest
from django.conf import settings
from django.db import transaction

from gsx_portal import embedded_redis, reminders
from gsx_portal.celery import app as celery_app
from gsx_portal.tasks import task_send_due_reminders
from tests.conftest import NO_REDIS

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason=NO_REDIS)


@pytest.fixture
def recording_source():
    calls = []
    done = threading.Event()

    def source(now):
        calls.append(now)
        done.set()
        return 3

    reminders.register_job("test-source", source)
    yield calls, done
    reminders.unregister_job("test-source")


@pytest.fixture
def worker(celery_worker):
    return celery_worker


def test_the_broker_is_the_redis_server_the_settings_chose():
    assert celery_app.conf.broker_url == embedded_redis.broker_url(settings.REDIS_URL)
    if settings.REDIS_SERVER == "embedded":
        # The suite's own database of the embedded server: `make run` uses 0.
        sock = embedded_redis.socket_path(settings.DATA_DIR / "valkey")
        assert celery_app.conf.broker_url == f"redis+socket://{sock}?virtual_host=1"
    else:
        assert settings.REDIS_SERVER == "configured"
        assert celery_app.conf.broker_url.startswith(("redis://", "rediss://", "redis+socket://"))
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_time_limit == 300


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_reminder_sweep_queued_on_commit(worker, recording_source):
    calls, done = recording_source
    with transaction.atomic():
        task_send_due_reminders.delay_on_commit()
        # Nothing is queued until the transaction commits.
        assert not done.wait(timeout=1)
    assert done.wait(timeout=20), "the worker did not run the task"
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing(worker, recording_source):
    calls, done = recording_source
    with pytest.raises(RuntimeError), transaction.atomic():
        task_send_due_reminders.delay_on_commit()
        raise RuntimeError("roll back")
    assert not done.wait(timeout=3)
    assert calls == []
