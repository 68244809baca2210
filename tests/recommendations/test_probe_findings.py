# ruff: noqa: F811  (the shared world is a fixture imported from test_detail_world)
"""What probing the recommendations app as an attacker found, one test per finding: each
failed before its fix and guards it since."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.exchange import COLUMNS, MAX_IMPORT_ROWS, parse
from recommendations.models import (
    AddresseeResponse,
    ImplementationStatus,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    ResponseStatus,
)
from recommendations.services import implementation_update_add, response_record
from recommendations.services.imports import recommendations_import
from tests.conftest import bearer, signed_in
from tests.factories import MembershipFactory
from tests.recommendations.test_detail_world import world  # noqa: F401

UPDATES = "/api/v1/implementation-updates/"


def self_report_body(world, **extra):
    return {
        "recommendation": world["recommendation"].reference,
        "perspective": Perspective.SELF_REPORT,
        "reporting_organization": str(world["ministry"].public_id),
        "status": ImplementationStatus.IMPLEMENTED,
        "summary": "Training is done in every province.",
        **extra,
    }


def assessment_body(world, **extra):
    return {
        "recommendation": world["recommendation"].reference,
        "perspective": Perspective.INDEPENDENT,
        "reporting_organization": str(world["monitor"].public_id),
        "status": ImplementationStatus.STALLED,
        "summary": "No training seen in the provinces we work in.",
        **extra,
    }


@pytest.mark.parametrize("reported_on", ["2999-01-01", "0001-01-01", "1989-12-31"])
def test_update_dated_outside_1990_to_today_is_refused_so_it_cannot_pin_the_status(
    world, reported_on
):
    # The latest update by date is the current status: one dated 2999 would stand over every
    # later report of either side, whatever happens.
    client = bearer(world["official"])
    response = client.post(
        UPDATES, self_report_body(world, reported_on=reported_on), content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reported_on"]
    assert ImplementationUpdate.objects.count() == 0
    assert Recommendation.objects.get(pk=world["recommendation"].pk).self_status == ""


def test_update_dated_in_the_future_is_refused_by_the_service(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        implementation_update_add(
            by=world["official"],
            recommendation=world["recommendation"],
            perspective=Perspective.SELF_REPORT,
            reporting_organization=world["ministry"],
            status=ImplementationStatus.IMPLEMENTED,
            summary="Done.",
            reported_on=timezone.localdate() + timedelta(days=1),
        )
    future = ["Enter a date that is not in the future."]
    assert refused.value.message_dict == {"reported_on": future}
    assert ImplementationUpdate.objects.count() == 0


@pytest.mark.parametrize("responded_on", ["2999-01-01", "0001-01-01"])
def test_response_dated_outside_1990_to_today_is_refused_and_unchanged(world, responded_on):
    row = AddresseeResponse.objects.get(
        recommendation=world["recommendation"], organization=world["ministry"]
    )
    client = bearer(world["official"])
    response = client.post(
        f"/api/v1/responses/{row.public_id}/record/",
        {"status": ResponseStatus.SUPPORTED, "responded_on": responded_on},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["responded_on"]
    row.refresh_from_db()
    assert (row.status, row.responded_on, row.responded_by) == (ResponseStatus.PENDING, None, None)


@pytest.mark.parametrize(
    "links",
    [
        ["ftp://example.org/report.pdf"],
        [f"https://example.org/{n}" for n in range(11)],
        ["https://example.org/\u202efdp.exe"],
        ["https://exa\u200bmple.org/report"],
    ],
    ids=["ftp", "eleven", "bidi-override", "zero-width"],
)
def test_api_evidence_links_follow_the_pages_rules(world, links):
    # The page takes at most ten http(s) links; the API took twenty, ftp, and invisible
    # characters that make a link read as another address.
    client = bearer(world["monitor_member"])
    response = client.post(
        UPDATES, assessment_body(world, evidence_links=links), content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["evidence_links"]
    assert ImplementationUpdate.objects.count() == 0


def test_page_refuses_an_evidence_link_with_a_bidi_override_and_keeps_what_was_typed(world):
    client = signed_in(world["monitor_member"])
    url = reverse("recommendations:assess", args=[world["recommendation"].public_id])
    typed = "Nothing seen in our provinces."
    response = client.post(
        url,
        {
            "organization": "monitor",
            "status": ImplementationStatus.STALLED,
            "summary": typed,
            "evidence_links": "https://example.org/\u202efdp.exe",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Link 1 is not a web address" in page
    assert typed in page
    assert ImplementationUpdate.objects.count() == 0


def test_import_counts_rows_of_the_wrong_width_toward_the_row_limit():
    # Each such row is a problem of its own: a 5 MB file of them was millions of problems
    # (seconds of a worker and hundreds of megabytes) before the limit counted them.
    data = (",".join(COLUMNS) + "\n" + "x\n" * (MAX_IMPORT_ROWS + 500)).encode()
    rows, problems = parse(data)
    assert rows == []
    assert len(problems) == MAX_IMPORT_ROWS + 1
    assert problems[-1].message == f"A file holds at most {MAX_IMPORT_ROWS} rows."


def test_import_header_of_thousands_of_columns_is_one_problem(reviewer):
    data = (",".join(f"column{n}" for n in range(10_000)) + "\n").encode()
    report = recommendations_import(by=reviewer, file=data, dry_run=True)
    assert [(p.line, p.column, p.message) for p in report.problems] == [
        (0, "", f"The header has 10000 columns; the format has {len(COLUMNS)}.")
    ]
    assert Recommendation.objects.count() == 0


def test_the_form_still_takes_a_date_of_1990_and_today(world):
    # The bounds themselves are allowed (the service and the form agree).
    for day in (date(1990, 1, 1), timezone.localdate()):
        update = implementation_update_add(
            by=world["official"],
            recommendation=world["recommendation"],
            perspective=Perspective.SELF_REPORT,
            reporting_organization=world["ministry"],
            status=ImplementationStatus.IN_PROGRESS,
            summary="Under way.",
            reported_on=day,
        )
        assert update.reported_on == day


def _seen(page: str) -> str:
    return re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)


def test_self_report_on_words_changed_since_the_form_opened_is_not_recorded(world):
    client = signed_in(world["official"])
    url = reverse("recommendations:self_report", args=[world["recommendation"].public_id])
    seen = _seen(client.get(url).content.decode())
    # The secretariat rewrites the recommendation while the official is typing.
    Recommendation.objects.filter(pk=world["recommendation"].pk).update(
        text="Police services should be disbanded."
    )
    typed = "Training is done in every province."
    form = {
        "seen": seen,
        "organization": "ministry",
        "status": ImplementationStatus.IMPLEMENTED,
        "summary": typed,
    }
    response = client.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed since you opened this form" in page
    assert typed in page
    assert ImplementationUpdate.objects.count() == 0
    # Sent again from the page as it is now: recorded.
    assert client.post(url, {**form, "seen": _seen(page)}).status_code == 302
    assert ImplementationUpdate.objects.count() == 1


def test_response_over_a_colleagues_response_recorded_meanwhile_is_not_recorded(world):
    row = AddresseeResponse.objects.get(
        recommendation=world["recommendation"], organization=world["ministry"]
    )
    keys = [world["recommendation"].public_id, row.public_id]
    url = reverse("recommendations:respond", args=keys)
    client = signed_in(world["official"])
    seen = _seen(client.get(url).content.decode())
    colleague = MembershipFactory(organization=world["ministry"]).user
    response_record(response=row, by=colleague, status=ResponseStatus.NOT_SUPPORTED, comment="No.")
    response = client.post(url, {"seen": seen, "status": ResponseStatus.SUPPORTED})
    assert response.status_code == 200
    assert "changed since you opened this form" in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.comment, row.responded_by) == (
        ResponseStatus.NOT_SUPPORTED,
        "No.",
        colleague,
    )


def test_secretariat_edit_over_a_colleagues_edit_made_meanwhile_is_not_saved(world, reviewer):
    recommendation = world["recommendation"]
    url = reverse("recommendations:recommendation_edit", args=[recommendation.public_id])
    client = signed_in(reviewer)
    page = client.get(url).content.decode()
    seen = _seen(page)
    # A colleague corrects the text and saves while this form is open.
    colleague_text = "Police services should be trained in community policing, with women."
    Recommendation.objects.filter(pk=recommendation.pk).update(text=colleague_text)
    form = {
        "seen": seen,
        "reference": recommendation.reference,
        "section": recommendation.section,
        "position": recommendation.position,
        "title": "A title typed over the old text",
        "text": recommendation.text,
        "themes": "community-policing",
        "addressee_types": ["governments", "security_sector"],
        "addressed_organizations": "ministry council",
        "countries": "NG KE",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved a change here since you opened this form" in page
    assert "A title typed over the old text" in page
    recommendation.refresh_from_db()
    assert (recommendation.title, recommendation.text) == (
        "Make community policing the ethos of prevention",
        colleague_text,
    )
    # Sent again from the page as it is now (the colleague's text kept, the new title): saved.
    again = client.post(url, {**form, "seen": _seen(page), "text": colleague_text})
    assert again.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.title, recommendation.text) == (
        "A title typed over the old text",
        colleague_text,
    )
