"""The recommendations API, read by each role: recommendations (by id and by reference, drafts
for the secretariat), source documents, responses, implementation updates (hidden ones for the
secretariat, with the reason), review cycles and their snapshot; organizations the reader may
not see named without their id; never a serial id."""

import json
import re

import pytest
from django.test import Client

from recommendations.models import CycleState
from recommendations.services import review_cycle_transition
from tests.conftest import signed_in
from tests.recommendations.api_world import API, HIDDEN, REFERENCE, ROLES, make_world


@pytest.fixture
def world(reviewer, outsider, cso_member, government_user, working_group):
    return make_world(
        secretariat=reviewer,
        outsider=outsider,
        cso_member=cso_member,
        government_user=government_user,
        working_group=working_group,
    )


def _get(client, path, **params):
    return client.get(f"{API}/{path}", params)


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Recommendations -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_recommendations_it_may_see(world, role):
    rows = _results(_get(world.client(role), "recommendations/"))
    references = [row["reference"] for row in rows]
    expected = ["PVE-CP-2017/POL-2a", "PVE-CP-2017/POL-2b"]
    if role == "secretariat":
        expected.append("PVE-ED-2026/PRG-1")
    assert references == expected


def test_a_recommendation_in_the_list_carries_its_statuses_responses_themes_and_links(world):
    row = _results(_get(Client(), "recommendations/"))[0]
    key = str(world.published.public_id)
    assert row["id"] == key
    assert (row["reference"], row["section"], row["published"]) == (REFERENCE, "policy", True)
    assert row["parent"] is None
    assert row["source"] == {
        "id": str(world.source.public_id),
        "title": "Security interventions and community policing",
        "kind": "brief",
        "published_on": "2017-03-01",
    }
    assert row["themes"] == ["community-policing"]
    assert row["addressee_types"] == ["governments", "security_sector"]
    assert row["countries"] == ["NG"]
    # The hidden assessment (not started) never counts: the stalled one is the latest visible.
    assert row["status"] == {"self_report": "in_progress", "independent_assessment": "stalled"}
    assert row["responses"] == {"pending": 2, "supported": 0, "noted": 0, "not_supported": 0}
    assert row["links"] == {
        "page": f"/recommendations/{key}/",
        "self": f"/api/v1/recommendations/{key}/",
        "responses": f"/api/v1/responses/?recommendation={key}",
        "updates": f"/api/v1/implementation-updates/?recommendation={key}",
        "source": f"/api/v1/source-documents/{world.source.public_id}/",
    }


def test_a_recommendation_is_found_by_its_id_and_by_its_reference(world):
    client = Client()
    by_id = _get(client, f"recommendations/{world.published.public_id}/")
    by_reference = _get(client, f"recommendations/{REFERENCE}/")
    assert by_id.status_code == by_reference.status_code == 200
    assert by_id.json() == by_reference.json()
    body = by_id.json()
    assert body["sub_points"] == ["PVE-CP-2017/POL-2b"] and body["repeats"] == []
    sub_point = _get(client, "recommendations/PVE-CP-2017/POL-2b/").json()
    assert sub_point["parent"] == REFERENCE
    assert _get(client, "recommendations/NO-SUCH-REF/").status_code == 404
    assert _get(client, "recommendations/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_found_by_the_secretariat_only(world, role):
    client = world.client(role)
    by_id = _get(client, f"recommendations/{world.draft.public_id}/")
    by_reference = _get(client, "recommendations/PVE-ED-2026/PRG-1/")
    expected = 200 if role == "secretariat" else 404
    assert by_id.status_code == by_reference.status_code == expected
    if role == "secretariat":
        assert by_id.json()["published"] is False


@pytest.mark.parametrize(
    ("role", "at_risk_named"),
    [("anonymous", False), ("outsider", False), ("government_user", False), ("secretariat", True)],
)
def test_addressees_the_reader_may_not_see_are_named_without_their_id(world, role, at_risk_named):
    body = _get(world.client(role), f"recommendations/{REFERENCE}/").json()
    named = {a["organization"]["name"]: a["organization"]["id"] for a in body["addressees"]}
    ministry = {"Ministry of the Interior": str(world.ministry.public_id)}
    if at_risk_named:
        assert named == {**ministry, "Quiet Shelter Network": str(world.at_risk.public_id)}
    else:
        assert named == {**ministry, HIDDEN: None}
        assert str(world.at_risk.public_id) not in json.dumps(body)


def test_a_member_of_the_organization_at_risk_sees_its_name(world):
    body = _get(world.client("at_risk_member"), f"recommendations/{REFERENCE}/").json()
    assert {a["organization"]["name"] for a in body["addressees"]} == {
        "Ministry of the Interior",
        "Quiet Shelter Network",
    }


def test_no_serial_id_is_ever_shown(world):
    client = world.client("secretariat")
    paths = [
        "recommendations/",
        f"recommendations/{REFERENCE}/",
        "source-documents/",
        "responses/",
        "implementation-updates/",
        "review-cycles/",
        f"review-cycles/{world.cycle.public_id}/",
    ]
    for path in paths:
        text = _get(client, path).content.decode()
        assert not re.search(r'"(id|pk|update|recommendation|cycle)": ?\d+[,}]', text), path


# --- Source documents -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_sources_it_may_see(world, role):
    titles = [row["title"] for row in _results(_get(world.client(role), "source-documents/"))]
    expected = ["Security interventions and community policing"]
    if role == "secretariat":
        expected = ["Draft brief", *expected]
    assert titles == expected
    draft = _get(world.client(role), f"source-documents/{world.draft_source.public_id}/")
    assert draft.status_code == (200 if role == "secretariat" else 404)


def test_a_source_names_its_publishers_group_and_recommendations(world):
    body = _get(world.client("outsider"), f"source-documents/{world.source.public_id}/").json()
    assert body["publishers"] == [
        {"id": str(world.cso.public_id), "name": "Coastal Youth Forum"},
        {"id": None, "name": HIDDEN},
    ]
    assert body["working_group"] == {
        "id": str(world.group.public_id),
        "slug": world.group.slug,
        "name": world.group.name,
    }
    assert body["meeting"] is None
    assert body["recommendations"] == f"/api/v1/recommendations/?source={world.source.public_id}"
    assert body["page"] == f"/recommendations/sources/{world.source.public_id}/"
    anonymous = _get(Client(), f"source-documents/{world.source.public_id}/").json()
    # The CSO's profile is for the network: anonymous clients do not see its name either.
    assert anonymous["publishers"] == [{"id": None, "name": HIDDEN}, {"id": None, "name": HIDDEN}]


# --- Responses --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_responses_of_what_it_may_see(world, role):
    rows = _results(_get(world.client(role), "responses/"))
    seen = [(row["recommendation"]["reference"], row["organization"]["name"]) for row in rows]
    at_risk = "Quiet Shelter Network" if role == "secretariat" else HIDDEN
    expected = [(REFERENCE, "Ministry of the Interior"), (REFERENCE, at_risk)]
    if role == "secretariat":
        expected = [*sorted(expected), ("PVE-ED-2026/PRG-1", "Ministry of the Interior")]
        seen = sorted(seen[:2]) + seen[2:]
    assert seen == expected
    assert {row["status"] for row in rows} == {"pending"}


def test_responses_filter_by_recommendation_and_organization(world):
    client = world.client("outsider")
    by_reference = _results(_get(client, "responses/", recommendation=REFERENCE))
    by_id = _results(_get(client, "responses/", recommendation=str(world.published.public_id)))
    assert len(by_reference) == len(by_id) == 2
    ministry = _results(_get(client, "responses/", organization=str(world.ministry.public_id)))
    assert [row["organization"]["name"] for row in ministry] == ["Ministry of the Interior"]
    # The id of an organization the reader may not see picks out nothing.
    assert _results(_get(client, "responses/", organization=str(world.at_risk.public_id))) == []
    secretariat = world.client("secretariat")
    at_risk = str(world.at_risk.public_id)
    assert len(_results(_get(secretariat, "responses/", organization=at_risk))) == 1
    assert _results(_get(client, "responses/", recommendation="PVE-ED-2026/PRG-1")) == []


# --- Implementation updates -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_hidden_updates_are_for_the_secretariat_only_with_the_reason(world, role):
    rows = _results(_get(world.client(role), "implementation-updates/"))
    summaries = [row["summary"] for row in rows]
    visible = ["No training seen in the provinces we work in.", "Training began in two provinces."]
    hidden_path = f"implementation-updates/{world.hidden_update.public_id}/"
    if role == "secretariat":
        assert summaries == ["An officer in the district refused to meet us.", *visible]
        assert rows[0]["hidden"]["reason"] == "Names a person at risk."
        assert rows[1]["hidden"] is None
        assert _get(world.client(role), hidden_path).status_code == 200
    else:
        assert summaries == visible
        assert all(row["hidden"] is None for row in rows)
        assert _get(world.client(role), hidden_path).status_code == 404


def test_an_update_names_its_organizations_cycle_and_recommendation(world):
    body = _get(Client(), f"implementation-updates/{world.assessment.public_id}/").json()
    assert body == {
        "id": str(world.assessment.public_id),
        "recommendation": {
            "id": str(world.published.public_id),
            "reference": REFERENCE,
            "title": "Make community policing the ethos of prevention",
        },
        "perspective": "independent_assessment",
        "status": "stalled",
        "summary": "No training seen in the provinces we work in.",
        "evidence_links": ["https://example.org/report"],
        "reported_on": "2026-10-02",
        "reporting_organization": {"id": None, "name": HIDDEN},  # network profile: anonymous
        "addressee": {"id": str(world.ministry.public_id), "name": "Ministry of the Interior"},
        "cycle": {"id": str(world.cycle.public_id), "name": "GSX 2027"},
        "hidden": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    path = f"implementation-updates/{world.assessment.public_id}/"
    signed = _get(signed_in(world.people["outsider"]), path)
    assert signed.json()["reporting_organization"]["name"] == "Coastal Youth Forum"


# --- Review cycles ------------------------------------------------------------------------------


def test_review_cycles_are_read_by_anyone_by_id_or_by_slug(world):
    client = Client()
    rows = _results(_get(client, "review-cycles/"))
    assert [(row["name"], row["slug"], row["state"]) for row in rows] == [
        ("GSX 2027", "gsx-2027", "open")
    ]
    by_slug = _get(client, "review-cycles/gsx-2027/")
    by_id = _get(client, f"review-cycles/{world.cycle.public_id}/")
    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.json() == by_id.json()
    assert by_id.json()["convening"]["title"] == "GSX 2027"
    assert (by_id.json()["opens_on"], by_id.json()["closes_on"]) == ("2027-05-01", "2027-08-24")
    assert _get(client, "review-cycles/gsx-2099/").status_code == 404


def test_the_snapshot_is_empty_until_the_cycle_closes_then_frozen(world):
    client = world.client("outsider")
    path = "review-cycles/gsx-2027/snapshot/"
    empty = _get(client, path).json()
    assert (empty["count"], empty["results"]) == (0, [])
    review_cycle_transition(cycle=world.cycle, to=CycleState.CLOSED, by=world.people["secretariat"])
    rows = _results(_get(client, path))
    assert rows == [
        {
            "reference": REFERENCE,
            "recommendation": str(world.published.public_id),
            "perspective": "independent_assessment",
            "status": "stalled",
            "update": str(world.assessment.public_id),
        },
        {
            "reference": REFERENCE,
            "recommendation": str(world.published.public_id),
            "perspective": "self_report",
            "status": "in_progress",
            "update": str(world.self_report.public_id),
        },
        {
            "reference": "PVE-CP-2017/POL-2b",
            "recommendation": str(world.sub_point.public_id),
            "perspective": "independent_assessment",
            "status": "",
            "update": None,
        },
        {
            "reference": "PVE-CP-2017/POL-2b",
            "recommendation": str(world.sub_point.public_id),
            "perspective": "self_report",
            "status": "",
            "update": None,
        },
    ]
    only_self = _results(_get(client, path, perspective="self_report"))
    assert [row["status"] for row in only_self] == ["in_progress", ""]
