"""Reminder emails as people meet them in chromium: a CSO's admin turns a kind of reminder off on
the account page (English and Arabic, with and without JavaScript); a reviewer of the secretariat
walks the reminder log by keyboard (filters, failed digests, trying again, a preview); and a
digest email's HTML part is read on a 360 px phone."""

import dataclasses
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import translation

from gsx_portal import reminders
from gsx_portal.models import (
    DeliveryState,
    DigestState,
    ReminderDelivery,
    ReminderDigest,
    ReminderOptOut,
)
from gsx_portal.reminders.digests import render_digest
from organizations.models import MembershipRole
from tests.browser.pages import DESKTOP, FIND_OVERFLOW, PHONE, Visitor, assert_clean
from tests.browser.requirements import AXE_PATH
from tests.browser.steps import sign_in, sign_in_by_keyboard
from tests.browser.world import PASSWORD, reviewers
from tests.conftest import TOTP_SECRET
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTION_POINT = "dialogues.action_point_due"
INVITATION = "dialogues.invitation_unanswered"
INTRODUCTION = "organizations.introduction_waiting"
FOLLOWED = "recommendations.followed_change"
MEETING = {"title": "Community policing dialogue", "starts": "2026-05-12", "ends": "2026-05-13"}
SMTP_ERROR = (
    "SMTPDataError(554, b'5.7.1 Message rejected under policy: the receiving server refused "
    "this message because its content matched a rule set by the administrator of cso.example; "
    "see https://mail.cso.example/postmaster/policies/content-rules-and-exceptions-2026')"
)


def kind_named(name: str) -> reminders.Kind:
    return reminders.kinds()[name]


def in_language(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def email_me_about(language: str, kind: str) -> str:
    """The accessible name of a kind's checkbox on the preferences page."""
    with translation.override(language):
        return translation.gettext("Email me about: %(label)s") % {
            "label": str(kind_named(kind).label)
        }


@pytest.fixture
def sources_holding():
    """The registered sources, each with a ``still_due`` that keeps every item: the preview then
    shows the made-up items of these journeys (whose objects do not exist) as the engine would
    show real ones. The sources' own decisions are tested in each app."""
    saved = reminders.sources()
    for source in saved:
        reminders.register_source(
            dataclasses.replace(source, still_due=lambda items: {item.pk for item in items})
        )
    yield
    for source in saved:
        reminders.register_source(source)


class VisitorWithoutScript(Visitor):
    """A visitor whose browser runs no page script. axe-core and the frame callback that
    ``Visitor`` waits on run on the page's timers, which never fire then: axe is left to the same
    pages' run with script; the width is measured at once (reading it forces the layout)."""

    def _check_axe(self, where: str) -> None:
        pass

    def _check_phone_width(self, where: str, name: str) -> None:
        self.page.set_viewport_size(PHONE)
        try:
            found = self.page.evaluate(FIND_OVERFLOW)
            if found["scrollWidth"] > PHONE["width"]:
                self.problems.append(f"{where}: scrolls sideways at 360 px: {found}")
            self._screenshot(name + "-phone")
        finally:
            self.page.set_viewport_size(DESKTOP)


@pytest.fixture
def visitors_without_script(chromium, live_server):
    """Like ``visitors``, with JavaScript turned off in the browser context."""
    contexts, opened = [], []

    def open_visitor(language: str, who: str) -> Visitor:
        context = chromium.new_context(locale=language, java_script_enabled=False)
        context.set_default_timeout(15_000)
        contexts.append(context)
        visitor = VisitorWithoutScript(context.new_page(), live_server.url, language, who)
        opened.append(visitor)
        return visitor

    yield open_visitor
    for visitor in opened:
        if visitor.problems:
            print(f"Problems {visitor.who} ({visitor.language}):", *visitor.problems, sep="\n- ")
    for context in contexts:
        context.close()


# --- 1 and 2: a CSO's admin turns a kind off ------------------------------------------------


def cso_admin(language: str):
    return MembershipFactory(
        role=MembershipRole.ADMIN,
        organization__name="Coastal Youth Forum",
        user__email="alice@cso.example",
        user__name="Alice Mensah",
        user__language=language,
    ).user


def open_reminder_preferences(visitor: Visitor) -> None:
    visitor.follow(visitor.nav("Account"), "account-settings")
    visitor.follow(visitor.link("Reminder emails"), "reminder-preferences")
    assert visitor.page.get_by_role("heading", level=1).inner_text() == visitor.t("Reminder emails")


def checkbox(visitor: Visitor, kind: str):
    return visitor.page.get_by_role("checkbox", name=email_me_about(visitor.language, kind))


def ticked_kinds(visitor: Visitor) -> set[str]:
    return set(
        visitor.page.eval_on_selector_all(
            "input[name='email_me']", "boxes => boxes.filter(b => b.checked).map(b => b.value)"
        )
    )


def assert_choices_follow_direction(visitor: Visitor, name: str) -> None:
    """Each checkbox sits before its label in the reading direction (left of it in English,
    right of it in Arabic), on the label's first line; legends start on the same side. Checked
    at desktop width and at 360 px."""
    page = visitor.page
    rtl = visitor.language == "ar"
    for size in (None, PHONE):
        if size:
            page.set_viewport_size(PHONE)
        try:
            boxes = page.eval_on_selector_all(
                ".reminder-kinds__choice",
                """choices => choices.map(c => {
                  const box = c.querySelector('input').getBoundingClientRect();
                  const text = c.querySelector('label').getBoundingClientRect();
                  return {box: [box.left, box.right, box.top, box.bottom],
                          text: [text.left, text.right, text.top, text.bottom],
                          label: c.querySelector('label').innerText};
                })""",
            )
            assert boxes, "no choice on the page"
            for found in boxes:
                box_left, box_right, box_top, _ = found["box"]
                text_left, text_right, text_top, text_bottom = found["text"]
                before = box_left >= text_right - 1 if rtl else box_right <= text_left + 1
                assert before, f"{name}: the checkbox is on the wrong side of {found['label']!r}"
                assert text_top - 4 <= box_top <= text_bottom, (
                    f"{name}: the checkbox is not on the first line of {found['label']!r}"
                )
            legends = page.eval_on_selector_all(
                ".reminder-kinds legend",
                """legends => legends.map(l => {
                  const own = l.getBoundingClientRect();
                  const set = l.parentElement.getBoundingClientRect();
                  return [own.left - set.left, set.right - own.right];
                })""",
            )
            for from_left, from_right in legends:
                assert (from_right < from_left) if rtl else (from_left < from_right), (
                    f"{name}: a legend starts on the wrong side ({from_left}, {from_right})"
                )
        finally:
            if size:
                page.set_viewport_size(DESKTOP)


def turn_off(visitor: Visitor, kind: str, name: str) -> None:
    before = ticked_kinds(visitor)
    assert kind in before
    checkbox(visitor, kind).uncheck()
    visitor.submit("Save", name)
    message = visitor.page.locator(".messages[role='status']")
    assert message.inner_text().strip() == visitor.t("Your reminder preferences were saved.")
    assert ticked_kinds(visitor) == before - {kind}
    assert not checkbox(visitor, kind).is_checked()


@pytest.mark.parametrize("script", ["with-script", "without-script"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_cso_admin_turns_a_kind_of_reminder_off(
    request, visitors, visitors_without_script, language, script
):
    user = cso_admin(language)
    open_visitor = visitors if script == "with-script" else visitors_without_script
    admin = open_visitor(language, f"the CSO's admin ({script})")
    admin.goto("/", "home")
    admin.choose_language()
    sign_in(admin, user.email, PASSWORD)
    open_reminder_preferences(admin)
    offered = {kind.name for kind in reminders.kinds().values() if kind.opt_out}
    assert ticked_kinds(admin) == offered
    assert_choices_follow_direction(admin, "reminder-preferences")

    turn_off(admin, ACTION_POINT, "reminder-preferences-saved")
    assert set(ReminderOptOut.objects.filter(user=user).values_list("kind", flat=True)) == {
        ACTION_POINT
    }
    # Kept: the page opened afresh shows it off.
    admin.goto("/account/reminders/", "reminder-preferences-again")
    assert ticked_kinds(admin) == offered - {ACTION_POINT}
    assert_choices_follow_direction(admin, "reminder-preferences-again")
    assert_clean(admin)


# --- 3: the secretariat's log, failed digests, retry, preview (keyboard only) ---------------


def claim(user, kind, key, occasion, params, *, at, state=DeliveryState.PENDING, digest=None):
    return ReminderDelivery.objects.create(
        user=user,
        kind=kind,
        object_key=key,
        occasion=occasion,
        params=params,
        link="/meetings/",
        claimed_at=at,
        state=state,
        digest=digest,
        settled_at=at if state != DeliveryState.PENDING else None,
    )


def reminder_world():
    """Two recipients: Amina (Arabic), whose digest failed, and Ben (English), with reminders
    sent, turned off and waiting for his next digest."""
    now = datetime.now(UTC)
    amina = UserFactory(
        email="amina.diallo@cso.example", name="أمينة ديالو", language="ar", timezone="Africa/Cairo"
    )
    ben = UserFactory(email="ben.okafor@cso.example", name="Ben Okafor", language="en")
    failed = ReminderDigest.objects.create(
        user=amina,
        day=now.date() - timedelta(days=1),
        state=DigestState.FAILED,
        attempts=5,
        last_error=SMTP_ERROR,
        language="ar",
    )
    claim(amina, INVITATION, "meeting:1", "unanswered-7", MEETING, at=now, digest=failed)
    claim(
        amina,
        ACTION_POINT,
        "actionpoint:1",
        "overdue",
        {**MEETING, "overdue": True, "due_on": "2026-05-30"},
        at=now,
        digest=failed,
    )
    sent = ReminderDigest.objects.create(
        user=ben, day=now.date() - timedelta(days=2), state=DigestState.SENT, sent_at=now
    )
    for number in (2, 3):
        claim(
            ben,
            ACTION_POINT,
            f"actionpoint:{number}",
            "due-14",
            {**MEETING, "overdue": False, "due_on": "2026-06-14"},
            at=now - timedelta(days=2, hours=number),
            state=DeliveryState.SENT,
            digest=sent,
        )
    claim(
        ben,
        ACTION_POINT,
        "actionpoint:4",
        "overdue",
        {**MEETING, "overdue": True, "due_on": "2026-05-30"},
        at=now - timedelta(days=3),
        state=DeliveryState.OPTED_OUT,
    )
    claim(
        ben,
        FOLLOWED,
        "recommendation:1",
        "event-1",
        {"reference": "GSX-2017/REC-4", "title": "Local policing boards", "change": "response"},
        at=now - timedelta(minutes=5),
    )
    claim(ben, INVITATION, "meeting:2", "unanswered-7", MEETING, at=now - timedelta(minutes=4))
    return amina, ben, failed


def focused_element(visitor: Visitor) -> dict:
    return visitor.page.evaluate(
        """() => { const e = document.activeElement;
          return {tag: e.tagName, name: e.getAttribute('name'),
                  text: (e.innerText || '').trim().replace(/\\s+/g, ' ')}; }"""
    )


def tab_until(visitor: Visitor, wanted, what: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``wanted`` (a function of its tag, name and
    text); fail if it takes more than ``limit`` presses."""
    for _ in range(limit):
        visitor.page.keyboard.press("Tab")
        if wanted(focused_element(visitor)):
            return
    raise AssertionError(f"{limit} Tabs did not reach {what}; at {focused_element(visitor)}")


def tab_to_link(visitor: Visitor, message: str) -> None:
    text = visitor.t(message)
    tab_until(visitor, lambda e: e["tag"] == "A" and e["text"] == text, f"the link {text!r}")


def press_enter_to_load(visitor: Visitor, name: str) -> None:
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check(name)


def choose_by_arrows(visitor: Visitor, field: str, value: str) -> None:
    """Tab to the select ``field`` and move through its options with the arrow keys."""
    tab_until(visitor, lambda e: e["name"] == field, f"the field {field!r}")
    select = visitor.page.locator(f"select[name='{field}']")
    for _ in range(30):
        if select.input_value() == value:
            return
        visitor.page.keyboard.press("ArrowDown")
    raise AssertionError(f"{field}: the arrow keys did not reach {value!r}")


def log_rows(visitor: Visitor) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in visitor.page.locator("table.reminder-log tbody tr").all_inner_texts()
    ]


def cells_cut_off(visitor: Visitor, table: str) -> list[str]:
    """At 360 px: the cells of ``table`` whose content is wider than the cell (cut off or
    scrolling inside it), and cells that reach past the viewport."""
    visitor.page.set_viewport_size(PHONE)
    try:
        return visitor.page.eval_on_selector_all(
            f"{table} td",
            """cells => cells.filter(c => {
              const box = c.getBoundingClientRect();
              const rtl = getComputedStyle(c).direction === 'rtl';
              const width = document.documentElement.clientWidth;
              const out = rtl ? box.left < -0.5 : box.right > width + 0.5;
              return c.scrollWidth > c.clientWidth + 1 || out;
            }).map(c => (c.dataset.label || '?') + ': ' + c.innerText.slice(0, 40))""",
        )
    finally:
        visitor.page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_secretariat_walks_the_reminder_log_by_keyboard(visitors, sources_holding, language):
    reviewer_user, _second = reviewers(language)
    amina, ben, failed = reminder_world()
    reviewer = visitors(language, "a reviewer")
    reviewer.goto("/", "home")
    reviewer.choose_language()
    sign_in_by_keyboard(reviewer, reviewer_user.email, PASSWORD, TOTP_SECRET)

    # The log, from the main navigation.
    tab_to_link(reviewer, "Reminder log")
    press_enter_to_load(reviewer, "reminder-log")
    assert len(log_rows(reviewer)) == 7
    assert cells_cut_off(reviewer, "table.reminder-log") == []

    # Filters: on a wide screen they are shown open (their toggle hidden, static/css/gsx.css);
    # where the toggle shows, it opens them by keyboard. A kind and a state by arrow keys.
    toggle = reviewer.page.locator("summary.filters__toggle")
    if toggle.is_visible():
        text = toggle.inner_text().strip()
        tab_until(reviewer, lambda e: e["tag"] == "SUMMARY" and e["text"] == text, "Filters")
        reviewer.page.keyboard.press("Enter")
    choose_by_arrows(reviewer, "kind", ACTION_POINT)
    choose_by_arrows(reviewer, "state", DeliveryState.SENT)
    apply = reviewer.t("Apply")
    tab_until(reviewer, lambda e: e["tag"] == "BUTTON" and e["text"] == apply, "Apply")
    press_enter_to_load(reviewer, "reminder-log-filtered")
    rows = log_rows(reviewer)
    assert len(rows) == 2, rows
    sent = in_language(language, DeliveryState.SENT.label)
    assert all(ben.email in row and sent in row for row in rows), rows
    assert reviewer.page.locator("select[name='kind']").input_value() == ACTION_POINT
    assert cells_cut_off(reviewer, "table.reminder-log") == []

    # The failed digests; try Amina's again.
    tab_to_link(reviewer, "Failed digests")
    press_enter_to_load(reviewer, "reminder-failed")
    failed_rows = reviewer.page.locator("table.reminder-failed tbody tr")
    assert failed_rows.count() == 1
    assert amina.email in failed_rows.first.inner_text()
    assert cells_cut_off(reviewer, "table.reminder-failed") == []
    again = reviewer.t("Try again")
    tab_until(reviewer, lambda e: e["tag"] == "BUTTON" and e["text"].startswith(again), "Try again")
    press_enter_to_load(reviewer, "reminder-failed-retried")
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (DigestState.PENDING, 0)
    with translation.override(language):
        expected = translation.gettext(
            "The digest to %(email)s will be sent again by the next sweep."
        ) % {"email": amina.email}
    assert reviewer.page.locator(".messages[role='status']").inner_text().strip() == expected
    assert reviewer.page.get_by_text(reviewer.t("No digest has failed.")).is_visible()

    # A preview of Ben's next digest: his two waiting reminders, in English.
    tab_to_link(reviewer, "Preview a digest")
    press_enter_to_load(reviewer, "reminder-preview")
    tab_until(reviewer, lambda e: e["name"] == "email", "the email field")
    reviewer.page.keyboard.type(ben.email)
    press_enter_to_load(reviewer, "reminder-preview-shown")
    preview = reviewer.page.locator(".reminder-preview")
    assert preview.locator("dd").first.inner_text().endswith("GSX Portal: 2 reminders for you")
    # Sections in the sources' order, in Ben's language.
    assert preview.locator("h3").all_inner_texts()[:2] == [
        in_language("en", kind_named(INVITATION).heading),
        in_language("en", kind_named(FOLLOWED).heading),
    ]
    assert_clean(reviewer)


# --- 4: a digest's HTML part on a phone -----------------------------------------------------


def digest_items(user) -> list[ReminderDelivery]:
    now = datetime.now(UTC)
    return [
        claim(user, INVITATION, "meeting:1", "unanswered-7", MEETING, at=now),
        claim(
            user,
            ACTION_POINT,
            "actionpoint:1",
            "overdue",
            {**MEETING, "overdue": True, "due_on": "2026-05-30"},
            at=now,
        ),
        claim(
            user,
            INTRODUCTION,
            "introduction:1",
            "waiting-7",
            {
                "organization": "Coastal Youth Forum",
                "requester_organization": "وزارة السلامة المجتمعية",
                "asked_at": "2026-04-01T09:00:00+00:00",
                "step": "waiting",
            },
            at=now,
        ),
        claim(
            user,
            FOLLOWED,
            "recommendation:1",
            "event-1",
            {"reference": "GSX-2017/REC-4", "title": "Local policing boards", "change": "update"},
            at=now,
        ),
    ]


@pytest.mark.parametrize(("language", "name"), [("en", "Ben Okafor"), ("ar", "أمينة ديالو")])
def test_digest_email_reads_on_a_phone(chromium, language, name):
    user = UserFactory(name=name, language=language, timezone="Africa/Cairo")
    rendered = render_digest(user, digest_items(user))
    assert rendered.direction == ("rtl" if language == "ar" else "ltr")

    context = chromium.new_context(viewport=PHONE, locale=language)
    try:
        page = context.new_page()
        page.set_content(rendered.html)
        problems = []
        html = page.locator("html")
        expected = "rtl" if language == "ar" else "ltr"
        if (html.get_attribute("lang"), html.get_attribute("dir")) != (language, expected):
            problems.append(
                f"<html lang dir> is {html.get_attribute('lang')!r}, {html.get_attribute('dir')!r}"
            )
        if page.evaluate("() => getComputedStyle(document.body).direction") != expected:
            problems.append("the body does not read in the language's direction")
        found = page.evaluate(FIND_OVERFLOW)
        if found["scrollWidth"] > PHONE["width"]:
            problems.append(f"scrolls sideways: {found}")
        links = page.get_by_role("link")
        assert links.count() == 5  # one per item, and the preferences
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            if not box or box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 0.5:
                problems.append(f"link {index} is cut off: {box}")
        page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
        violations = page.evaluate(
            "async () => (await axe.run(document)).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
        )
        problems += [f"axe: {rule}" for rule in violations]
        folder = os.environ.get("GSX_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(Path(folder) / f"{language}-digest-email-phone.png"), full_page=True
            )
        assert problems == []
    finally:
        context.close()
