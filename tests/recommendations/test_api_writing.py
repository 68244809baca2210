"""The recommendations API's writes, each through its service: recording a response, posting
an update from either side, hiding one, opening and closing a cycle, following. Who may and
who may not (403 with a message, 404 for what they may not see, 401 without credentials), a
read-only token refused, and the rows unchanged on every refusal."""

import json
from datetime import date

import pytest
from django.test import Client

from organizations.models import Membership
from recommendations.models import (
    AddresseeResponse,
    CycleSnapshot,
    CycleState,
    Follow,
    ImplementationUpdate,
    ReviewCycle,
)
from recommendations.services import review_cycle_create
from tests.conftest import signed_in
from tests.recommendations.api_world import API, REFERENCE, make_world, vet


@pytest.fixture
def world(reviewer, outsider, cso_member, government_user, working_group):
    return make_world(
        secretariat=reviewer,
        outsider=outsider,
        cso_member=cso_member,
        government_user=government_user,
        working_group=working_group,
    )


def _post(client, path, body=None):
    return client.post(f"{API}/{path}", json.dumps(body or {}), content_type="application/json")


def _response_row(world, organization):
    return AddresseeResponse.objects.get(recommendation=world.published, organization=organization)


def _snapshot(row) -> tuple:
    row.refresh_from_db()
    return (row.status, row.comment, row.responded_on, row.responded_by_id)


# --- Responses ----------------------------------------------------------------------------------

RECORD = {"status": "supported", "comment": "Training is funded.", "responded_on": "2026-11-02"}


@pytest.mark.parametrize("role", ["government_user", "secretariat"])
def test_a_member_or_the_secretariat_records_the_response(world, role):
    row = _response_row(world, world.ministry)
    answer = _post(world.client(role), f"responses/{row.public_id}/record/", RECORD)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["comment"], body["responded_on"]) == (
        "supported",
        "Training is funded.",
        "2026-11-02",
    )
    assert body["organization"] == {
        "id": str(world.ministry.public_id),
        "name": "Ministry of the Interior",
    }
    assert _snapshot(row) == (
        "supported",
        "Training is funded.",
        date(2026, 11, 2),
        world.people[role].pk,
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("outsider", 403), ("cso_member", 403), ("at_risk_member", 403)],
)
def test_others_cannot_record_the_response(world, role, expected):
    row = _response_row(world, world.ministry)
    before = _snapshot(row)
    answer = _post(world.client(role), f"responses/{row.public_id}/record/", RECORD)
    assert answer.status_code == expected
    if expected == 403:
        assert answer.json() == {
            "detail": "Only the addressed organization's members or the secretariat record "
            "its response."
        }
    assert _snapshot(row) == before


def test_a_response_of_a_draft_is_not_found(world):
    row = AddresseeResponse.objects.get(recommendation=world.draft)
    before = _snapshot(row)
    answer = _post(world.client("government_user"), f"responses/{row.public_id}/record/", RECORD)
    assert answer.status_code == 404
    assert _snapshot(row) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"status": "maybe"}, "status"),
        ({}, "status"),
        ({"status": "noted", "responded_on": "2026-02-30"}, "responded_on"),
        ({"status": "noted", "comment": "x" * 5001}, "comment"),
        ({"status": "noted", "comment": "bad\x00byte"}, "comment"),
    ],
)
def test_bad_responses_answer_400_on_the_field_and_change_nothing(world, body, field):
    row = _response_row(world, world.ministry)
    before = _snapshot(row)
    answer = _post(world.client("government_user"), f"responses/{row.public_id}/record/", body)
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert _snapshot(row) == before


def test_a_read_only_token_cannot_record(world):
    row = _response_row(world, world.ministry)
    client = world.client("government_user", write=False)
    answer = _post(client, f"responses/{row.public_id}/record/", RECORD)
    assert answer.status_code == 403
    assert answer.json() == {"detail": "This token may only read."}
    assert row.status == AddresseeResponse.objects.get(pk=row.pk).status == "pending"


def test_the_site_session_needs_its_csrf_token(world):
    row = _response_row(world, world.ministry)
    client = signed_in(world.people["government_user"])
    client.handler.enforce_csrf_checks = True
    answer = _post(client, f"responses/{row.public_id}/record/", RECORD)
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["detail"]
    assert AddresseeResponse.objects.get(pk=row.pk).status == "pending"


# --- Implementation updates ---------------------------------------------------------------------


def _update(world, **fields):
    return {
        "recommendation": REFERENCE,
        "perspective": "self_report",
        "reporting_organization": str(world.ministry.public_id),
        "status": "implemented",
        "summary": "Every province trained.",
        **fields,
    }


def test_the_addressee_posts_a_self_report(world):
    answer = _post(world.client("government_user"), "implementation-updates/", _update(world))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    created = ImplementationUpdate.objects.get(public_id=body["id"])
    assert (created.perspective, created.status, created.addressee) == (
        "self_report",
        "implemented",
        world.ministry,
    )
    assert body["cycle"] == {"id": str(world.cycle.public_id), "name": "GSX 2027"}
    assert body["addressee"]["name"] == "Ministry of the Interior"
    world.published.refresh_from_db()
    assert world.published.self_status == "implemented"


def test_a_vetted_cso_posts_an_independent_assessment_by_id(world):
    body = _update(
        world,
        recommendation=str(world.published.public_id),
        perspective="independent_assessment",
        reporting_organization=str(world.cso.public_id),
        addressee=str(world.ministry.public_id),
        status="partially_implemented",
        evidence_links=["https://example.org/visit"],
    )
    answer = _post(world.client("cso_member"), "implementation-updates/", body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["evidence_links"] == ["https://example.org/visit"]
    world.published.refresh_from_db()
    assert world.published.independent_status == "partially_implemented"


SELF = "self_report"
INDEPENDENT = "independent_assessment"


@pytest.mark.parametrize(
    ("role", "perspective", "organization", "message"),
    [
        ("outsider", SELF, "ministry", "A self-report is posted by a member"),
        ("cso_member", SELF, "cso", "A self-report is posted by a member"),
        ("cso_member", SELF, "ministry", "A self-report is posted by a member"),
        ("government_user", INDEPENDENT, "ministry", "An independent assessment is posted"),
        ("outsider", INDEPENDENT, "cso", "An independent assessment is posted"),
        ("secretariat", SELF, "ministry", "A self-report is posted by a member"),
    ],
)
def test_who_may_not_post_which_perspective_gets_403(
    world, role, perspective, organization, message
):
    body = _update(
        world,
        perspective=perspective,
        reporting_organization=str(getattr(world, organization).public_id),
    )
    answer = _post(world.client(role), "implementation-updates/", body)
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith(message)
    assert ImplementationUpdate.objects.count() == 3


def test_a_cso_whose_vetting_lapsed_may_no_longer_assess(world):
    vet(world.cso, days=-1)
    body = _update(world, perspective=INDEPENDENT, reporting_organization=str(world.cso.public_id))
    answer = _post(world.client("cso_member"), "implementation-updates/", body)
    assert answer.status_code == 403
    assert ImplementationUpdate.objects.count() == 3


def test_a_member_who_left_may_no_longer_report(world):
    Membership.objects.filter(user=world.people["government_user"]).delete()
    answer = _post(world.client("government_user"), "implementation-updates/", _update(world))
    assert answer.status_code == 403
    assert ImplementationUpdate.objects.count() == 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recommendation": "PVE-ED-2026/PRG-1"}, "recommendation"),  # a draft, unknown here
        ({"recommendation": "not a reference!"}, "recommendation"),
        ({"reporting_organization": "not-a-uuid"}, "reporting_organization"),
        (
            {"reporting_organization": "00000000-0000-0000-0000-000000000000"},
            "reporting_organization",
        ),
        ({"status": "done"}, "status"),
        ({"perspective": "gossip"}, "perspective"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 5001}, "summary"),
        ({"reported_on": "yesterday"}, "reported_on"),
        ({"evidence_links": ["javascript:alert(1)"]}, "evidence_links"),
        ({"evidence_links": ["https://example.org"] * 21}, "evidence_links"),
    ],
)
def test_bad_updates_answer_400_on_the_field_and_write_nothing(world, fields, field):
    answer = _post(
        world.client("government_user"), "implementation-updates/", _update(world, **fields)
    )
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert ImplementationUpdate.objects.count() == 3


def test_an_assessment_about_an_organization_not_addressed_is_refused(world):
    body = _update(
        world,
        perspective=INDEPENDENT,
        reporting_organization=str(world.cso.public_id),
        addressee=str(world.cso.public_id),
    )
    answer = _post(world.client("cso_member"), "implementation-updates/", body)
    assert answer.status_code == 400
    assert answer.json() == {"addressee": ["Choose an organization it addresses."]}


def test_reading_tokens_and_anonymous_clients_cannot_post(world):
    read_only = _post(
        world.client("government_user", write=False), "implementation-updates/", _update(world)
    )
    assert read_only.status_code == 403
    assert _post(Client(), "implementation-updates/", _update(world)).status_code == 401
    assert ImplementationUpdate.objects.count() == 3


def test_the_secretariat_hides_an_update_with_a_reason(world):
    path = f"implementation-updates/{world.self_report.public_id}/hide/"
    client = world.client("secretariat")
    assert _post(client, path, {"reason": "  "}).json() == {
        "reason": ["This field may not be blank."]
    }
    answer = _post(client, path, {"reason": "Names an officer."})
    assert answer.status_code == 200
    assert answer.json()["hidden"]["reason"] == "Names an officer."
    world.published.refresh_from_db()
    assert world.published.self_status == ""
    again = _post(client, path, {"reason": "Twice."})
    assert again.status_code == 400
    assert again.json() == {"detail": ["This update is hidden already."]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("outsider", 403), ("government_user", 403), ("cso_member", 403)],
)
def test_only_the_secretariat_hides(world, role, expected):
    path = f"implementation-updates/{world.self_report.public_id}/hide/"
    answer = _post(world.client(role), path, {"reason": "Mine."})
    assert answer.status_code == expected
    assert ImplementationUpdate.objects.get(pk=world.self_report.pk).hidden_at is None
    hidden = f"implementation-updates/{world.hidden_update.public_id}/hide/"
    assert _post(world.client(role), hidden, {"reason": "x"}).status_code in (401, 404)


# --- Review cycles -------------------------------------------------------------------------------


def test_the_secretariat_closes_a_cycle_and_opens_the_next(world):
    client = world.client("secretariat")
    following = review_cycle_create(
        by=world.people["secretariat"],
        name="GSX 2028",
        convening=world.convening,
        opens_on=date(2028, 5, 1),
        closes_on=date(2028, 8, 1),
    )
    refused = _post(client, "review-cycles/gsx-2028/open/")
    assert refused.status_code == 400
    assert refused.json() == {"detail": ["Another cycle is open: close it first."]}
    closed = _post(client, f"review-cycles/{world.cycle.public_id}/close/")
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed" and closed.json()["closed_at"] is not None
    assert CycleSnapshot.objects.filter(cycle=world.cycle).count() == 4
    opened = _post(client, "review-cycles/gsx-2028/open/")
    assert opened.status_code == 200 and opened.json()["state"] == "open"
    following.refresh_from_db()
    assert following.state == CycleState.OPEN
    backwards = _post(client, "review-cycles/gsx-2027/open/")
    assert backwards.status_code == 400
    assert backwards.json() == {"detail": ["A cycle that is Closed cannot become Open."]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 401), ("outsider", 403), ("government_user", 403), ("cso_member", 403)],
)
def test_only_the_secretariat_opens_and_closes_cycles(world, role, expected):
    answer = _post(world.client(role), "review-cycles/gsx-2027/close/")
    assert answer.status_code == expected
    assert ReviewCycle.objects.get(pk=world.cycle.pk).state == CycleState.OPEN
    assert not CycleSnapshot.objects.exists()


# --- Follows ------------------------------------------------------------------------------------


def test_a_person_follows_a_recommendation_a_theme_and_a_group(world):
    client = world.client("outsider")
    first = _post(client, "follows/", {"recommendation": REFERENCE})
    assert first.status_code == 201
    assert first.json()["id"] == f"recommendation:{world.published.public_id}"
    assert first.json()["recommendation"]["reference"] == REFERENCE
    assert _post(client, "follows/", {"recommendation": REFERENCE}).status_code == 200
    assert _post(client, "follows/", {"theme": "community-policing"}).status_code == 201
    group = _post(client, "follows/", {"working_group": world.group.slug})
    assert group.status_code == 201
    assert group.json()["kind"] == "working_group"
    listed = client.get(f"{API}/follows/").json()["results"]
    assert {row["id"] for row in listed} == {
        f"recommendation:{world.published.public_id}",
        "theme:community-policing",
        f"working_group:{world.group.public_id}",
    }
    assert Follow.objects.filter(user=world.people["outsider"]).count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),
        ({"recommendation": REFERENCE, "theme": "community-policing"}, "non_field_errors"),
        ({"recommendation": "PVE-ED-2026/PRG-1"}, "recommendation"),  # a draft: unknown here
        ({"theme": "no-such-theme"}, "theme"),
        ({"working_group": "no-such-group"}, "working_group"),
    ],
)
def test_bad_follows_answer_400_and_follow_nothing(world, body, field):
    answer = _post(world.client("outsider"), "follows/", body)
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert not Follow.objects.exists()


def test_a_draft_cannot_be_followed_even_by_the_secretariat(world):
    answer = _post(world.client("secretariat"), "follows/", {"recommendation": "PVE-ED-2026/PRG-1"})
    assert answer.status_code == 400
    assert answer.json() == {"detail": ["Only published recommendations can be followed."]}


def test_another_persons_follow_is_not_found_and_stays(world):
    _post(world.client("cso_member"), "follows/", {"theme": "community-policing"})
    outsider = world.client("outsider")
    assert outsider.get(f"{API}/follows/theme:community-policing/").status_code == 404
    assert outsider.delete(f"{API}/follows/theme:community-policing/").status_code == 404
    assert outsider.get(f"{API}/follows/").json()["count"] == 0
    assert Follow.objects.filter(user=world.people["cso_member"]).count() == 1
    mine = world.client("cso_member")
    assert mine.delete(f"{API}/follows/theme:community-policing/").status_code == 204
    assert not Follow.objects.exists()


def test_follows_need_a_signed_in_caller_and_a_writing_token(world):
    assert Client().get(f"{API}/follows/").status_code == 401
    read_only = world.client("outsider", write=False)
    assert _post(read_only, "follows/", {"theme": "community-policing"}).status_code == 403
    assert not Follow.objects.exists()
