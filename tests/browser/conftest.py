"""The browser test set: Playwright driving Debian's chromium against Django's live server.

Skipped as a whole, with the reason and the command that fixes it (also in the pytest report
header), when chromium or node_modules/axe-core is missing. Playwright never downloads a browser.
"""

import importlib
import os

import pytest

from tests.browser import requirements
from tests.browser.pages import Visitor


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run this set last, after pytest-django's ordering: its live server needs a database that
    is emptied after each test, which the suite's other tests must not see. (Each module is
    marked ``browser``, so that `pytest -m "not browser"` leaves the set out.)"""
    here = os.path.dirname(__file__) + os.sep
    ours = [item for item in items if str(item.path).startswith(here)]
    items[:] = [item for item in items if not str(item.path).startswith(here)] + ours


# The data the migrations load (groups, themes, criteria), as a new installation has it. The live
# server needs a transactional database, which is emptied after each test; Django's
# serialized_rollback would restore it, but clashes with the content types that any earlier
# transactional test of the suite recreated. These loaders are idempotent: a new data migration
# that the journeys need is added here.
MIGRATION_DATA = [
    ("organizations.migrations.0002_extensions_and_groups", "create_groups"),
    ("organizations.migrations.0005_themes_and_criteria", "load"),
]


@pytest.fixture(autouse=True)
def migration_data(chromium, transactional_db):
    # ``chromium`` first: without a browser the set is skipped before touching the database.
    from django.apps import apps

    for module, function in MIGRATION_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(scope="package")
def chromium():
    """One chromium for the whole set (starting it is the slow part); each test gets its own
    contexts, so no cookie or storage leaks from one journey into the next."""
    reason = requirements.missing()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in this thread (in a greenlet)
    # while the browser is open, so Django would take every ORM call the tests make here
    # (factories, services, assertions) for a call from async code and refuse it. These calls
    # are synchronous and never run concurrently with the loop; the live server answers the
    # browser from its own thread. Allowed only while this set's browser is open.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=requirements.chromium_path(),
                headless=True,
                args=["--no-sandbox", "--headless=new"],
            )
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def visitors(chromium, live_server):
    """Opens a new browser context per person: ``visitors("en", "newcomer")``. Contexts are
    closed after the test; problems of a journey that stopped early are printed."""
    contexts, opened = [], []

    def open_visitor(language: str, who: str) -> Visitor:
        context = chromium.new_context(locale=language)
        context.set_default_timeout(15_000)
        contexts.append(context)
        visitor = Visitor(
            page=context.new_page(), base_url=live_server.url, language=language, who=who
        )
        opened.append(visitor)
        return visitor

    yield open_visitor
    for visitor in opened:
        if visitor.problems:
            print(
                f"Problems {visitor.who} ({visitor.language}) met:", *visitor.problems, sep="\n- "
            )
    for context in contexts:
        context.close()
