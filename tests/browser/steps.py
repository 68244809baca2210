"""Steps the journeys share: signing up, signing in (with the second factor), reading email."""

import re
import time

from django.core import mail
from django.utils import translation

from tests.browser.pages import Visitor
from tests.conftest import totp_code

LINK = re.compile(r"https?://\S+")


def wait_for_email(to: str, timeout: float = 10.0) -> mail.EmailMessage:
    """The last email sent to ``to``: the outbox sends it from the live server's thread once
    the request's transaction commits, which may be just after the page has loaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [message for message in mail.outbox if to in message.to]
        if sent:
            return sent[-1]
        time.sleep(0.1)
    raise AssertionError(f"no email to {to}; sent: {[m.to for m in mail.outbox]}")


def link_in(message: mail.EmailMessage, containing: str) -> str:
    links = [url for url in LINK.findall(message.body) if containing in url]
    assert links, f"no link with {containing!r} in:\n{message.body}"
    return links[0]


def choice_label(visitor: Visitor, choice) -> str:
    """How a model choice (a status, a rating) reads in the visitor's language."""
    with translation.override(visitor.language):
        return str(choice.label)


def sign_up(visitor: Visitor, name: str, email: str, password: str) -> None:
    """Create an account with allauth's sign-up form and confirm the address from the email."""
    visitor.goto("/", "home")
    visitor.choose_language()
    visitor.follow(visitor.nav("Create an account"), "sign-up")
    visitor.field("Your name").fill(name)
    visitor.field("Email").fill(email)
    visitor.field("Password").fill(password)
    visitor.field("Password (again)").fill(password)
    visitor.follow(visitor.button("Create the account"), "sign-up-sent")

    confirmation = link_in(wait_for_email(email), "/accounts/confirm-email/")
    # The email's link names the site's domain; the journey follows it on the live server.
    visitor.goto(re.sub(r"^https?://[^/]+", "", confirmation), "confirm-email")
    visitor.follow(visitor.button("Confirm"), "email-confirmed")
    # Confirming from the link does not sign in (the link may have been opened elsewhere).
    if "/accounts/login/" in visitor.page.url:
        sign_in(visitor, email, password, navigate=False)


def sign_in(
    visitor: Visitor, email: str, password: str, navigate: bool = True, secret: str = ""
) -> None:
    """Sign in with the form; with ``secret``, give the authenticator code it then asks for."""
    if navigate:
        visitor.goto("/accounts/login/", "sign-in")
    visitor.field("Email").fill(email)
    visitor.field("Password").fill(password)
    visitor.follow(visitor.button("Sign In"), "two-factor" if secret else "signed-in")
    if secret:
        code = visitor.page.locator("input[name='code']")
        code.fill(totp_code(secret))
        with visitor.page.expect_navigation():
            code.press("Enter")
        visitor.check("signed-in")
    assert "/accounts/" not in visitor.page.url, visitor.page.url


def sign_in_by_keyboard(visitor: Visitor, email: str, password: str, secret: str) -> None:
    """Sign in with Tab and Enter only, from the top of the page, then give the authenticator
    code: proves the skip link, the focus order of the form and submitting by Enter."""
    page = visitor.page
    visitor.goto("/accounts/login/", "sign-in")
    page.keyboard.press("Tab")
    assert focused(visitor) == ("A", visitor.t("Skip to main content"))
    page.keyboard.press("Enter")
    # From the skip link's target, the first field of the form is a few Tabs away (past the
    # "sign up" link above the form); from there on the form's own order holds.
    tab_to(visitor, "login")
    page.keyboard.type(email)
    # The password's help (the "forgot" link) sits between its label and its input.
    page.keyboard.press("Tab")
    assert focused(visitor) == ("A", visitor.t("Forgot your password?"))
    page.keyboard.press("Tab")
    assert focused_field(visitor) == "password", focused(visitor)
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    visitor.check("two-factor")
    # Past the skip link, the brand, the main navigation (six entries signed out) and the
    # language form.
    tab_to(visitor, "code", limit=16)
    page.keyboard.type(totp_code(secret))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    visitor.check("signed-in")


def tab_to(visitor: Visitor, name: str, limit: int = 12) -> None:
    """Press Tab until the field ``name`` has the focus; fail if it takes more than ``limit``."""
    for _ in range(limit):
        visitor.page.keyboard.press("Tab")
        if focused_field(visitor) == name:
            return
    raise AssertionError(f"{limit} Tabs did not reach the field {name!r}; at {focused(visitor)}")


def focused(visitor: Visitor) -> tuple[str, str]:
    return tuple(
        visitor.page.evaluate(
            "() => [document.activeElement.tagName,"
            " (document.activeElement.innerText || '').trim()]"
        )
    )


def focused_field(visitor: Visitor) -> str | None:
    return visitor.page.evaluate("() => document.activeElement.getAttribute('name')")
