"""The reminder engine through its public doors: the sweep (``reminders_send_due``) and the
digest's sender, with a probe source (tests/reminders/probe.py) and the real app sources.

Mail leaves through the test's local-memory backend; the clock is time-machine's."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from gsx_portal import reminders
from gsx_portal.models import (
    DeliveryState,
    DigestState,
    ReminderDelivery,
    ReminderDigest,
    ReminderOptOut,
    ReminderSweepRun,
)
from gsx_portal.reminders import Due, Kind, Source
from gsx_portal.reminders.digests import digest_preview, reminder_digest_send
from organizations.models import User
from tests.factories import UserFactory
from tests.reminders import probe

MORNING = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def probe_source():
    reminders.register_source(probe.SOURCE)
    probe.delivered_log.clear()
    yield probe.SOURCE
    reminders.unregister_source(probe.SOURCE.name)


def sweep(at: datetime) -> dict[str, int]:
    """One sweep at ``at``, and the digests' sending that its commit hands to the workers
    (in this process: Celery runs eagerly in tests that are not about Celery itself)."""
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return reminders.reminders_send_due()


def probe_counts(result: dict) -> tuple[int, int]:
    return result["probe"], result["digests"]


@pytest.mark.django_db
def test_a_sweep_claims_gathers_and_sends_one_digest():
    user = UserFactory(name="probe pong Amal", email="amal@example.org")

    assert probe_counts(sweep(MORNING)) == (2, 1)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amal@example.org"]
    assert message.subject == "[GSX] GSX Portal: 2 reminders for you"
    assert (message.extra_headers["Auto-Submitted"], message.extra_headers["Content-Language"]) == (
        "auto-generated",
        "en",
    )
    assert "Ping about probe pong Amal" in message.body
    assert f"Pong number {user.pk}" in message.body
    assert "https://testserver/account/settings/" in message.body
    digest = ReminderDigest.objects.get()
    assert (digest.user_id, digest.day, digest.state) == (user.pk, MORNING.date(), "sent")
    assert digest.attempts == 1
    assert set(ReminderDelivery.objects.values_list("state", flat=True)) == {"sent"}
    assert sorted(probe.delivered_log) == sorted(
        ReminderDelivery.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_the_sweep_run_twice_sends_once():
    UserFactory(name="probe pong Bashir")
    sweep(MORNING)
    assert probe_counts(sweep(MORNING + timedelta(minutes=5))) == (0, 0)
    assert len(mail.outbox) == 1
    assert ReminderDelivery.objects.count() == 2
    assert ReminderDigest.objects.count() == 1


@pytest.mark.django_db
def test_the_digest_groups_several_kinds_in_one_email_in_the_sources_order():
    UserFactory(name="probe pong Chen")
    sweep(MORNING)
    (message,) = mail.outbox
    body = message.body
    assert (
        body.index("Pings")
        < body.index("Ping about")
        < body.index("Pongs")
        < body.index("Pong number")
    )
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert '<h2 style="font-size:18px;margin:24px 0 8px;">Pings</h2>' in html
    assert "<bdi>probe pong Chen</bdi>" in html


@pytest.mark.django_db
def test_a_person_gets_at_most_one_digest_a_day():
    user = UserFactory(name="probe Dina")
    sweep(MORNING)
    # Something new comes due the same morning: it waits for tomorrow's digest.
    user.name = "probe pong Dina"
    user.save()
    sweep(MORNING + timedelta(hours=1))
    assert len(mail.outbox) == 1
    pong = ReminderDelivery.objects.get(kind="probe.pong")
    assert (pong.state, pong.digest_id) == ("pending", None)

    sweep(MORNING + timedelta(days=1))
    assert len(mail.outbox) == 2
    assert "Pong number" in mail.outbox[1].body
    assert ReminderDigest.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_digests_go_out_in_the_recipients_morning_in_their_time_zone():
    tokyo = UserFactory(name="probe Tokyo", timezone="Asia/Tokyo", email="tokyo@example.org")
    lima = UserFactory(name="probe Lima", timezone="America/Lima", email="lima@example.org")
    # 23:30 UTC: 08:30 on the 11th in Tokyo, 18:30 on the 10th in Lima.
    sweep(datetime(2027, 3, 10, 23, 30, tzinfo=UTC))
    assert [m.to for m in mail.outbox] == [["tokyo@example.org"]]
    assert ReminderDigest.objects.get(user=tokyo).day.isoformat() == "2027-03-11"
    # 03:00 in Lima: still night.
    sweep(datetime(2027, 3, 11, 8, 0, tzinfo=UTC))
    assert len(mail.outbox) == 1
    # 08:00 in Lima.
    sweep(datetime(2027, 3, 11, 13, 0, tzinfo=UTC))
    assert [m.to for m in mail.outbox] == [["tokyo@example.org"], ["lima@example.org"]]
    assert ReminderDigest.objects.get(user=lima).day.isoformat() == "2027-03-11"


@pytest.mark.django_db
def test_no_digest_before_or_after_the_morning(settings):
    UserFactory(name="probe Early")
    sweep(MORNING.replace(hour=7, minute=59))
    sweep(MORNING.replace(hour=12, minute=0))
    assert mail.outbox == []
    assert ReminderDelivery.objects.filter(digest__isnull=True).count() == 1
    settings.REMINDER_MORNING_HOURS = (0, 24)
    sweep(MORNING.replace(hour=23))
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_muted_kind_is_not_sent_and_the_others_are():
    user = UserFactory(name="probe pong Eli")
    ReminderOptOut.objects.create(user=user, kind="probe.pong")
    sweep(MORNING)
    (message,) = mail.outbox
    assert "Ping about" in message.body
    assert "Pong number" not in message.body
    assert dict(ReminderDelivery.objects.values_list("kind", "state")) == {
        "probe.ping": "sent",
        "probe.pong": "opted_out",
    }


@pytest.mark.django_db
def test_muting_every_kind_sends_nothing():
    user = UserFactory(name="probe pong Fatou")
    for kind in ("probe.ping", "probe.pong"):
        ReminderOptOut.objects.create(user=user, kind=kind)
    sweep(MORNING)
    assert mail.outbox == []
    assert ReminderDigest.objects.get().state == DigestState.EMPTY
    assert set(ReminderDelivery.objects.values_list("state", flat=True)) == {"opted_out"}


@pytest.mark.django_db
def test_an_item_no_longer_due_when_sent_is_withdrawn():
    user = UserFactory(name="probe Gil")
    sweep(MORNING.replace(hour=6))
    # The person left (the probe's stand-in for a role lost) before their morning.
    user.name = "Gil"
    user.save()
    sweep(MORNING)
    assert mail.outbox == []
    item = ReminderDelivery.objects.get()
    assert (item.state, item.settled_at) == ("withdrawn", MORNING)


@pytest.mark.django_db
def test_a_deactivated_account_gets_nothing():
    user = UserFactory(name="probe Hana")
    sweep(MORNING.replace(hour=6))
    user.is_active = False
    user.save()
    sweep(MORNING)
    assert mail.outbox == []
    assert ReminderDelivery.objects.get().state == "withdrawn"
    assert ReminderDigest.objects.count() == 0


@pytest.mark.django_db
def test_a_failing_mail_server_is_retried_with_backoff_then_sent_once(settings, monkeypatch):
    settings.EMAIL_OUTBOX_RETRY_SECONDS = 60
    UserFactory(name="probe Ines")
    original = EmailBackend.send_messages
    calls = []

    def refuse_once(backend, messages):
        calls.append(len(messages))
        if len(calls) == 1:
            raise ConnectionRefusedError("the mail server is down")
        return original(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_once)
    sweep(MORNING)
    digest = ReminderDigest.objects.get()
    assert (digest.state, digest.attempts) == ("pending", 1)
    assert digest.last_error == "ConnectionRefusedError: the mail server is down"
    assert digest.next_attempt_at == MORNING + timedelta(seconds=60)
    assert ReminderDelivery.objects.get().state == "pending"
    # Before the backoff ends the digest stays where it is (its queue lease was replaced).
    sweep(MORNING + timedelta(seconds=30))
    assert len(calls) == 1
    sweep(MORNING + timedelta(seconds=61))
    assert len(calls) == 2
    assert len(mail.outbox) == 1
    digest.refresh_from_db()
    assert (digest.state, digest.attempts) == ("sent", 2)
    sweep(MORNING + timedelta(minutes=30))
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_digest_the_mail_server_keeps_refusing_is_given_up_and_listed(settings, monkeypatch):
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 2
    settings.EMAIL_OUTBOX_RETRY_SECONDS = 0
    UserFactory(name="probe Jun")

    def refuse(backend, messages):
        raise TimeoutError("timed out")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    sweep(MORNING)
    sweep(MORNING + timedelta(minutes=1))
    digest = ReminderDigest.objects.get()
    assert (digest.state, digest.attempts, digest.last_error) == (
        "failed",
        2,
        "TimeoutError: timed out",
    )
    assert ReminderDelivery.objects.get().state == "pending"
    sweep(MORNING + timedelta(hours=1))
    assert ReminderDigest.objects.get().attempts == 2


@pytest.mark.django_db
def test_a_missed_day_is_caught_up_and_a_first_sweep_covers_today_only():
    UserFactory(name="probe Kofi")
    # The first sweep ever: today's ping only.
    sweep(MORNING)
    assert ReminderDelivery.objects.get().occasion == "2027-03-10"
    # The beat is down on the 11th; on the 12th the sweep reaches back to the 10th (its last run)
    # and claims the 12th's ping (the probe is due every day on the sweep's own date).
    sweep(MORNING + timedelta(days=2))
    assert sorted(ReminderDelivery.objects.values_list("occasion", flat=True)) == [
        "2027-03-10",
        "2027-03-12",
    ]
    assert ReminderSweepRun.objects.get(source="probe").last_run_at == MORNING + timedelta(days=2)


def _span_source(days: list[str]):
    kind = Kind(name="span.day", label="Days", heading="Days", sentence=lambda p: p["day"])
    user_holder: dict = {}

    def due(since, now):
        for day in days:
            if reminders.falls_due(datetime.fromisoformat(day).date(), "UTC", since, now):
                yield Due(user_holder["id"], kind.name, "span", day, {"day": day}, "/")

    return Source("span", (kind,), due, lambda items: {i.pk for i in items}), user_holder


@pytest.mark.django_db
def test_catch_up_reaches_back_at_most_the_configured_days(settings):
    settings.REMINDER_CATCH_UP_DAYS = 3
    source, holder = _span_source(["2027-03-01", "2027-03-05", "2027-03-07", "2027-03-09"])
    holder["id"] = UserFactory().pk
    reminders.register_source(source)
    try:
        sweep(datetime(2027, 3, 1, 9, tzinfo=UTC))
        sweep(datetime(2027, 3, 9, 9, tzinfo=UTC))
    finally:
        reminders.unregister_source("span")
    assert sorted(ReminderDelivery.objects.values_list("occasion", flat=True)) == [
        "2027-03-01",
        "2027-03-07",
        "2027-03-09",
    ]


@pytest.mark.django_db
def test_a_broken_source_does_not_silence_the_others():
    UserFactory(name="probe Lena")

    def broken(since, now):
        yield Due(1, "broken.kind", "x", "y", {"when": object()}, "/")

    kind = Kind(name="broken.kind", label="B", heading="B", sentence=str)
    reminders.register_source(Source("broken", (kind,), broken, lambda items: set()))
    try:
        result = sweep(MORNING)
    finally:
        reminders.unregister_source("broken")
    assert (result["broken"], result["probe"]) == (0, 1)
    assert len(mail.outbox) == 1
    # Its run was not recorded: the next sweep asks it again from the same point.
    assert not ReminderSweepRun.objects.filter(source="broken").exists()


@pytest.mark.django_db
def test_a_source_may_not_claim_a_kind_it_does_not_own_nor_an_outside_link():
    user = UserFactory()

    def due(since, now):
        yield Due(user.pk, "probe.ping", "x", "y", {}, "/")

    kind = Kind(name="odd.kind", label="O", heading="O", sentence=str)
    reminders.register_source(Source("odd", (kind,), due, lambda items: set()))
    try:
        assert sweep(MORNING)["odd"] == 0
    finally:
        reminders.unregister_source("odd")
    assert not ReminderDelivery.objects.exists()


@pytest.mark.django_db
def test_a_link_elsewhere_is_dropped():
    user = UserFactory()
    kind = Kind(name="far.kind", label="F", heading="F", sentence=lambda p: "far")

    def due(since, now):
        yield Due(user.pk, kind.name, "x", "y", {}, "https://evil.example/")

    reminders.register_source(Source("far", (kind,), due, lambda items: {i.pk for i in items}))
    try:
        sweep(MORNING)
    finally:
        reminders.unregister_source("far")
    assert ReminderDelivery.objects.get().link == ""
    assert "https://evil.example" not in mail.outbox[0].body


@pytest.mark.django_db
def test_the_sweep_runs_the_same_queries_for_one_and_many_recipients():
    def count(names: list[str]) -> int:
        ReminderDelivery.objects.all().delete()
        ReminderDigest.objects.all().delete()
        ReminderSweepRun.objects.all().delete()
        for name in names:
            UserFactory(name=name)
        # The digests are sent by the workers after the sweep commits: not counted here.
        with (
            TestCase.captureOnCommitCallbacks(execute=False),
            CaptureQueriesContext(connection) as queries,
            time_machine.travel(MORNING, tick=False),
        ):
            reminders.reminders_send_due()
        assert (
            ReminderDigest.objects.count() == User.objects.filter(name__startswith="probe").count()
        )
        return len(queries)

    assert count(["probe A"]) == count([f"probe {i}" for i in range(12)])


@pytest.mark.django_db
def test_preview_shows_the_next_digest_without_claiming_or_sending():
    user = UserFactory(name="probe pong Mira", timezone="Europe/Paris")
    sweep(MORNING.replace(hour=5))
    with time_machine.travel(MORNING.replace(hour=5), tick=False):
        preview = digest_preview(user)
    assert preview.subject == "[GSX] GSX Portal: 2 reminders for you"
    assert [section.heading for section in preview.sections] == ["Pings", "Pongs"]
    # 06:00 in Paris: it goes at 08:00 their time.
    assert preview.send_after == datetime(2027, 3, 10, 7, 0, tzinfo=UTC)
    assert set(ReminderDelivery.objects.values_list("state", flat=True)) == {"pending"}
    assert mail.outbox == []
    assert digest_preview(UserFactory(name="nobody")) is None


@pytest.mark.django_db
def test_sending_a_digest_already_sent_or_gone_does_nothing():
    UserFactory(name="probe Nour")
    sweep(MORNING)
    digest = ReminderDigest.objects.get()
    assert reminder_digest_send(digest_id=digest.pk) == "skipped"
    assert reminder_digest_send(digest_id=digest.pk + 1000) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_items_of_a_kind_no_source_knows_any_more_are_withdrawn():
    user = UserFactory(name="probe Omar")
    sweep(MORNING.replace(hour=6))
    ReminderDelivery.objects.create(user=user, kind="gone.kind", object_key="k", occasion="o")
    sweep(MORNING)
    assert dict(ReminderDelivery.objects.values_list("kind", "state")) == {
        "probe.ping": DeliveryState.SENT,
        "gone.kind": DeliveryState.WITHDRAWN,
    }


@pytest.mark.django_db
def test_the_command_runs_a_sweep_and_shows_the_state():
    UserFactory(name="probe Pia")
    out = StringIO()
    with time_machine.travel(MORNING, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("reminders", "sweep", stdout=out)
    assert "probe: 1\n" in out.getvalue()
    assert "digests: 1\n" in out.getvalue()
    assert len(mail.outbox) == 1
    out = StringIO()
    with time_machine.travel(MORNING + timedelta(minutes=30), tick=False):
        call_command("reminders", "status", stdout=out)
    assert "  probe: 2027-03-10 09:00 UTC (30 min ago)\n" in out.getvalue()
    assert "Items waiting for a digest: 0\n" in out.getvalue()
    assert "Digests sent: 1\n" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "direction", "subject"),
    [
        ("en", "ltr", "[GSX] GSX Portal: 2 reminders for you"),
        ("fr", "ltr", "[GSX] Portail GSX : 2 rappels pour vous"),
        ("es", "ltr", "[GSX] Portal GSX: 2 recordatorios para usted"),
        ("ar", "rtl", "[GSX] بوابة GSX: تذكيران لك"),
    ],
)
def test_the_digest_is_in_the_recipients_language_and_direction(language, direction, subject):
    UserFactory(name="probe pong Rania", language=language)
    sweep(MORNING)
    (message,) = mail.outbox
    assert message.subject == subject
    html = message.alternatives[0][0]
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert "<bdi>probe pong Rania</bdi>" in html
    assert message.extra_headers["Content-Language"] == language
    # The footer's link to the preferences, in every language.
    assert "https://testserver/account/reminders/" in message.body
    assert 'href="https://testserver/account/reminders/"' in html


@pytest.mark.django_db
def test_identical_lines_of_one_kind_are_shown_once():
    user = UserFactory(name="probe Sami")
    kind = Kind(name="twice.kind", label="T", heading="Twice", sentence=lambda p: "Same news")

    def due(since, now):
        for occasion in ("event-1", "event-2"):
            yield Due(user.pk, kind.name, "thing", occasion, {}, "/same/")

    reminders.register_source(Source("twice", (kind,), due, lambda items: {i.pk for i in items}))
    try:
        sweep(MORNING)
    finally:
        reminders.unregister_source("twice")
    (message,) = mail.outbox
    assert message.body.count("Same news") == 1
    assert ReminderDelivery.objects.filter(kind="twice.kind", state="sent").count() == 2
