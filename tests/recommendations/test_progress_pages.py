# ruff: noqa: F811  (the shared world is a fixture imported from test_detail_world)
"""The recommendation page's actions: responses, self-reports and independent assessments, who
may post which (asked against the roles now), refusals that change nothing, and bad input that
gets a clear message with what was typed kept."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations.models import Membership, Organization
from recommendations.models import ImplementationUpdate, Perspective
from tests.conftest import signed_in
from tests.recommendations.test_detail_world import world  # noqa: F401

VALID = {
    "status": "in_progress",
    "summary": "Training began in two provinces.",
    "evidence_links": "https://example.org/a\nhttp://example.org/b",
    "reported_on": "",
}


def self_report_url(world, key="recommendation"):
    return reverse("recommendations:self_report", args=[world[key].public_id])


def assess_url(world, key="recommendation"):
    return reverse("recommendations:assess", args=[world[key].public_id])


def respond_url(world, organization="ministry"):
    response = world["recommendation"].responses.get(organization=world[organization])
    return reverse(
        "recommendations:respond", args=[world["recommendation"].public_id, response.public_id]
    )


def test_a_member_of_the_addressee_self_reports(world):
    client = signed_in(world["official"])
    assert client.get(self_report_url(world)).status_code == 200
    response = client.post(self_report_url(world), {**VALID, "organization": "ministry"})
    assert response.status_code == 302
    update = ImplementationUpdate.objects.get()
    assert update.perspective == Perspective.SELF_REPORT
    assert update.reporting_organization == world["ministry"]
    assert update.addressee == world["ministry"]
    assert update.evidence_links == ["https://example.org/a", "http://example.org/b"]
    assert update.reported_on == timezone.localdate()
    page = client.get(response["Location"]).content.decode()
    assert "Your organization&#x27;s report was published." in page


@pytest.mark.parametrize("who", ["monitor_member", "unvetted_member", "outsider", "reviewer"])
def test_others_may_not_self_report(world, request, who):
    user = world[who] if who in world else request.getfixturevalue(who)
    client = signed_in(user)
    assert client.get(self_report_url(world)).status_code == 403
    response = client.post(self_report_url(world), {**VALID, "organization": "ministry"})
    assert response.status_code == 403
    assert "may report on its behalf. Nothing was recorded." in response.content.decode()
    assert ImplementationUpdate.objects.count() == 0


def test_a_self_report_names_only_the_users_addressed_organization(world):
    # The official also belongs to the council's rival: not addressed, not offered, refused.
    other = Organization.objects.create(name="Ministry of Finance", slug="finance")
    Membership.objects.create(user=world["official"], organization=other)
    client = signed_in(world["official"])
    form = client.get(self_report_url(world)).content.decode()
    assert 'value="ministry"' in form and 'value="finance"' not in form
    response = client.post(self_report_url(world), {**VALID, "organization": "finance"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ImplementationUpdate.objects.count() == 0


def test_a_member_who_left_is_refused_on_post(world):
    client = signed_in(world["official"])
    assert client.get(self_report_url(world)).status_code == 200
    Membership.objects.filter(user=world["official"]).delete()
    response = client.post(self_report_url(world), {**VALID, "organization": "ministry"})
    assert response.status_code == 403
    assert ImplementationUpdate.objects.count() == 0


def test_a_vetted_cso_member_assesses_about_one_addressee(world):
    client = signed_in(world["monitor_member"])
    form = client.get(assess_url(world)).content.decode()
    assert "The whole recommendation" in form
    response = client.post(
        assess_url(world), {**VALID, "organization": "monitor", "addressee": "ministry"}
    )
    assert response.status_code == 302
    update = ImplementationUpdate.objects.get()
    assert update.perspective == Perspective.INDEPENDENT
    assert (update.reporting_organization, update.addressee) == (
        world["monitor"],
        world["ministry"],
    )


def test_a_cso_whose_vetting_lapsed_is_refused_on_post(world):
    client = signed_in(world["monitor_member"])
    assert client.get(assess_url(world)).status_code == 200
    Organization.objects.filter(pk=world["monitor"].pk).update(vetted_until=timezone.now())
    response = client.post(assess_url(world), {**VALID, "organization": "monitor"})
    assert response.status_code == 403
    assert (
        "Only members of a civil society organization vetted now may publish an independent "
        "assessment. Nothing was recorded." in response.content.decode()
    )
    assert ImplementationUpdate.objects.count() == 0


@pytest.mark.parametrize("who", ["unvetted_member", "official", "outsider"])
def test_others_may_not_assess(world, request, who):
    user = world[who] if who in world else request.getfixturevalue(who)
    client = signed_in(user)
    assert client.get(assess_url(world)).status_code == 403
    assert client.post(assess_url(world), {**VALID, "organization": "monitor"}).status_code == 403
    assert ImplementationUpdate.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(world):
    for url in (self_report_url(world), assess_url(world), respond_url(world)):
        response = Client().post(url, {**VALID, "organization": "ministry"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ImplementationUpdate.objects.count() == 0


def test_drafts_answer_404_to_actions(world):
    client = signed_in(world["official"])
    assert client.get(self_report_url(world, "draft")).status_code == 404
    assert client.post(self_report_url(world, "draft"), VALID).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("summary", "x\x00y", "Null characters are not allowed."),
        ("summary", "x" * 10_000, "Ensure this value has at most 5000 characters"),
        ("summary", "", "This field is required."),
        ("summary", "evil\u202etxt.exe", "Remove the invisible or control characters"),
        ("evidence_links", "javascript:alert(1)", "Link 1 is not a web address"),
        ("evidence_links", "ftp://example.org/a", "Link 1 is not a web address"),
        ("evidence_links", "\n".join(f"https://e.org/{i}" for i in range(11)), "at most 10"),
        ("evidence_links", "https://e.org/" + "a" * 600, "longer than 500"),
        ("reported_on", "2027-02-31", "Enter a date"),
        ("reported_on", "99999999-01-01", "Enter a date"),
        ("reported_on", "1900-01-01", "Enter a date from 1990 on."),
        ("reported_on", "2999-01-01", "not in the future"),
        ("status", "done", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(world, field, value, message):
    client = signed_in(world["official"])
    data = {**VALID, "organization": "ministry", field: value}
    response = client.post(self_report_url(world), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert message in html
    assert ImplementationUpdate.objects.count() == 0
    # What was typed is kept.
    if field != "summary":
        assert "Training began in two provinces." in html
    if field in ("evidence_links", "reported_on"):
        assert value.splitlines()[0] in html


def test_a_member_records_the_response(world):
    client = signed_in(world["official"])
    assert client.get(respond_url(world)).status_code == 200
    response = client.post(
        respond_url(world), {"status": "supported", "comment": "A plan.", "responded_on": ""}
    )
    assert response.status_code == 302
    row = world["recommendation"].responses.get(organization=world["ministry"])
    assert (row.status, row.comment) == ("supported", "A plan.")


def test_the_secretariat_records_a_response_sent_by_letter(world):
    client = signed_in(world["secretariat"])
    response = client.post(
        respond_url(world, "council"),
        {"status": "noted", "comment": "By letter.", "responded_on": "2026-01-05"},
    )
    assert response.status_code == 302
    row = world["recommendation"].responses.get(organization=world["council"])
    assert (row.status, str(row.responded_on)) == ("noted", "2026-01-05")


@pytest.mark.parametrize("who", ["council_member", "monitor_member", "outsider"])
def test_others_may_not_record_a_response(world, request, who):
    user = world[who] if who in world else request.getfixturevalue(who)
    client = signed_in(user)
    assert client.get(respond_url(world)).status_code == 403
    response = client.post(respond_url(world), {"status": "supported", "comment": "No."})
    assert response.status_code == 403
    assert "may record its response. Nothing was recorded." in response.content.decode()
    assert world["recommendation"].responses.get(organization=world["ministry"]).status == "pending"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "pending"}, "Select a valid choice"),
        ({"status": "supported", "comment": "a\x00b"}, "Null characters are not allowed."),
        ({"status": "supported", "comment": "c" * 10_000}, "at most 5000 characters"),
        ({"status": "supported", "responded_on": "yesterday"}, "Enter a date"),
    ],
)
def test_bad_responses_are_refused_with_a_message(world, data, message):
    response = signed_in(world["official"]).post(respond_url(world), data)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert message in response.content.decode()
    assert world["recommendation"].responses.get(organization=world["ministry"]).status == "pending"


def test_a_member_of_two_addressees_chooses_which_to_report_for(world):
    Membership.objects.create(user=world["official"], organization=world["council"])
    client = signed_in(world["official"])
    form = client.get(self_report_url(world)).content.decode()
    assert 'value="ministry"' in form and 'value="council"' in form
    response = client.post(self_report_url(world), {**VALID, "organization": "council"})
    assert response.status_code == 302
    update = ImplementationUpdate.objects.get()
    assert (update.reporting_organization, update.addressee) == (world["council"], world["council"])


def test_an_assessment_names_only_an_addressee_the_reader_may_see(world):
    # The at-risk monitor may not be named as an addressee (it is none), nor may an
    # organization the recommendation does not address.
    client = signed_in(world["monitor_member"])
    form = client.get(assess_url(world)).content.decode()
    assert 'value="ministry"' in form and 'value="council"' in form
    assert 'value="hidden-watch"' not in form
    response = client.post(
        assess_url(world), {**VALID, "organization": "monitor", "addressee": "new-forum"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ImplementationUpdate.objects.count() == 0


def test_the_forms_read_right_to_left_in_arabic(world):
    world["official"].language = "ar"  # the user's own choice rules their pages
    world["official"].save(update_fields=["language"])
    client = signed_in(world["official"])
    html = client.get(self_report_url(world)).content.decode()
    assert 'dir="rtl"' in html
    page = client.get(reverse("recommendations:detail", args=[world["recommendation"].public_id]))
    assert page.status_code == 200 and 'dir="rtl"' in page.content.decode()
