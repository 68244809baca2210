# ruff: noqa: F811  (the fixtures are imported from test_preferences)
"""The secretariat's reminder pages: the log of every reminder claimed (filters, sentences in the
viewer's language, times in their zone), the failed digests with "Try again", and the preview of
anyone's next digest. Everyone but the secretariat (staff included, a former member excluded)
gets 404, and nothing changes."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from gsx_portal.models import (
    DeliveryState,
    DigestState,
    ReminderDelivery,
    ReminderDigest,
)
from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.reminders.test_preferences import (  # noqa: F401 (fixtures)
    ACTION_POINT,
    CYCLE,
    INVITATION,
    ROLES,
    former_reviewer,
    staff,
    test_sources,
)

LOG = "/reminders/"
FAILED = "/reminders/failed/"
PREVIEW = "/reminders/preview/"
SECRETARIAT = {"reviewer", "staff"}
NOON = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def recipient(db):
    return UserFactory(name="Amina Diallo", email="amina@cso.example")


def claim(user, kind=INVITATION, *, key="meeting:1", occasion="unanswered-7", at=NOON, **fields):
    params = fields.pop("params", {"title": "Community policing dialogue"})
    return ReminderDelivery.objects.create(
        user=user,
        kind=kind,
        object_key=key,
        occasion=occasion,
        params=params,
        link="/meetings/1/",
        claimed_at=at,
        **fields,
    )


def digest_of(user, *, day=date(2026, 3, 5), state=DigestState.PENDING, **fields):
    return ReminderDigest.objects.create(user=user, day=day, state=state, **fields)


def rows(html: str) -> list[str]:
    """The log's rows, each as the text of its cells joined by " | "."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]
        found.append(" | ".join(text))
    return found


def log_of(user, **query) -> str:
    response = signed_in(user).get(LOG, query)
    assert response.status_code == 200
    return response.content.decode()


# --- Who may see the pages -------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOG, FAILED, PREVIEW])
def test_reminder_pages_send_anonymous_visitors_to_sign_in(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={path}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", [LOG, FAILED, PREVIEW])
def test_reminder_pages_are_the_secretariats_alone(db, request, role, path, test_sources):
    user = request.getfixturevalue(role)
    response = signed_in(user).get(path)
    assert response.status_code == (200 if role in SECRETARIAT else 404)
    if role in SECRETARIAT:
        assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_links_the_log_for_the_secretariat_alone(db, request, role):
    html = signed_in(request.getfixturevalue(role)).get(reverse("home")).content.decode()
    link = f'<li><a href="{LOG}">Reminder log</a></li>'
    assert (link in html) == (role in SECRETARIAT)


def test_reminder_pages_link_each_other(reviewer):
    html = log_of(reviewer)
    assert f'<a href="{LOG}" aria-current="page">Reminders claimed</a>' in html
    assert f'<a href="{FAILED}">Failed digests</a>' in html
    assert f'<a href="{PREVIEW}">Preview a digest</a>' in html


# --- The log's contents ----------------------------------------------------------------------


def test_log_shows_each_reminder_with_recipient_sentence_state_and_digest(
    reviewer, recipient, test_sources
):
    reviewer.timezone = "Asia/Tokyo"
    reviewer.save()
    sent = digest_of(
        recipient, state=DigestState.SENT, attempts=1, sent_at=NOON + timedelta(hours=20)
    )
    claim(
        recipient,
        at=datetime(2026, 3, 4, 22, 30, tzinfo=UTC),
        state=DeliveryState.SENT,
        digest=sent,
        settled_at=NOON + timedelta(hours=20),
    )
    claim(
        UserFactory(name="", email="omar@gov.example"),
        ACTION_POINT,
        key="actionpoint:7",
        occasion="due-14",
        params={"count": 2},
    )
    html = log_of(reviewer)
    assert re.search(r'<h2 id="results-title">\s*2 reminders\s*</h2>', html)
    assert rows(html) == [
        # Claimed at 22:30 UTC: 07:30 the next morning in Tokyo, the viewer's zone.
        "03/05/2026 7:30 a.m. | Amina Diallo amina@cso.example | "
        "Invitations waiting for an answer | "
        "Your invitation to “Community policing dialogue” waits for an answer. "
        "meeting:1 · unanswered-7 | sent 03/05/2026 5 p.m. | sent sent 03/05/2026 5 p.m. | 1",
        "03/04/2026 9 p.m. | omar@gov.example | Action points coming due | "
        "2 action points are due. actionpoint:7 · due-14 | waiting for the next digest | "
        "not in a digest yet | —",
    ]
    # Names read in their own direction, addresses left to right.
    assert '<bdi>Amina Diallo</bdi><br><span dir="ltr">amina@cso.example</span>' in html


def test_log_lists_the_newest_first(reviewer, recipient, test_sources):
    for hours, key in [(1, "meeting:old"), (3, "meeting:new"), (2, "meeting:middle")]:
        claim(recipient, key=key, at=NOON + timedelta(hours=hours))
    html = log_of(reviewer)
    assert [re.search(r"meeting:\w+", row).group() for row in rows(html)] == [
        "meeting:new",
        "meeting:middle",
        "meeting:old",
    ]


def test_log_writes_sentences_in_the_viewers_language(reviewer, recipient, test_sources):
    reviewer.language = "fr"
    reviewer.save()
    claim(
        recipient,
        CYCLE,
        key="recommendation:1",
        occasion="offset-14",
        params={"reference": "PVE-CP-2017/PRG-8"},
    )
    (row,) = rows(log_of(reviewer))
    assert "Recommandations: PVE-CP-2017/PRG-8" in row


def test_log_survives_an_unknown_kind_and_unreadable_parameters(reviewer, recipient, test_sources):
    claim(recipient, "organizations.gone", key="organization:1", at=NOON)
    claim(recipient, INVITATION, key="meeting:2", params={"other": 1}, at=NOON + timedelta(1))
    claim(recipient, ACTION_POINT, key="ap:3", params={"count": "many"}, at=NOON + timedelta(2))
    claim(recipient, ACTION_POINT, key="ap:4", params=["not", "a", "dict"], at=NOON + timedelta(3))
    html = log_of(reviewer)
    unreadable = (
        "This reminder cannot be written out (its kind is unknown or its details unreadable)."
    )
    found = rows(html)
    assert len(found) == 4
    assert all(unreadable in row for row in found)
    assert '<code>organizations.gone</code> <span class="meta">(not registered)</span>' in html


def test_log_escapes_what_the_parameters_hold(reviewer, recipient, test_sources):
    claim(recipient, params={"title": "<script>alert(1)</script>"})
    html = log_of(reviewer)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_log_without_any_reminder_says_so(reviewer, test_sources):
    html = log_of(reviewer)
    assert "No reminder has been claimed yet." in html
    assert "<table" not in html


@pytest.mark.parametrize("count", [1, 60])
def test_log_query_count_is_constant(reviewer, test_sources, count, django_assert_num_queries):
    for number in range(count):
        person = UserFactory()
        day = digest_of(person, state=DigestState.FAILED, attempts=5) if number % 2 else None
        claim(person, key=f"meeting:{number}", at=NOON + timedelta(minutes=number), digest=day)
    client = signed_in(reviewer)
    client.get(LOG)  # the first request of a session records it
    # session, user, roles, two-factor check, the count, the page, the header's counts.
    with django_assert_num_queries(7):
        response = client.get(LOG, {"kind": INVITATION, "recipient": "example"})
    assert len(rows(response.content.decode())) == min(count, 50)


def test_log_pages_through_long_lists(reviewer, recipient, test_sources):
    for number in range(53):
        claim(recipient, key=f"meeting:{number}", at=NOON + timedelta(minutes=number))
    first = log_of(reviewer, state="pending")
    assert len(rows(first)) == 50
    assert '<a rel="next" href="?state=pending&amp;page=2">Next</a>' in first
    second = log_of(reviewer, state="pending", page="2")
    assert [re.search(r"meeting:\d+", row).group() for row in rows(second)] == [
        "meeting:2",
        "meeting:1",
        "meeting:0",
    ]


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def log_world(reviewer, recipient, test_sources):
    """Four reminders: Amina's invitation sent in a digest, her action point in a failed one,
    Omar's review cycle waiting for a digest, and his invitation withdrawn."""
    omar = UserFactory(name="Omar Haddad", email="omar@gov.example")
    sent = digest_of(recipient, state=DigestState.SENT, sent_at=NOON)
    failed = digest_of(recipient, day=date(2026, 3, 6), state=DigestState.FAILED, attempts=5)
    claim(
        recipient,
        key="meeting:a",
        at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
        state=DeliveryState.SENT,
        digest=sent,
    )
    claim(
        recipient,
        ACTION_POINT,
        key="ap:b",
        params={"count": 1},
        at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        digest=failed,
    )
    claim(
        omar,
        CYCLE,
        key="rec:c",
        params={"reference": "R-1"},
        at=datetime(2026, 3, 3, 10, tzinfo=UTC),
    )
    claim(
        omar,
        key="meeting:d",
        at=datetime(2026, 3, 4, 10, tzinfo=UTC),
        state=DeliveryState.WITHDRAWN,
    )
    return reviewer


def keys(html: str) -> list[str]:
    return [re.search(r"(meeting|ap|rec):\w+", row).group() for row in rows(html)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["meeting:d", "rec:c", "ap:b", "meeting:a"]),
        ({"kind": INVITATION}, ["meeting:d", "meeting:a"]),
        ({"kind": CYCLE}, ["rec:c"]),
        ({"state": "sent"}, ["meeting:a"]),
        ({"state": "withdrawn"}, ["meeting:d"]),
        ({"state": "pending"}, ["rec:c", "ap:b"]),
        ({"digest_state": "failed"}, ["ap:b"]),
        ({"digest_state": "sent"}, ["meeting:a"]),
        ({"digest_state": "none"}, ["meeting:d", "rec:c"]),
        ({"recipient": "AMINA@"}, ["ap:b", "meeting:a"]),
        ({"recipient": "haddad"}, ["meeting:d", "rec:c"]),
        ({"recipient": "  omar  "}, ["meeting:d", "rec:c"]),
        ({"recipient": "nobody"}, []),
        ({"claimed_from": "2026-03-03"}, ["meeting:d", "rec:c"]),
        ({"claimed_to": "2026-03-02"}, ["ap:b", "meeting:a"]),
        ({"claimed_from": "2026-03-02", "claimed_to": "2026-03-02"}, ["ap:b"]),
        ({"kind": INVITATION, "recipient": "omar"}, ["meeting:d"]),
        (
            {"claimed_from": "0001-01-01", "claimed_to": "9999-12-31"},
            ["meeting:d", "rec:c", "ap:b", "meeting:a"],
        ),
        ({"claimed_from": "9999-12-31"}, []),
        ({"claimed_to": "0001-01-01"}, []),
    ],
)
def test_log_filters(log_world, query, expected):
    html = log_of(log_world, **query)
    assert 'class="error-summary"' not in html
    assert keys(html) == expected
    if not expected:
        assert "No reminder matches these filters." in html


def test_log_filters_days_in_the_viewers_time_zone(log_world):
    # 23:30 UTC on 1 March is 2 March in Amman (UTC+3): the viewer's day counts.
    log_world.timezone = "Asia/Amman"
    log_world.save()
    assert keys(log_of(log_world, claimed_to="2026-03-01")) == []
    assert keys(log_of(log_world, claimed_from="2026-03-02", claimed_to="2026-03-02")) == [
        "ap:b",
        "meeting:a",
    ]


def test_log_filter_offers_every_kind_and_state(log_world):
    html = log_of(log_world)
    assert (
        '<option value="dialogues.test_invitation">Invitations waiting for an answer</option>'
        in html
    )
    assert (
        '<option value="recommendations.test_summary">The cycle&#x27;s final summary</option>'
        in html
    )
    assert '<option value="opted_out">turned off by the recipient</option>' in html
    assert '<option value="failed">failed</option>' in html
    assert '<option value="none">not in a digest yet</option>' in html


@pytest.mark.parametrize(
    ("query", "message", "expected"),
    [
        (
            {"kind": "nope"},
            "Kind: Select a valid choice. nope is not one of the available choices.",
            ["meeting:d", "rec:c", "ap:b", "meeting:a"],
        ),
        (
            {"state": "lost", "kind": INVITATION},
            "State: Select a valid choice. lost is not one of the available choices.",
            ["meeting:d", "meeting:a"],
        ),
        (
            {"digest_state": "burnt"},
            "Digest: Select a valid choice. burnt is not one of the available choices.",
            ["meeting:d", "rec:c", "ap:b", "meeting:a"],
        ),
        (
            {"claimed_from": "2026-02-30"},
            "Claimed from: Enter a valid date.",
            ["meeting:d", "rec:c", "ap:b", "meeting:a"],
        ),
        (
            {"claimed_from": "2026-03-04", "claimed_to": "2026-03-01"},
            "Claimed until: This day is before the “from” day.",
            ["meeting:d"],
        ),
        (
            {"recipient": "x" * 255},
            "Recipient: Ensure this value has at most 254 characters (it has 255).",
            ["meeting:d", "rec:c", "ap:b", "meeting:a"],
        ),
        (
            {"kind": "dialogues.test_invitation\x00"},
            None,
            ["meeting:d", "meeting:a"],
        ),
    ],
)
def test_log_bad_filter_values_are_named_and_left_out(log_world, query, message, expected):
    html = log_of(log_world, **query)
    if message is None:
        # NUL is dropped from the query string (gsx_portal.middleware.NulBytesMiddleware).
        assert 'class="error-summary"' not in html
    else:
        assert 'class="error-summary"' in html
        assert message in re.sub(r"<[^>]+>", "", html)
        assert "The filters with an error are not applied; the others are." in html
    assert keys(html) == expected


@pytest.mark.parametrize("number", ["x", "0", "-1", "99999999999999999999999"])
def test_log_odd_page_numbers_answer_a_page(log_world, number):
    assert len(rows(log_of(log_world, page=number))) == 4


# --- Failed digests --------------------------------------------------------------------------


def test_failed_lists_failed_digests_with_their_error_escaped(reviewer, recipient, test_sources):
    failed = digest_of(
        recipient,
        state=DigestState.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: <amina@cso.example> 550 mailbox unavailable",
    )
    for key in ("meeting:1", "meeting:2"):
        claim(recipient, key=key, digest=failed)
    digest_of(UserFactory(), state=DigestState.SENT, attempts=1)
    digest_of(UserFactory(), state=DigestState.PENDING, attempts=2)
    html = signed_in(reviewer).get(FAILED).content.decode()
    assert rows(html) == [
        "Amina Diallo amina@cso.example | March 5, 2026 | 2 | 5 | "
        "SMTPRecipientsRefused: &lt;amina@cso.example&gt; 550 mailbox unavailable | "
        "Try again amina@cso.example"
    ]
    assert f'<form method="post" action="/reminders/failed/{failed.pk}/retry/"' in html


def test_failed_without_any_says_so(reviewer, test_sources):
    assert "No digest has failed." in signed_in(reviewer).get(FAILED).content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_failed_query_count_is_constant(reviewer, count, django_assert_num_queries):
    for _number in range(count):
        person = UserFactory()
        claim(person, digest=digest_of(person, state=DigestState.FAILED, attempts=5))
    client = signed_in(reviewer)
    client.get(FAILED)
    # session, user, roles, two-factor check, the count, the page, the header's counts.
    with django_assert_num_queries(7):
        response = client.get(FAILED)
    assert len(rows(response.content.decode())) == min(count, 25)


@pytest.mark.parametrize("role", ["reviewer", "staff"])
def test_try_again_sets_a_failed_digest_to_be_sent_by_the_next_sweep(request, role, recipient):
    failed = digest_of(
        recipient,
        state=DigestState.FAILED,
        attempts=5,
        next_attempt_at=NOON - timedelta(days=1),
        last_error="550",
    )
    client = signed_in(request.getfixturevalue(role))
    with time_machine.travel(NOON, tick=False):
        response = client.post(reverse("reminders:retry", args=[failed.pk]))
        html = client.get(FAILED).content.decode()
    assert response.status_code == 302
    assert response["Location"] == FAILED
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.next_attempt_at, failed.last_error) == (
        DigestState.PENDING,
        0,
        NOON,
        "550",
    )
    assert "The digest to amina@cso.example will be sent again by the next sweep." in html
    assert "No digest has failed." in html


@pytest.mark.parametrize("state", [DigestState.SENT, DigestState.PENDING, DigestState.EMPTY])
def test_try_again_refuses_a_digest_that_is_not_failed(reviewer, recipient, state):
    digest = digest_of(recipient, state=state, attempts=2)
    client = signed_in(reviewer)
    response = client.post(reverse("reminders:retry", args=[digest.pk]))
    assert response["Location"] == FAILED
    label = DigestState(state).label
    html = client.get(FAILED).content.decode()
    assert f"This digest is no longer failed (now: {label}). Nothing was changed." in html
    digest.refresh_from_db()
    assert (digest.state, digest.attempts) == (state, 2)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in SECRETARIAT])
def test_try_again_is_the_secretariats_alone(request, role, recipient):
    failed = digest_of(recipient, state=DigestState.FAILED, attempts=5)
    url = reverse("reminders:retry", args=[failed.pk])
    assert signed_in(request.getfixturevalue(role)).post(url).status_code == 404
    assert Client().post(url).status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (DigestState.FAILED, 5)


def test_try_again_answers_404_for_an_unknown_digest_and_refuses_get(reviewer):
    client = signed_in(reviewer)
    assert client.post(reverse("reminders:retry", args=[999999])).status_code == 404
    assert client.get(reverse("reminders:retry", args=[999999])).status_code == 405


# --- Preview: choosing the person ------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "This field is required."),
        ("not an address", "Enter a valid email address."),
        ("nobody@example.org", "No account has this email address."),
        ("amina\x00@cso.example", "Null characters are not allowed."),
    ],
)
def test_preview_refuses_an_unknown_or_bad_address(reviewer, recipient, email, message):
    response = signed_in(reviewer).post(PREVIEW, {"email": email})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert message in html
    assert "Next digest of" not in html


def test_preview_form_asks_for_an_address(reviewer):
    html = signed_in(reviewer).get(PREVIEW).content.decode()
    assert '<form method="post" novalidate>' in html
    assert re.search(r'<input type="email" name="email"[^>]* dir="ltr"', html)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in SECRETARIAT])
def test_preview_post_is_the_secretariats_alone(request, role, recipient):
    response = signed_in(request.getfixturevalue(role)).post(PREVIEW, {"email": recipient.email})
    assert response.status_code == 404


# --- Preview: what the next digest would hold ------------------------------------------------


def _ledger() -> list[tuple]:
    return list(
        ReminderDelivery.objects.order_by("pk").values_list(
            "pk", "state", "digest_id", "settled_at"
        )
    )


def test_preview_shows_the_next_digest_and_changes_nothing(reviewer, recipient, test_sources):
    from django.core import mail

    from gsx_portal.reminders.preferences import reminder_preferences_set

    recipient.timezone = "Africa/Cairo"
    recipient.save()
    claim(recipient, key="meeting:1", at=NOON - timedelta(hours=2))
    claim(recipient, ACTION_POINT, key="ap:1", params={"count": 2}, at=NOON - timedelta(hours=1))
    # Left out: a kind she turned off, an item no longer due, one already sent.
    claim(recipient, CYCLE, key="rec:1", params={"reference": "R-1"})
    claim(recipient, key="meeting:2", params={"title": "Gone", "gone": True})
    claim(recipient, key="meeting:3", params={"title": "Sent"}, state=DeliveryState.SENT)
    reminder_preferences_set(user=recipient, muted={CYCLE})
    before = _ledger()
    with time_machine.travel(NOON, tick=False):
        response = signed_in(reviewer).post(PREVIEW, {"email": "AMINA@cso.example"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'Next digest of <span dir="ltr">amina@cso.example</span>' in html
    assert '<dd lang="en" dir="ltr">[GSX] GSX Portal: 2 reminders for you</dd>' in html
    # Her next morning (8:00 in Cairo, UTC+2) is 6:00 in the viewer's zone (UTC).
    assert "<dd>not before 03/05/2026 6 a.m. (in your time zone)</dd>" in html
    assert '<dd><span dir="ltr">Africa/Cairo</span></dd>' in html
    sections = html.split('<div lang="en" dir="ltr">', 1)[1].split("</div>", 1)[0]
    assert re.findall(r"<h3>(.*?)</h3>", sections) == ["Invitations", "Action points"]
    assert [
        re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", sections, re.S)
    ] == [
        "Your invitation to “<bdi>Community policing dialogue</bdi>” waits for an answer.<br>"
        '<a href="https://testserver/meetings/1/" dir="ltr">https://testserver/meetings/1/</a>',
        "2 action points are due.<br>"
        '<a href="https://testserver/meetings/1/" dir="ltr">https://testserver/meetings/1/</a>',
    ]
    text = html.split('<pre class="reminder-preview__text" lang="en" dir="ltr">', 1)[1]
    text = text.split("</pre>", 1)[0]
    assert "- Your invitation to “Community policing dialogue” waits for an answer." in text
    assert "- 2 action points are due." in text
    assert "R-1" not in html and "Gone" not in html and "Sent" not in text
    # Nothing claimed, settled or sent.
    assert _ledger() == before
    assert ReminderDigest.objects.count() == 0
    assert mail.outbox == []


def test_preview_of_a_person_with_nothing_waiting_says_so(reviewer, recipient, test_sources):
    claim(recipient, key="meeting:3", state=DeliveryState.SENT)
    html = signed_in(reviewer).post(PREVIEW, {"email": recipient.email}).content.decode()
    assert 'Next digest of <span dir="ltr">amina@cso.example</span>' in html
    assert "Nothing is waiting for this person: no digest would be sent." in html


def test_preview_is_in_the_recipients_language_and_direction(reviewer, recipient, test_sources):
    recipient.language = "ar"
    recipient.save()
    claim(recipient, CYCLE, key="rec:1", params={"reference": "PVE-CP-2017/PRG-8"})
    html = signed_in(reviewer).post(PREVIEW, {"email": recipient.email}).content.decode()
    # The page stays in the viewer's language; the digest is in the recipient's, right to left.
    assert '<html lang="en" dir="ltr">' in html
    assert '<div lang="ar" dir="rtl">' in html
    assert "التوصيات: PVE-CP-2017/PRG-8" in html
    assert '<pre class="reminder-preview__text" lang="ar" dir="rtl">' in html
