"""The recommendations as their people use them, on the demo: a newcomer finds, compares and
exports them (on a phone, without JavaScript, in English, French and Arabic); a ministry
official records a response and a self-report; a vetted CSO's member publishes an assessment
that disagrees; the secretariat runs the catalogue, the import, a review cycle, moderation and
following."""

import csv
import gzip
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from organizations.models import Organization, Theme
from recommendations.filters import STATUS_ORDER
from recommendations.models import (
    AddresseeResponse,
    CycleState,
    Follow,
    ImplementationStatus,
    ImplementationUpdate,
    Recommendation,
    ResponseStatus,
    ReviewCycle,
)
from tests.browser.pages import DESKTOP, FIND_OVERFLOW, PHONE, Visitor, assert_clean
from tests.browser.steps import choice_label, sign_in
from tests.browser.world import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_recommendations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A list page, its HTML and CSS compressed, stays under this (DESIGN.md: page weight).
LIST_PAGE_BUDGET = 50 * 1024
# Words of the community-policing brief as a reader of each language types them, with how
# many demo points they find: the demo's texts are in English, which French stemming still
# reaches ("policiers" and "police" share a stem); none is in Arabic, so an Arabic word finds
# nothing, and says so.
COMMENT = "We support it: two districts recruit locally from next spring."
SUMMARY = "Recruitment notices now go out in the two districts' own languages."
SEARCHES = {"police": 25, "policiers": 5, "الشرطة": 0}


@pytest.fixture
def demo(settings):
    demo_recommendations(settings)


def compressed_weight(visitor: Visitor) -> int:
    """The page's HTML and its stylesheets, gzip-compressed, in bytes (what a phone fetches
    before it can show the page; the images are inline SVG or none)."""
    page = visitor.page
    html = page.content().encode()
    sheets = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)"
    )
    total = len(gzip.compress(html))
    for href in sheets:
        total += len(gzip.compress(page.request.get(href).body()))
    return total


def third_party_requests(visitor: Visitor) -> list[str]:
    seen: list[str] = []
    visitor.page.on(
        "request",
        lambda request: (
            seen.append(request.url)
            if not request.url.startswith((visitor.base_url, "data:", "about:"))
            else None
        ),
    )
    return seen


def results(visitor: Visitor) -> list[str]:
    return visitor.page.locator("ul.results .rec-reference").all_inner_texts()


def search_community_policing_for_governments(visitor: Visitor) -> None:
    visitor.follow(visitor.nav("Recommendations"), "recommendations")
    assert compressed_weight(visitor) < LIST_PAGE_BUDGET
    # On a phone (each check ends at desktop width) the filters are folded away, script or
    # not: open them as a person would.
    visitor.page.set_viewport_size(PHONE)
    visitor.field("Search").fill("police")
    assert not visitor.field("Theme").is_visible()
    visitor.page.locator("details.filters summary").click()
    visitor.field("Addressed to").select_option("governments")
    visitor.field("Theme").select_option("community-policing")
    visitor.field("Sort by").select_option("self_status")
    visitor.follow(visitor.button("Search"), "recommendations-found")
    assert compressed_weight(visitor) < LIST_PAGE_BUDGET
    found = results(visitor)
    chosen = Recommendation.objects.filter(reference__in=found).in_bulk(field_name="reference")
    assert found and len(chosen) == len(found)
    for recommendation in chosen.values():
        assert "governments" in recommendation.addressee_types
        assert "community-policing" in {theme.slug for theme in recommendation.themes.all()}
    # Sorted by the addressees' reported status: from implemented to no update yet.
    ranks = [STATUS_ORDER.index(chosen[reference].self_status) for reference in found]
    assert ranks == sorted(ranks)


def search_in_each_language(visitor: Visitor) -> None:
    for number, (words, count) in enumerate(SEARCHES.items()):
        visitor.goto("/recommendations/", f"recommendations-{number}")
        visitor.field("Search").fill(words)
        visitor.follow(visitor.button("Search"), f"recommendations-search-{number}")
        assert len(results(visitor)) == count, words
        assert visitor.field("Search").input_value() == words
        if not count:
            assert visitor.page.get_by_text(
                visitor.t("No recommendation matches these filters.")
            ).is_visible()


def compare_both_sides(visitor: Visitor) -> list[list[str]]:
    """Open the point both sides disagree on, read both columns and the disagreement, follow
    its permanent link and download a search's results as CSV; return the CSV's rows."""
    # A part of a reference ("PRG-8") finds nothing: the whole reference does.
    visitor.goto("/recommendations/?q=PVE-CP-2017/PRG-8", "recommendations-prg-8")
    found = visitor.page.locator("ul.results").get_by_text("PVE-CP-2017/PRG-8", exact=True)
    visitor.follow(found, "recommendation")
    page = visitor.page
    assert page.locator("h1").inner_text() == "Recruit and post officers locally"
    assert page.get_by_role("heading", name=visitor.t("Reported by the addressees")).is_visible()
    assert page.get_by_role(
        "heading", name=visitor.t("Assessed by independent civil society")
    ).is_visible()
    assert page.get_by_text(visitor.t("They disagree.")).first.is_visible()
    permalink = page.locator("dd a[href^='/recommendations/ref/']")
    assert permalink.get_attribute("href") == "/recommendations/ref/PVE-CP-2017/PRG-8"
    visitor.follow(permalink, "recommendation-permalink")
    assert page.locator("h1").inner_text() == "Recruit and post officers locally"

    visitor.goto("/recommendations/?q=police", "recommendations-police")
    with page.expect_download() as download:
        visitor.link("Download as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as export:
        return list(csv.reader(export))


def open_dashboard(visitor: Visitor) -> None:
    visitor.goto("/recommendations/", "recommendations")
    visitor.follow(visitor.link("Implementation dashboard"), "dashboard")
    assert visitor.page.locator("h1").inner_text() == visitor.t("Implementation dashboard")
    # Each chart has its table, readable at 360 px inside its own scrolling box.
    assert visitor.page.locator("table").count() >= 2


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_newcomer_finds_compares_and_exports_recommendations(visitors, demo, language):
    visitor = visitors(language, "a newcomer")
    outside = third_party_requests(visitor)
    visitor.goto("/", "home")
    visitor.choose_language()
    search_community_policing_for_governments(visitor)
    search_in_each_language(visitor)
    rows = compare_both_sides(visitor)
    assert rows[0][:2] == ["reference", "source_title"]
    assert len(rows) == 1 + SEARCHES["police"]
    open_dashboard(visitor)
    assert outside == []
    assert_clean(visitor)


class NoScriptVisitor(Visitor):
    """A visitor whose browser runs no script. axe-core cannot run there (its checks wait on
    timers, which never fire with scripts off): the same pages are checked by axe in the
    journeys with scripts on; language, console and width are still checked here, the width
    without waiting for an animation frame (none comes either: reading the boxes lays the page
    out at once)."""

    def _check_axe(self, where: str) -> None:
        return None

    def _check_phone_width(self, where: str, name: str) -> None:
        self.page.set_viewport_size(PHONE)
        try:
            found = self.page.evaluate(FIND_OVERFLOW)
            if found["scrollWidth"] > PHONE["width"]:
                self.problems.append(f"{where}: scrolls sideways at 360 px: {found}")
        finally:
            self.page.set_viewport_size(DESKTOP)


def test_newcomer_without_javascript_reads_a_recommendation(chromium, live_server, demo):
    """Without a script: the filters still open (a <details>), the search still sorts, the page
    still shows both sides; in Arabic, right to left."""
    context = chromium.new_context(locale="ar", java_script_enabled=False)
    try:
        context.set_default_timeout(15_000)
        visitor = NoScriptVisitor(
            page=context.new_page(), base_url=live_server.url, language="ar", who="no script"
        )
        visitor.goto("/", "home")
        visitor.choose_language()
        search_community_policing_for_governments(visitor)
        rows = compare_both_sides(visitor)
        assert len(rows) == 1 + SEARCHES["police"]
        assert_clean(visitor)
    finally:
        context.close()


def sign_in_demo(visitor: Visitor, name: str) -> None:
    visitor.goto("/", "home")
    visitor.choose_language()
    account = f"{name}@{DEMO_DOMAIN}"
    secret = DEMO_TOTP_SECRET if name in {"government", "reviewer"} else ""
    sign_in(visitor, account, DEMO_PASSWORD, secret=secret)


def open_recommendation(visitor: Visitor, reference: str) -> None:
    visitor.goto(f"/recommendations/ref/{reference}", "recommendation")


def test_ministry_official_records_a_response_and_a_self_report(visitors, demo):
    visitor = visitors("en", "a ministry official")
    sign_in_demo(visitor, "government")
    open_recommendation(visitor, "PVE-CP-2017/PRG-5")
    page = visitor.page
    ministry = Organization.objects.get(slug="ministry-community-safety")
    row = page.locator("tr", has=page.get_by_role("link", name=ministry.name, exact=True))
    visitor.follow(
        row.get_by_role("link", name=re.compile(visitor.t("Record the response"))), "respond"
    )
    visitor.field("Supported").check()
    visitor.field("Comment").fill(COMMENT)
    visitor.submit("Record", "responded")
    # The response now, then its earlier states under it.
    assert row.locator(".tag").first.inner_text() == choice_label(visitor, ResponseStatus.SUPPORTED)
    response = AddresseeResponse.objects.get(
        recommendation__reference="PVE-CP-2017/PRG-5", organization=ministry
    )
    assert (response.status, response.comment) == (ResponseStatus.SUPPORTED, COMMENT)

    visitor.follow(visitor.link("Report your organization's progress"), "self-report")
    visitor.field("In progress").check()
    visitor.field("What happened").fill(SUMMARY)
    visitor.field("Evidence (links)").fill("www.ministry.example/report")
    visitor.field("As of").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    before = ImplementationUpdate.objects.count()
    visitor.follow(visitor.button("Publish"), "self-report-refused")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    # The summary takes the focus (a screen reader reads it), and links each field in error.
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert summary.get_by_role("link").count() == 2
    assert visitor.field("What happened").input_value() == SUMMARY
    assert visitor.field("Evidence (links)").input_value() == "www.ministry.example/report"
    assert visitor.field("In progress").is_checked()
    assert ImplementationUpdate.objects.count() == before

    visitor.field("Evidence (links)").fill("https://ministry.example/report")
    visitor.field("As of").fill("")
    visitor.submit("Publish", "self-reported")
    assert page.get_by_text(SUMMARY).is_visible()
    update = ImplementationUpdate.objects.latest("created_at")
    assert (update.reporting_organization, update.status, update.evidence_links) == (
        ministry,
        ImplementationStatus.IN_PROGRESS,
        ["https://ministry.example/report"],
    )
    assert_clean(visitor)


REASON = "It names a witness and her village."


def test_secretariat_moderates_closes_the_cycle_and_follows_a_theme(visitors, demo):
    visitor = visitors("en", "the secretariat")
    sign_in_demo(visitor, "reviewer")
    visitor.follow(visitor.nav("Recommendations"), "recommendations")
    page = visitor.page

    visitor.follow(visitor.link("Moderation"), "moderation")
    update = ImplementationUpdate.objects.filter(hidden_at__isnull=True).latest("created_at")
    item = page.locator(f"#update-{update.public_id}")
    item.get_by_label(visitor.t("Why it is hidden")).fill(REASON)
    with page.expect_navigation():
        item.get_by_role("button").click()
    visitor.check("moderation-hidden")
    update.refresh_from_db()
    assert (update.hidden_reason, update.hidden_by.email) == (REASON, f"reviewer@{DEMO_DOMAIN}")
    assert page.locator(f"#update-{update.public_id}").get_by_text(REASON).is_visible()

    cycle = ReviewCycle.objects.get(state=CycleState.OPEN)
    visitor.goto("/recommendations/", "recommendations")
    visitor.follow(visitor.link("Review cycles"), "cycles")
    visitor.follow(page.get_by_role("link", name=cycle.name, exact=True), "cycle")
    visitor.follow(visitor.link("Close the cycle…"), "cycle-close-confirm")
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN  # Asking is not closing.
    visitor.follow(page.locator("main form button[type=submit]"), "cycle-closed")
    cycle.refresh_from_db()
    assert cycle.state == CycleState.CLOSED

    visitor.goto("/recommendations/", "recommendations")
    visitor.follow(visitor.link("What I follow"), "following")
    visitor.field("Follow a theme").select_option("gender")
    visitor.submit("Follow the theme", "following-theme")
    assert Follow.objects.filter(user__email=f"reviewer@{DEMO_DOMAIN}", theme__slug="gender")
    assert (
        page.locator("main").get_by_text(Theme.objects.get(slug="gender").name).first.is_visible()
    )
    assert_clean(visitor)


ASSESSMENT = "Our monitors found no change in the districts since spring: the plan stalled."


def test_vetted_cso_member_publishes_an_assessment_that_disagrees(visitors, demo):
    visitor = visitors("en", "a vetted CSO's member")
    sign_in_demo(visitor, "cso.member")
    open_recommendation(visitor, "PVE-CP-2017/POL-1d")
    page = visitor.page
    ministry = Organization.objects.get(slug="ministry-community-safety")
    visitor.follow(visitor.link("Publish an independent assessment"), "assess")
    visitor.field("About").select_option(ministry.slug)
    visitor.field("Stalled").check()
    visitor.field("What happened").fill(ASSESSMENT)
    visitor.submit("Publish", "assessed")
    assert page.get_by_text(ASSESSMENT).is_visible()
    # The ministry reports it partially implemented: a different story, said in words.
    row = page.locator("#perspectives-title ~ * tr", has_text=ministry.name)
    assert row.get_by_text(visitor.t("They disagree.")).is_visible()
    update = ImplementationUpdate.objects.latest("created_at")
    assert (update.perspective, update.addressee, update.status) == (
        "independent_assessment",
        ministry,
        ImplementationStatus.STALLED,
    )
    assert_clean(visitor)
