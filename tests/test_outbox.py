"""Email goes through the outbox: a row in the change's transaction, one per recipient, sent by a
worker with retries, and by the sweep when the broker was down."""

import logging
import smtplib
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.urls import reverse

from gsx_portal import reminders
from gsx_portal.celery import app as celery_app
from gsx_portal.models import OutboundEmail
from gsx_portal.outbox import outbox_send
from organizations.services.notify import email_on_commit
from tests.conftest import NO_REDIS, enrol_totp, signed_in
from tests.factories import UserFactory

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason=NO_REDIS)
CONTEXT = {
    "organization": "Coastal Youth Forum",
    "inviter": "Alice",
    "url": "https://gsx.example.org/invitations/secret/",
    "days": 14,
}


def _invite(client, organization, email="newcomer@cso.example"):
    url = reverse("organizations:members", args=[organization.slug])
    return client.post(url, {"email": email, "role": "editor"})


def _wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def failing_mail_server(monkeypatch):
    """The mail server refuses the first ``failures[0]`` messages, then accepts."""
    failures = [2]
    original = EmailBackend.send_messages

    def send_messages(self, messages):
        if failures[0] > 0:
            failures[0] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return failures


@pytest.mark.django_db
def test_each_recipient_gets_one_row_in_their_language(django_capture_on_commit_callbacks):
    UserFactory(email="fatou@example.org", language="fr")
    with django_capture_on_commit_callbacks() as callbacks:
        email_on_commit("invitation", CONTEXT, ["zoe@example.org", "fatou@example.org"])
        rows = list(OutboundEmail.objects.order_by("to").values_list("to", "subject", "sent_at"))
        assert rows == [
            ("fatou@example.org", "[GSX] Invitation à rejoindre «Coastal Youth Forum»", None),
            ("zoe@example.org", "[GSX] Invitation to join «Coastal Youth Forum»", None),
        ]
        assert mail.outbox == []  # nothing leaves before the change commits
    for callback in callbacks:
        callback()
    assert sorted(message.to for message in mail.outbox) == [
        ["fatou@example.org"],
        ["zoe@example.org"],
    ]
    assert all(message.cc == [] and message.bcc == [] for message in mail.outbox)
    sent = OutboundEmail.objects.filter(sent_at__isnull=False)
    assert sent.count() == 2
    # The one-time link does not outlive the delivery in the database.
    assert set(sent.values_list("body", flat=True)) == {""}


@pytest.mark.django_db
def test_a_change_that_rolls_back_leaves_no_mail(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_on_commit("invitation", CONTEXT, ["zoe@example.org"])
        raise RuntimeError("roll back")
    assert callbacks == []
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_a_failing_mail_server_is_retried_then_given_up_and_logged(settings, monkeypatch, caplog):
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 3
    settings.EMAIL_OUTBOX_RETRY_SECONDS = 60
    monkeypatch.setattr(
        EmailBackend,
        "send_messages",
        lambda self, messages: (_ for _ in ()).throw(smtplib.SMTPDataError(451, b"try later")),
    )
    caplog.set_level(logging.WARNING, logger="gsx_portal.outbox")
    row = OutboundEmail.objects.create(template="t", to="zoe@example.org", subject="S", body="B")
    outcomes = [outbox_send(email_id=row.pk) for _ in range(4)]
    assert [(o.state, o.retry_in) for o in outcomes] == [
        ("retry", 60),
        ("retry", 120),
        ("failed", None),
        ("skipped", None),
    ]
    row.refresh_from_db()
    assert (row.attempts, row.sent_at, row.failed_at is not None) == (3, None, True)
    assert row.last_error == "SMTPDataError: (451, b'try later')"
    assert mail.outbox == []
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING", "ERROR"]
    assert "gave up on email" in caplog.records[-1].getMessage()
    # Given up means given up: the sweep leaves it to a person.
    assert reminders.reminders_send_due()["gsx_portal.outbox"] == 0


@pytest.mark.django_db
def test_the_sweep_sends_due_rows_once_and_waits_for_the_backoff():
    due = OutboundEmail.objects.create(template="t", to="a@example.org", subject="S", body="B")
    later = OutboundEmail.objects.create(
        template="t",
        to="b@example.org",
        subject="S",
        body="B",
        next_attempt_at=due.created_at + timedelta(hours=1),
    )
    assert reminders.reminders_send_due()["gsx_portal.outbox"] == 1
    assert reminders.reminders_send_due()["gsx_portal.outbox"] == 0
    assert [message.to for message in mail.outbox] == [["a@example.org"]]
    later.refresh_from_db()
    assert (later.sent_at, later.attempts) == (None, 0)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_send_once(monkeypatch):
    row = OutboundEmail.objects.create(template="t", to="a@example.org", subject="S", body="B")
    original = EmailBackend.send_messages

    def slow(self, messages):
        time.sleep(0.5)  # the mail server takes its time while the other sender tries
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow)
    outcomes = []
    start = threading.Barrier(2)

    def sender():
        start.wait()
        try:
            outcomes.append(outbox_send(email_id=row.pk).state)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def _forget_broker_connections():
    # Producers are pooled per broker URL; the app keeps the pool of the URL it saw first.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def unreachable_broker():
    # Port 9 (discard) has nothing listening: publishing is really refused.
    original = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    _forget_broker_connections()
    yield
    celery_app.conf.broker_url = original
    celery_app.conf.task_always_eager = True
    _forget_broker_connections()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_keeps_the_row_for_the_sweep(
    unreachable_broker, cso, cso_admin, caplog
):
    caplog.set_level(logging.WARNING, logger="gsx_portal.outbox")
    response = _invite(signed_in(cso_admin), cso)
    assert response.status_code == 302
    row = OutboundEmail.objects.get()
    assert (row.to, row.sent_at, row.attempts) == ("newcomer@cso.example", None, 0)
    assert mail.outbox == []
    assert "could not queue 1 email(s)" in caplog.records[-1].getMessage()

    assert reminders.reminders_send_due()["gsx_portal.outbox"] == 1
    assert [message.to for message in mail.outbox] == [["newcomer@cso.example"]]
    row.refresh_from_db()
    assert row.sent_at is not None


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_row_of_a_change_once(celery_worker, cso, cso_admin):
    response = _invite(signed_in(cso_admin), cso)
    assert response.status_code == 302
    row = OutboundEmail.objects.get()
    assert _wait_until(lambda: OutboundEmail.objects.filter(sent_at__isnull=False).exists())
    time.sleep(0.5)  # a second delivery would show up now
    assert [message.to for message in mail.outbox] == [["newcomer@cso.example"]]
    assert "Coastal Youth Forum" in mail.outbox[0].subject
    row.refresh_from_db()
    assert row.attempts == 1


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_failing_mail_server_then_sends(
    celery_worker, failing_mail_server, settings, cso, cso_admin
):
    settings.EMAIL_OUTBOX_RETRY_SECONDS = 1
    _invite(signed_in(cso_admin), cso)
    assert _wait_until(lambda: OutboundEmail.objects.filter(sent_at__isnull=False).exists())
    row = OutboundEmail.objects.get()
    assert row.attempts == 3
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert row.failed_at is None
    assert [message.to for message in mail.outbox] == [["newcomer@cso.example"]]


@pytest.mark.django_db
def test_staff_list_failed_sends_read_only_in_the_admin():
    staff = UserFactory(email="sam@staff.example", is_staff=True, is_superuser=True)
    enrol_totp(staff)
    OutboundEmail.objects.create(template="t", to="ok@example.org", subject="Fine", body="")
    OutboundEmail.objects.create(
        template="t",
        to="lost@example.org",
        subject="Lost",
        body="secret link",
        attempts=6,
        last_error="SMTPDataError",
        failed_at=OutboundEmail.objects.get().created_at,
    )
    client = signed_in(staff)
    page = client.get("/admin/gsx_portal/outboundemail/?state=failed").content.decode()
    assert "lost@example.org" in page and "ok@example.org" not in page
    assert client.get("/admin/gsx_portal/outboundemail/add/").status_code == 403
    failed = OutboundEmail.objects.get(to="lost@example.org")
    detail = client.get(f"/admin/gsx_portal/outboundemail/{failed.pk}/change/").content.decode()
    assert "SMTPDataError" in detail and "secret link" not in detail


@pytest.mark.django_db(transaction=True)
def test_allauths_emails_go_through_the_outbox_too(unreachable_broker):
    from django.test import Client
    from django.urls import reverse

    password = "correct-horse-battery-staple"
    response = Client().post(
        reverse("account_signup"),
        {
            "name": "New Person",
            "email": "new.person@example.org",
            "password1": password,
            "password2": password,
        },
    )
    # The mail server and the broker are out of the request: the sign-up answers all the same.
    assert response.status_code == 302
    row = OutboundEmail.objects.get()
    assert (row.to, row.template, row.sent_at) == (
        "new.person@example.org",
        "account.email_confirmation_signup",
        None,
    )
    assert mail.outbox == []
    assert reminders.reminders_send_due()["gsx_portal.outbox"] == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body
