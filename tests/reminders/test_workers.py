"""Reminders through the real broker and real Celery workers: a worker in a thread of this
process, and workers started as separate processes (tests/reminders/worker_settings.py), one of
which is killed in the middle of a send.

The mail server is the outside world: a local-memory backend in this process, a folder for the
workers in other processes (tests/reminders/probe.py)."""

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from gsx_portal import reminders
from gsx_portal.celery import app as celery_app
from gsx_portal.models import ReminderDelivery, ReminderDigest
from gsx_portal.reminders.sweep import reminder_digests_publish
from tests.factories import UserFactory
from tests.reminders import probe

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis-protocol broker"),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def probe_source(settings):
    # Any hour is the morning here: these tests are about delivery, not the clock.
    settings.REMINDER_MORNING_HOURS = (0, 24)
    reminders.register_source(probe.SOURCE)
    yield
    reminders.unregister_source(probe.SOURCE.name)


@pytest.fixture
def broker():
    """The real broker, emptied before and after; tasks go to it instead of running eagerly."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield celery_app.conf.broker_url
    celery_app.control.purge()
    celery_app.conf.task_always_eager = True


class Workers:
    """Celery workers in their own processes, on the test database and broker."""

    def __init__(self, tmp_path: Path, broker_url: str):
        self.mailbox = tmp_path / "mailbox"
        self.mailbox.mkdir()
        self.logs = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
            "GSX_TEST_DATABASE": connection.settings_dict["NAME"],
            "GSX_TEST_BROKER_URL": broker_url,
            "GSX_TEST_MAILBOX": str(self.mailbox),
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        log = self.logs / f"{name}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "gsx_portal",
            "worker",
            "--pool",
            "solo",
            "--hostname",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        wait_for(lambda: b" ready." in log.read_bytes(), f"worker {name} to start", log)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def messages(self) -> list:
        return [
            message_from_bytes(path.read_bytes()) for path in sorted(self.mailbox.glob("*.eml"))
        ]


def wait_for(condition, what: str, log: Path | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    detail = log.read_text(errors="replace")[-3000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


@pytest.fixture
def workers(tmp_path, broker):
    running = Workers(tmp_path, broker)
    yield running
    running.stop()


def all_sent() -> bool:
    return not ReminderDigest.objects.exclude(state="sent").exists()


def test_a_worker_sends_the_digest_the_sweep_queued_and_a_second_sweep_sends_nothing(
    celery_worker, broker
):
    UserFactory(name="probe pong Amal", email="amal@example.org")
    result = reminders.reminders_send_due()
    assert (result["probe"], result["digests"]) == (2, 1)
    wait_for(lambda: len(mail.outbox) == 1 and all_sent(), "the digest")
    assert mail.outbox[0].to == ["amal@example.org"]

    second = reminders.reminders_send_due()
    assert (second["probe"], second["digests"]) == (0, 0)
    time.sleep(2)
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_is_retried_by_a_later_sweep_and_sends_once(
    celery_worker, broker, settings, monkeypatch
):
    settings.EMAIL_OUTBOX_RETRY_SECONDS = 0
    UserFactory(name="probe Bashir", email="bashir@example.org")
    original = EmailBackend.send_messages
    calls = []

    def refuse_once(backend, messages):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("the mail server is down")
        return original(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_once)
    reminders.reminders_send_due()
    wait_for(lambda: ReminderDigest.objects.filter(attempts=1).exists(), "the first attempt")
    assert ReminderDigest.objects.get().last_error == (
        "ConnectionRefusedError: the mail server is down"
    )
    reminders.reminders_send_due()
    wait_for(all_sent, "the second attempt")
    reminders.reminders_send_due()
    time.sleep(2)
    assert [m.to for m in mail.outbox] == [["bashir@example.org"]]
    assert ReminderDigest.objects.get().attempts == 2


def test_two_workers_draining_the_same_digests_send_each_once(workers):
    people = [UserFactory(name=f"probe {i}", email=f"p{i}@example.org") for i in range(20)]
    workers.start("first")
    workers.start("second")
    reminders.reminders_send_due()
    ids = list(ReminderDigest.objects.values_list("pk", flat=True))
    # Every digest queued twice more, one task each: both workers compete for every one.
    for digest_id in ids + ids:
        reminder_digests_publish(digest_ids=[digest_id])
    wait_for(all_sent, "every digest")
    time.sleep(3)  # what is left in the queue finds nothing to send
    recipients = sorted(message["To"] for message in workers.messages())
    assert recipients == sorted(person.email for person in people)
    assert ReminderDelivery.objects.filter(state="sent").count() == 20


def test_a_worker_killed_mid_send_is_replaced_and_the_digest_goes_once(workers):
    UserFactory(name="probe Chen", email="chen@example.org")
    stall = workers.mailbox / "stall"
    stall.write_text("")
    first = workers.start("doomed")
    reminders.reminders_send_due()
    wait_for(lambda: any(workers.mailbox.glob("started-*")), "the send to start")
    first.kill()  # SIGKILL: no warm shutdown, the task is neither acknowledged nor returned
    first.wait()
    stall.unlink()
    digest = ReminderDigest.objects.get()
    assert (digest.state, digest.sent_at) == ("pending", None)
    # The broker gives the unacknowledged task to the next worker once its visibility ends.
    workers.start("rescuer")
    wait_for(all_sent, "the redelivered task", workers.logs / "rescuer.log")
    time.sleep(3)
    messages = workers.messages()
    assert [message["To"] for message in messages] == ["chen@example.org"]
    assert ReminderDigest.objects.get().attempts == 1
