"""The reminders probed as an attacker would: the pages with every role and odd input, what a
digest may reveal or carry (names with markup, bidi overrides, links off-site), states that change
between claiming and sending, and the "one email a day" promise (DESIGN.md §3, §4).

Tests that pass hold the product to what it does right. Each real problem found is a test marked
``xfail(strict=True)`` that describes it: it starts passing (and so failing the suite) once the
product is fixed, and the marker goes then."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client, TestCase

from gsx_portal import reminders
from gsx_portal.models import (
    DeliveryState,
    DigestState,
    ReminderDelivery,
    ReminderDigest,
    ReminderOptOut,
)
from gsx_portal.reminders import Due, Kind, Source
from gsx_portal.reminders.digests import digest_preview
from organizations.models import Membership
from tests.conftest import enrol_totp, signed_in
from tests.factories import MembershipFactory, UserFactory
from tests.reminders.test_preferences import (  # noqa: F401 (fixtures)
    former_reviewer,
    staff,
)

PREFERENCES = "/account/reminders/"
LOG = "/reminders/"
FAILED = "/reminders/failed/"
PREVIEW = "/reminders/preview/"
MORNING = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 09:00 in UTC: a digest's morning
NOTE = "attack.note"
SECRET_TITLE = "Closed-door consultation on detainee returns"

# --- An attacker's source: what it says is due, the test decides -----------------------------

queue: list[Due] = []


def _note(params: dict) -> str:
    return f"A note about “{params['title']}”."


def _due(since, now):
    yield from queue


def _still_due(items) -> set[int]:
    return {item.pk for item in items if not item.params.get("gone")}


ATTACK = Source(
    name="attack",
    kinds=(Kind(NOTE, label="Attack notes", heading="Notes", sentence=_note, names=("title",)),),
    due=_due,
    still_due=_still_due,
)


@pytest.fixture(autouse=True)
def attack_source():
    queue.clear()
    reminders.register_source(ATTACK)
    yield ATTACK
    reminders.unregister_source(ATTACK.name)
    queue.clear()


def note(user, title="A meeting", *, key="note:1", occasion="once", link="/", **params) -> Due:
    return Due(
        user_id=user.pk,
        kind=NOTE,
        object_key=key,
        occasion=occasion,
        params={"title": title, **params},
        link=link,
    )


def sweep(at: datetime) -> dict[str, int]:
    """One sweep at ``at``, with the digests it queues sent in this process (Celery is eager)."""
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        return reminders.reminders_send_due()


def ledger() -> list[tuple]:
    """Everything the engine keeps, to compare before and after a request that must change
    nothing."""
    deliveries = list(
        ReminderDelivery.objects.order_by("pk").values_list("pk", "state", "digest_id")
    )
    digests = list(
        ReminderDigest.objects.order_by("pk").values_list(
            "pk", "state", "attempts", "next_attempt_at"
        )
    )
    return [deliveries, digests, sorted(ReminderOptOut.objects.values_list("user_id", "kind"))]


# --- Roles ------------------------------------------------------------------------------------


@pytest.fixture
def left_member(cso):
    """A member who left their organization."""
    user = MembershipFactory(organization=cso, user__email="lena@cso.example").user
    Membership.objects.filter(user=user).delete()
    return user


@pytest.fixture
def former_convener(db):
    user = UserFactory(email="fred@convener.example", groups=["convener"])
    enrol_totp(user)
    user.groups.remove(Group.objects.get(name="convener"))
    return user


ROLES = [
    "cso_member",
    "cso_admin",
    "left_member",
    "government_user",
    "convener",
    "former_convener",
    "reviewer",
    "former_reviewer",
    "staff",
]
SECRETARIAT = {"reviewer", "staff"}
NOT_SECRETARIAT = [role for role in ROLES if role not in SECRETARIAT]


@pytest.fixture
def mail_server_down_once(monkeypatch, settings):
    """The mail server refuses the next message, then accepts; one refusal is the last try."""
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 1
    failures = [1]
    original = EmailBackend.send_messages

    def send_messages(self, messages):
        if failures[0] > 0:
            failures[0] -= 1
            raise ConnectionRefusedError("the mail server is down")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return failures


@pytest.fixture
def victim(db):
    return UserFactory(name="Amina Diallo", email="amina@cso.example")


@pytest.fixture
def failed_digest(victim):
    digest = ReminderDigest.objects.create(
        user=victim,
        day=date(2027, 3, 9),
        state=DigestState.FAILED,
        attempts=6,
        last_error="ConnectionRefusedError: the mail server is down",
    )
    ReminderDelivery.objects.create(
        user=victim,
        kind=NOTE,
        object_key="note:1",
        occasion="once",
        params={"title": SECRET_TITLE},
        link="/",
        digest=digest,
    )
    return digest


# --- The pages: who gets what -----------------------------------------------------------------


@pytest.mark.parametrize("path", [PREFERENCES, LOG, FAILED, PREVIEW])
def test_attack_anonymous_get_of_every_reminder_page_is_sent_to_sign_in(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_attack_anonymous_retry_and_preview_posts_change_and_show_nothing(failed_digest):
    before = ledger()
    for path, data in (
        (f"/reminders/failed/{failed_digest.pk}/retry/", {}),
        (PREVIEW, {"email": "amina@cso.example"}),
        (PREFERENCES, {"shown": [NOTE]}),
    ):
        response = Client().post(path, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert ledger() == before


@pytest.mark.parametrize("role", NOT_SECRETARIAT)
def test_attack_retry_of_someone_elses_digest_by_a_non_secretariat_role_is_404(
    request, role, failed_digest
):
    before = ledger()
    response = signed_in(request.getfixturevalue(role)).post(
        f"/reminders/failed/{failed_digest.pk}/retry/"
    )
    assert response.status_code == 404
    assert ledger() == before


@pytest.mark.parametrize("role", sorted(SECRETARIAT))
def test_attack_retry_answers_get_with_405_and_changes_nothing(request, role, failed_digest):
    before = ledger()
    response = signed_in(request.getfixturevalue(role)).get(
        f"/reminders/failed/{failed_digest.pk}/retry/"
    )
    assert response.status_code == 405
    assert ledger() == before


def test_attack_retry_without_the_csrf_token_is_refused(reviewer, failed_digest):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    before = ledger()
    response = client.post(f"/reminders/failed/{failed_digest.pk}/retry/")
    assert response.status_code == 403
    assert ledger() == before


@pytest.mark.parametrize("state", [DigestState.SENT, DigestState.PENDING, DigestState.EMPTY])
def test_attack_retry_of_a_digest_that_is_not_failed_changes_nothing(reviewer, victim, state):
    digest = ReminderDigest.objects.create(
        user=victim, day=date(2027, 3, 9), state=state, attempts=1
    )
    before = ledger()
    response = signed_in(reviewer).post(f"/reminders/failed/{digest.pk}/retry/", follow=True)
    assert response.status_code == 200
    assert "This digest is no longer failed" in response.content.decode()
    assert ledger() == before


@pytest.mark.parametrize("pk", ["0", "999999", "9223372036854775808", "99999999999999999999999"])
def test_attack_retry_of_an_unknown_or_out_of_range_digest_is_404(reviewer, pk):
    response = signed_in(reviewer).post(f"/reminders/failed/{pk}/retry/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", NOT_SECRETARIAT)
def test_attack_preview_of_another_persons_digest_by_a_non_secretariat_role_is_404(
    request, role, failed_digest
):
    before = ledger()
    client = signed_in(request.getfixturevalue(role))
    for response in (client.get(PREVIEW), client.post(PREVIEW, {"email": "amina@cso.example"})):
        assert response.status_code == 404
        assert SECRET_TITLE not in response.content.decode()
    assert ledger() == before


@pytest.mark.parametrize(
    "email",
    [
        "amina@cso.example\x00",
        "amina\x00@cso.example",
        "a" * 100_000 + "@cso.example",
        "\u0430mina@cso.example",  # a Cyrillic а: looks like the victim's address
        "amina@cso.example\u202e",
        "amina@cso.examp1e",
        "' OR 1=1 --",
        "",
    ],
)
def test_attack_preview_with_odd_input_shows_no_one_and_changes_nothing(
    reviewer, failed_digest, email
):
    before = ledger()
    response = signed_in(reviewer).post(PREVIEW, {"email": email})
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET_TITLE not in html
    assert "Next digest of" not in html
    assert ledger() == before
    assert mail.outbox == []


def test_attack_preview_of_a_person_reads_only(reviewer, victim):
    queue.append(note(victim, SECRET_TITLE))
    sweep(MORNING - timedelta(hours=3))  # claimed before the victim's morning: no digest yet
    before = ledger()
    response = signed_in(reviewer).post(PREVIEW, {"email": "AMINA@cso.example"})
    assert response.status_code == 200
    assert SECRET_TITLE in response.content.decode()
    assert ledger() == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "no.such.kind"},
        {"kind": NOTE + "\x00"},
        {"state": "\x00"},
        {"digest_state": "exploded"},
        {"recipient": "amina\x00"},
        {"recipient": "%" * 300},
        {"recipient": "\u0430mina"},
        {"claimed_from": "2027-02-30"},
        {"claimed_from": "0000-01-01", "claimed_to": "99999-01-01"},
        {"claimed_from": "9999-12-31", "claimed_to": "0001-01-01"},
        {"claimed_to": "9999-12-31", "claimed_from": "0001-01-01"},
        {"claimed_from": "2027-03-10\x00"},
        {"page": "9" * 40},
        {"page": "-1"},
        {"page": "\x00"},
        {"page": "last"},
        {"page": "1e308"},
    ],
)
def test_attack_log_filters_with_odd_query_strings_never_fail(reviewer, failed_digest, query):
    before = ledger()
    response = signed_in(reviewer).get(LOG, query)
    assert response.status_code == 200
    assert ledger() == before


@pytest.mark.parametrize("page", ["9" * 40, "-1", "\x00", "last", "0"])
def test_attack_failed_page_with_odd_page_numbers_never_fails(reviewer, failed_digest, page):
    response = signed_in(reviewer).get(FAILED, {"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"email_me": ["no.such.kind"], "shown": [NOTE]},
        {"email_me": [], "shown": [NOTE, "dialogues.no_such_kind"]},
        {"email_me": [NOTE + "\x00"], "shown": [NOTE]},
        {"email_me": [], "shown": [NOTE, "\x00"]},
        {"email_me": ["x" * 100_000], "shown": [NOTE]},
    ],
)
def test_attack_preferences_refuse_unknown_and_nul_kinds_and_change_nothing(cso_member, data):
    ReminderOptOut.objects.create(user=cso_member, kind=NOTE)
    before = ledger()
    response = signed_in(cso_member).post(PREFERENCES, data)
    assert response.status_code == 200
    assert "Nothing was changed." in response.content.decode()
    assert ledger() == before


def test_attack_preferences_with_duplicate_kinds_save_once(cso_member):
    response = signed_in(cso_member).post(PREFERENCES, {"email_me": [], "shown": [NOTE, NOTE]})
    assert response.status_code == 302
    assert list(ReminderOptOut.objects.values_list("user_id", "kind")) == [(cso_member.pk, NOTE)]
    response = signed_in(cso_member).post(
        PREFERENCES, {"email_me": [NOTE, NOTE], "shown": [NOTE, NOTE]}
    )
    assert response.status_code == 302
    assert ReminderOptOut.objects.count() == 0


def test_attack_preferences_without_the_csrf_token_are_refused(cso_member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cso_member)
    response = client.post(PREFERENCES, {"email_me": [], "shown": [NOTE]})
    assert response.status_code == 403
    assert ReminderOptOut.objects.count() == 0


def test_attack_preferences_write_only_the_signed_in_persons_own_rows(cso_member, victim):
    # There is no parameter naming the person: a posted "user" is ignored.
    response = signed_in(cso_member).post(
        PREFERENCES, {"email_me": [], "shown": [NOTE], "user": victim.pk, "user_id": victim.pk}
    )
    assert response.status_code == 302
    assert list(ReminderOptOut.objects.values_list("user_id", flat=True)) == [cso_member.pk]


# --- What a digest carries --------------------------------------------------------------------


HOSTILE_NAMES = [
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "</bdi><a href='https://evil.example/'>click</a>",
    "\u202eexe.tnemucod",  # a right-to-left override
    "{{ site_url }} {% now 'Y' %} %(title)s",
    "\ue0000\ue001",  # the engine's own marker for a name
]


@pytest.mark.parametrize("title", HOSTILE_NAMES)
def test_attack_names_in_the_digest_are_escaped_and_isolated(victim, title):
    queue.append(note(victim, title))
    sweep(MORNING)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    body = html.split("<body", 1)[1]
    assert "<script" not in body and "<img" not in body and "<a href='" not in body
    # The only links are the item's and the preferences', both on the site.
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert hrefs == ["https://testserver/", "https://testserver/account/reminders/"]
    # The name sits, escaped, inside its own <bdi> (which contains a bidi override).
    escaped = (
        title.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )
    assert f"A note about “<bdi>{escaped}</bdi>”." in body
    # The plain-text part carries the name as written: no markup to interpret there.
    assert f"A note about “{title}”." in message.body


OFF_SITE_LINKS = [
    "https://evil.example/",
    "http://testserver.evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\t//evil.example/",
    " //evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r//evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "@evil.example/",
    ".evil.example/",
    "evil.example",
    "/\x00/evil.example",
]


def test_attack_digest_links_never_leave_the_site(victim):
    for i, link in enumerate(OFF_SITE_LINKS):
        queue.append(note(victim, f"Item {i}", key=f"note:{i}", link=link))
    queue.append(note(victim, "A fine one", key="note:fine", link="/meetings/abc/?x=1&y=2"))
    sweep(MORNING)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    hrefs = re.findall(r'href="([^"]*)"', html)
    urls = re.findall(r"^\s+(\S+://\S*)$", message.body, flags=re.M)
    assert len(hrefs) == len(OFF_SITE_LINKS) + 2 and len(urls) == len(OFF_SITE_LINKS) + 1
    for url in [*hrefs, *urls]:
        parts = urlsplit(url.replace("&amp;", "&"))
        assert (parts.scheme, parts.netloc) == ("https", "testserver"), url
        assert not parts.path.startswith("//"), url
    assert "https://testserver/meetings/abc/?x=1&amp;y=2" in hrefs
    assert sorted(set(ReminderDelivery.objects.values_list("link", flat=True))) == [
        "",
        "/meetings/abc/?x=1&y=2",
    ]


def test_attack_the_digest_subject_carries_no_name(victim):
    queue.append(note(victim, "<b>Subject injection\r\nBcc: evil@evil.example</b>"))
    sweep(MORNING)
    [message] = mail.outbox
    assert message.subject == "[GSX] GSX Portal: 1 reminder for you"
    assert message.to == ["amina@cso.example"]
    assert message.bcc == [] and message.cc == []


def test_attack_an_item_that_no_longer_holds_when_sent_is_withdrawn_not_sent(victim):
    queue.append(note(victim, SECRET_TITLE, key="note:secret"))
    queue.append(note(victim, "Still fine", key="note:fine"))
    sweep(MORNING - timedelta(hours=3))  # claimed at 06:00, before the morning
    # Between claiming and sending the object changes (here: the source now says "gone").
    ReminderDelivery.objects.filter(object_key="note:secret").update(params={"gone": True})
    queue.clear()
    sweep(MORNING)
    [message] = mail.outbox
    assert SECRET_TITLE not in message.body and "gone" not in message.body
    assert "Still fine" in message.body
    assert dict(ReminderDelivery.objects.values_list("object_key", "state")) == {
        "note:secret": DeliveryState.WITHDRAWN,
        "note:fine": DeliveryState.SENT,
    }


def test_attack_a_person_deactivated_after_the_claim_gets_nothing(victim):
    queue.append(note(victim, SECRET_TITLE))
    sweep(MORNING - timedelta(hours=3))
    victim.is_active = False
    victim.save(update_fields=["is_active"])
    sweep(MORNING)
    assert mail.outbox == []
    assert list(ReminderDelivery.objects.values_list("state", flat=True)) == ["withdrawn"]


def test_attack_a_kind_turned_off_after_the_claim_is_not_sent(victim):
    queue.append(note(victim, SECRET_TITLE))
    sweep(MORNING - timedelta(hours=3))
    ReminderOptOut.objects.create(user=victim, kind=NOTE)
    sweep(MORNING)
    assert mail.outbox == []
    assert list(ReminderDelivery.objects.values_list("state", flat=True)) == ["opted_out"]


def test_attack_preview_leaves_out_what_no_longer_holds(reviewer, victim):
    queue.append(note(victim, SECRET_TITLE, key="note:secret"))
    sweep(MORNING - timedelta(hours=3))
    ReminderDelivery.objects.update(params={"title": SECRET_TITLE, "gone": True})
    with time_machine.travel(MORNING - timedelta(hours=2), tick=False):
        assert digest_preview(victim) is None
    response = signed_in(reviewer).post(PREVIEW, {"email": "amina@cso.example"})
    assert SECRET_TITLE not in response.content.decode()


# --- One email a day --------------------------------------------------------------------------


def test_attack_sweeps_all_morning_send_one_digest(victim):
    for hour in range(12):
        queue.append(note(victim, f"Item {hour}", key=f"note:{hour}"))
        sweep(MORNING + timedelta(minutes=20 * hour))
    assert len(mail.outbox) == 1
    # What fell due after the morning's digest waits for tomorrow's.
    sweep(MORNING + timedelta(days=1))
    assert len(mail.outbox) == 2
    assert ReminderDelivery.objects.filter(state=DeliveryState.PENDING).count() == 0


def test_attack_a_language_change_mid_day_sends_no_second_digest(victim):
    queue.append(note(victim, "First"))
    sweep(MORNING)
    victim.language = "fr"
    victim.save(update_fields=["language"])
    queue.append(note(victim, "Second", key="note:2"))
    sweep(MORNING + timedelta(minutes=30))
    sweep(MORNING + timedelta(hours=2))
    assert len(mail.outbox) == 1


def test_attack_retry_of_a_failed_digest_the_same_day_sends_it_once(
    reviewer, victim, mail_server_down_once
):
    queue.append(note(victim, "First"))
    sweep(MORNING)
    assert ReminderDigest.objects.get().state == DigestState.FAILED
    with time_machine.travel(MORNING + timedelta(minutes=10), tick=False):
        response = signed_in(reviewer).post(
            f"/reminders/failed/{ReminderDigest.objects.get().pk}/retry/"
        )
        assert response.status_code == 302
    sweep(MORNING + timedelta(minutes=15))
    sweep(MORNING + timedelta(minutes=20))
    assert len(mail.outbox) == 1
    assert ReminderDigest.objects.get().state == DigestState.SENT


def test_attack_retry_of_an_old_failed_digest_on_a_day_a_digest_was_sent_sends_no_second(
    reviewer, victim, mail_server_down_once
):
    queue.append(note(victim, "Yesterday's"))
    sweep(MORNING)  # the mail server refuses: given up on at once
    old = ReminderDigest.objects.get()
    assert old.state == DigestState.FAILED
    queue.append(note(victim, "Today's", key="note:2"))
    next_day = MORNING + timedelta(days=1)
    sweep(next_day)
    assert len(mail.outbox) == 1  # today's digest
    with time_machine.travel(next_day + timedelta(hours=1), tick=False):
        response = signed_in(reviewer).post(f"/reminders/failed/{old.pk}/retry/")
        assert response.status_code == 302
    sweep(next_day + timedelta(hours=1, minutes=5))
    assert len(mail.outbox) == 1  # yesterday's items wait for tomorrow's digest
    assert ReminderDigest.objects.get(pk=old.pk).state == DigestState.POSTPONED


def test_attack_a_time_zone_change_mid_day_sends_no_second_digest(victim):
    victim.timezone = "Pacific/Kiritimati"  # UTC+14
    victim.save(update_fields=["timezone"])
    first = datetime(2027, 3, 9, 18, 30, tzinfo=UTC)  # 08:30 on 10 March in Kiritimati
    queue.append(note(victim, "First"))
    sweep(first)
    assert len(mail.outbox) == 1
    victim.timezone = "Pacific/Pago_Pago"  # UTC-11: 07:30 on 9 March there
    victim.save(update_fields=["timezone"])
    queue.append(note(victim, "Second", key="note:2"))
    sweep(first + timedelta(minutes=45))  # 08:15 on 9 March in Pago Pago
    assert len(mail.outbox) == 1  # the second waits for a morning a day later
