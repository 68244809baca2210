"""The page checks themselves: each one fails on a page made to break it, so that a journey
that passes means the pages passed, not that a check was blind."""

import pytest

from tests.browser.pages import assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = """<!DOCTYPE html>
<html lang="en" dir="ltr"><head><title>Broken</title></head>
<body><main><h1>Broken</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<div class="too-wide" style="width: 600px">Wide</div>
<script>console.error("boom")</script>
</main></body></html>"""


def test_checks_report_each_broken_rule_of_a_page(visitors):
    visitor = visitors("ar", "the checker")
    visitor.page.route(
        "**/broken/", lambda route: route.fulfill(content_type="text/html", body=BROKEN)
    )

    visitor.goto("/broken/", "broken")

    where = "ar-broken (/broken/)"
    assert visitor.problems == [
        f"{where}: <html lang='en' dir='ltr'>, expected lang='ar' dir='rtl'",
        f"{where}: axe critical image-alt: Images must have alternative text at img",
        f"{where}: console error: boom",
        f"{where}: scrolls sideways at 360 px (page 608 px wide);"
        ' too wide: div.too-wide (600 px wide, "Wide")',
    ]
    with pytest.raises(AssertionError, match="4 problem"):
        assert_clean(visitor)
    visitor.problems.clear()


def test_checks_find_overflow_on_the_left_in_arabic(visitors):
    visitor = visitors("ar", "the checker")
    page = BROKEN.replace('lang="en" dir="ltr"', 'lang="ar" dir="rtl"')
    page = page.replace('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">', "")
    page = page.replace('<script>console.error("boom")</script>', "")
    visitor.page.route("**/wide/", lambda route: route.fulfill(content_type="text/html", body=page))

    visitor.goto("/wide/", "wide")

    assert visitor.problems == [
        "ar-wide (/wide/): scrolls sideways at 360 px (page 608 px wide);"
        ' too wide: div.too-wide (600 px wide, "Wide")'
    ]
    visitor.problems.clear()
