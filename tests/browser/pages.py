"""The page helper every journey step goes through: after each navigation it checks the page
(language and direction, axe-core, no sideways scrolling at 360 px, no console errors) and saves
a screenshot when asked to.

Checks record problems instead of stopping the journey, so that one run lists every page that
fails and why; the journey's own steps (finding a button, reading a status) stop at once.
``assert_clean(...)`` at the end of each journey fails with the whole list.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation
from django.utils.text import capfirst
from playwright.sync_api import Locator, Page

from tests.browser.requirements import AXE_PATH

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 800}
BLOCKING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""

# The elements that stick out of the viewport on the side that scrolls (the end side: right in
# LTR, left in RTL, as the page's direction says), outermost first, so that the report names the
# cause, not its children.
FIND_OVERFLOW = """() => {
  const rtl = getComputedStyle(document.documentElement).direction === "rtl";
  const width = document.documentElement.clientWidth;
  const sticksOut = el => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return false;
    return rtl ? box.left < -0.5 : box.right > width + 0.5;
  };
  const describe = el => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + [...el.classList].join(".");
    const box = el.getBoundingClientRect();
    const text = (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return `${name} (${Math.round(box.width)} px wide${text ? ', "' + text + '"' : ""})`;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (sticksOut(el) && !(el.parentElement && sticksOut(el.parentElement)
                           && el.parentElement !== document.body)) {
      found.push(describe(el));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, elements: found.slice(0, 8)};
}"""


def t(language: str, message: str) -> str:
    """``message`` as the portal shows it in ``language`` (through the same catalogues), so
    that the journeys find buttons and labels by their visible names in every language."""
    with translation.override(language):
        return capfirst(translation.gettext(message))


def label(language: str, message: str) -> re.Pattern:
    """A field's label in ``language``, with or without the colon Django may add after it."""
    return re.compile(rf"^\s*{re.escape(t(language, message))}\s*[:：]?\s*$")


@dataclass
class Visitor:
    """One person's browser tab, in one language, on the live server."""

    page: Page
    base_url: str
    language: str
    who: str
    problems: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.page.set_viewport_size(DESKTOP)
        self.page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def t(self, message: str) -> str:
        return t(self.language, message)

    def field(self, message: str):
        """The form field labelled ``message`` (translated), as a person finds it."""
        return self.page.get_by_label(label(self.language, message))

    def button(self, message: str):
        return self.page.get_by_role("button", name=self.t(message), exact=True)

    def link(self, message: str):
        return self.page.get_by_role("link", name=self.t(message), exact=True)

    def nav(self, message: str):
        """A link of the header's main navigation; its name may go on with a count ("Home 2
        items wait for you")."""
        main = self.page.get_by_role("navigation", name=self.t("Main"))
        return main.get_by_role("link", name=re.compile(rf"^{re.escape(self.t(message))}(\s|$)"))

    def goto(self, path: str, name: str, status: int = 200) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, (
            f"{path}: {response and response.status}, expected {status}"
        )
        if status >= 400:
            # Chromium logs the page's own expected error status as a console error.
            self.console_errors.clear()
        self.check(name)

    def check(self, name: str) -> None:
        """Check the page now shown; call it after every navigation (a click that loads a page
        included). ``name`` is the page's stable name for screenshots and problem reports."""
        page = self.page
        page.wait_for_load_state("load")
        where = f"{self.language}-{name} ({page.url.removeprefix(self.base_url)})"
        self._check_language(where)
        self._check_axe(where)
        self._check_console(where)
        self._screenshot(name)
        self._check_phone_width(where, name)

    def _check_language(self, where: str) -> None:
        html = self.page.locator("html")
        lang, direction = html.get_attribute("lang"), html.get_attribute("dir")
        expected = "rtl" if self.language == "ar" else "ltr"
        if lang != self.language or direction != expected:
            self.problems.append(
                f"{where}: <html lang={lang!r} dir={direction!r}>, "
                f"expected lang={self.language!r} dir={expected!r}"
            )

    def _check_axe(self, where: str) -> None:
        # add_script_tag(path=...) inserts an inline <script>, which the portal's CSP
        # (script-src 'self') refuses; evaluating the file's text through the DevTools protocol
        # is not subject to the page's CSP.
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
        for violation in self.page.evaluate(RUN_AXE):
            if violation["impact"] in BLOCKING_IMPACTS:
                self.problems.append(
                    f"{where}: axe {violation['impact']} {violation['id']}: {violation['help']}"
                    f" at {', '.join(violation['targets'])}"
                )

    def _check_console(self, where: str) -> None:
        for text in self.console_errors:
            self.problems.append(f"{where}: console error: {text}")
        self.console_errors.clear()

    def _check_phone_width(self, where: str, name: str) -> None:
        page = self.page
        page.set_viewport_size(PHONE)
        try:
            # Let the layout settle at the new width before measuring.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            found = page.evaluate(FIND_OVERFLOW)
            if found["scrollWidth"] > PHONE["width"]:
                self.problems.append(
                    f"{where}: scrolls sideways at 360 px (page {found['scrollWidth']} px wide);"
                    f" too wide: {'; '.join(found['elements']) or 'no single element found'}"
                )
            self._screenshot(name + "-phone")
        finally:
            page.set_viewport_size(DESKTOP)

    def _screenshot(self, name: str) -> None:
        folder = os.environ.get("GSX_SCREENSHOTS")
        if folder:
            path = Path(folder) / f"{self.language}-{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path), full_page=True)

    # Steps shared by the journeys.

    def follow(self, target: Locator, name: str) -> None:
        """Click a link or button that loads a page, wait for that page, and check it."""
        with self.page.expect_navigation():
            target.click()
        self.check(name)

    def submit(self, button: str, name: str) -> None:
        """Press the button ``button`` (translated) of a form that should be accepted, check the
        page that follows, and stop with the errors shown if the form was refused instead."""
        self.follow(self.button(button), name)
        refused = self.page.locator(".error-summary, .message--error, .errorlist")
        if refused.count():
            raise AssertionError(
                f"{self.language}-{name}: the form was refused: "
                + " | ".join(refused.all_inner_texts())
            )

    def choose_language(self) -> None:
        """Switch the portal's language with the switcher in the header, from whatever language
        the page is in now (for a signed-in person this also saves it on the account)."""
        shown = self.page.locator("html").get_attribute("lang") or "en"
        switcher = self.page.locator("form.language-switcher")
        switcher.get_by_label(label(shown, "Language")).select_option(self.language)
        with self.page.expect_navigation():
            switcher.get_by_role("button", name=t(shown, "Change")).click()
        assert self.page.locator("html").get_attribute("lang") == self.language


def assert_clean(*visitors: Visitor) -> None:
    """Fail with every problem the journey's people met, page by page."""
    problems = [
        f"- [{visitor.who}] {problem}" for visitor in visitors for problem in visitor.problems
    ]
    assert not problems, f"{len(problems)} problem(s) on the pages visited:\n" + "\n".join(problems)
