"""DESIGN.md §4, organization profiles: every role, through the pages and the API."""

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from organizations.models import VettingStatus
from tests.conftest import reauthenticated, signed_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.organizations.conftest import vetting_approved, vetting_rate_all, vetting_submitted

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
# Which tiers each kind of user sees (restricted: only members and the secretariat).
EXPECTED = {
    ANONYMOUS: {"public"},
    "outsider": {"public", "network"},
    "cso_member": {"public", "network"},
    "enrolled_government_user": {"public", "network"},
    "restricted_member": {"public", "network", "restricted"},
    "enrolled_reviewer": {"public", "network", "restricted"},
}


@pytest.fixture(params=sorted(EXPECTED))
def viewer(request, directory):
    if request.param == ANONYMOUS:
        return request.param, Client()
    return request.param, signed_in(request.getfixturevalue(request.param))


def test_directory_page_lists_exactly_what_the_viewer_may_see(viewer, directory, ministry):
    role, client = viewer
    body = client.get(reverse("organizations:directory")).content.decode()
    shown = {tier for tier, org in directory.items() if org.name in body}
    assert shown == EXPECTED[role]


def test_detail_page_answers_404_for_what_the_viewer_may_not_see(viewer, directory):
    role, client = viewer
    for tier, organization in directory.items():
        response = client.get(reverse("organizations:detail", args=[organization.slug]))
        expected = 200 if tier in EXPECTED[role] else 404
        assert response.status_code == expected, (role, tier)


def test_api_list_returns_exactly_what_the_viewer_may_see(viewer, directory):
    role, client = viewer
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    expected = {str(directory[tier].public_id) for tier in EXPECTED[role]}
    others = {str(org.public_id) for org in directory.values()}
    assert ids & others == expected


def test_api_detail_answers_404_for_what_the_viewer_may_not_see(viewer, directory):
    role, client = viewer
    for tier, organization in directory.items():
        response = client.get(f"/api/v1/organizations/{organization.public_id}/")
        assert response.status_code == (200 if tier in EXPECTED[role] else 404), (role, tier)


def test_restricted_profile_cannot_be_changed_by_an_outsider_and_stays_unchanged(
    outsider, restricted_cso
):
    client = signed_in(outsider)
    page = client.post(
        reverse("organizations:edit", args=[restricted_cso.slug]),
        {"name": "Taken over", "sector": "civil_society"},
    )
    assert page.status_code == 404
    api = client.patch(
        f"/api/v1/organizations/{restricted_cso.public_id}/",
        {"name": "Taken over"},
        content_type="application/json",
    )
    assert api.status_code == 404
    restricted_cso.refresh_from_db()
    assert restricted_cso.name == "شبكة الشباب للسلام"


def test_visible_profile_answers_403_to_a_non_editor_and_stays_unchanged(
    outsider, cso_member, network_cso
):
    for user in (outsider, cso_member):
        client = signed_in(user)
        page = client.post(
            reverse("organizations:edit", args=[network_cso.slug]),
            {"name": "Renamed", "sector": "civil_society"},
        )
        assert page.status_code == 403
        api = client.patch(
            f"/api/v1/organizations/{network_cso.public_id}/",
            {"name": "Renamed"},
            content_type="application/json",
        )
        assert api.status_code == 403
    network_cso.refresh_from_db()
    assert network_cso.name == "Coastal Youth Forum"


def test_a_malformed_id_in_the_api_is_a_404():
    assert Client().get("/api/v1/organizations/not-a-uuid/").status_code == 404
    assert (
        Client().get("/api/v1/organizations/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


# Vetting states (issue 6, item 7): outsiders learn "vetted until <date>" or nothing; the raw
# state of an application is for the organization's members and the secretariat.
VETTED_STATES = {"approved", "revetting"}
RAW_STATUS = {
    "none": "",
    "draft": "draft",
    "submitted": "submitted",
    "in_review": "in_review",
    "changes_requested": "changes_requested",
    "declined": "declined",
    "expired": "expired",
    "lapsed": "approved",  # past its validity, not yet swept: no longer vetted
    "approved": "approved",
    "revetting": "draft",  # a valid approval, and a new application started
}
SEES_RAW = {"vetting_member", "enrolled_reviewer"}
ROLES = [ANONYMOUS, "outsider", "enrolled_government_user", "vetting_member", "enrolled_reviewer"]


@pytest.fixture
def vetting_member(db):
    return UserFactory(email="vera@states.example")


@pytest.fixture
def vetting_states(vetting_member, enrolled_reviewer, second_reviewer):
    """One public civil society organization per vetting state, all run by ``vetting_member``."""
    from organizations.models import VettingStatus
    from organizations.services import vetting_expire_due, vetting_set_state, vetting_start

    def organization(state):
        org = OrganizationFactory(
            name=f"State {state}", slug=f"state-{state}", visibility_tier="public"
        )
        MembershipFactory(organization=org, user=vetting_member, role="admin")
        return org

    orgs = {state: organization(state) for state in RAW_STATUS}
    reviewers = (enrolled_reviewer, second_reviewer)
    with time_machine.travel(timezone.now() - relativedelta(months=25)):
        vetting_approved(vetting_submitted(orgs["expired"], vetting_member), *reviewers)
    vetting_expire_due(timezone.now())
    with time_machine.travel(timezone.now() - relativedelta(months=25)):
        vetting_approved(vetting_submitted(orgs["lapsed"], vetting_member), *reviewers)
    vetting_start(organization=orgs["draft"], by=vetting_member)
    vetting_submitted(orgs["submitted"], vetting_member)
    vetting_rate_all(vetting_submitted(orgs["in_review"], vetting_member), enrolled_reviewer)
    for state, message in (("changes_requested", "More, please."), ("declined", "No.")):
        vetting_set_state(
            application=vetting_submitted(orgs[state], vetting_member),
            to=state,
            by=enrolled_reviewer,
            message=message,
        )
    vetting_approved(vetting_submitted(orgs["approved"], vetting_member), *reviewers)
    vetting_approved(vetting_submitted(orgs["revetting"], vetting_member), *reviewers)
    vetting_start(organization=orgs["revetting"], by=vetting_member)
    for org in orgs.values():
        org.refresh_from_db()
    assert orgs["lapsed"].vetting_applications.get().status == VettingStatus.APPROVED
    return orgs


@pytest.fixture(params=ROLES)
def vetting_viewer(request, vetting_states):
    if request.param == ANONYMOUS:
        return request.param, Client()
    return request.param, signed_in(request.getfixturevalue(request.param))


def _state_rows(results, orgs):
    by_id = {str(org.public_id): state for state, org in orgs.items()}
    return {by_id[row["id"]]: row for row in results if row["id"] in by_id}


def _api_says_vetted_until_to_everyone_and_the_raw_state_to_members_only(
    vetting_viewer, vetting_states
):
    role, client = vetting_viewer
    rows = _state_rows(client.get("/api/v1/organizations/").json()["results"], vetting_states)
    assert set(rows) == set(RAW_STATUS)
    for state, row in rows.items():
        until = vetting_states[state].vetted_until
        expected = until.isoformat().replace("+00:00", "Z") if state in VETTED_STATES else None
        assert row["vetted_until"] == expected, (role, state)
        assert row["vetting_status"] == (RAW_STATUS[state] if role in SEES_RAW else None)
        detail = client.get(f"/api/v1/organizations/{row['id']}/").json()
        assert (detail["vetted_until"], detail["vetting_status"]) == (
            row["vetted_until"],
            row["vetting_status"],
        )


def _api_filters_vetted_for_everyone(vetting_viewer, vetting_states):
    role, client = vetting_viewer
    for value, expected in (("true", VETTED_STATES), ("false", set(RAW_STATUS) - VETTED_STATES)):
        response = client.get(f"/api/v1/organizations/?vetted={value}")
        assert set(_state_rows(response.json()["results"], vetting_states)) == expected, role


def _api_filters_by_raw_vetting_status_for_the_secretariat_only(vetting_viewer, vetting_states):
    role, client = vetting_viewer
    response = client.get("/api/v1/organizations/?vetting_status=declined")
    if role == "enrolled_reviewer":
        assert set(_state_rows(response.json()["results"], vetting_states)) == {"declined"}
    else:
        assert response.status_code == 400
        assert response.json() == {
            "vetting_status": [
                "Only the secretariat can filter by vetting status; use vetted=true or "
                "vetted=false."
            ]
        }


def _directory_page_shows_the_vetted_badge_and_no_raw_state(vetting_viewer, vetting_states):
    import re

    role, client = vetting_viewer
    body = client.get(reverse("organizations:directory")).content.decode()
    for state in vetting_states:
        row = re.search(rf'state-{state}/">.*?</li>', body, re.S).group(0)
        assert ("Vetted until" in row) == (state in VETTED_STATES), (role, state)
    assert ('name="vetting_status"' in body) == (role == "enrolled_reviewer")
    for label in ("Declined", "Changes requested", "In review", "Submitted", "Draft"):
        assert (label in body) == (role == "enrolled_reviewer"), (role, label)
    vetted = client.get(reverse("organizations:directory") + "?vetted=true").content.decode()
    assert {s for s in RAW_STATUS if f"state-{s}/" in vetted} == VETTED_STATES
    refused = client.get(reverse("organizations:directory") + "?vetting_status=declined")
    listed = {s for s in RAW_STATUS if f"state-{s}/" in refused.content.decode()}
    assert listed == ({"declined"} if role == "enrolled_reviewer" else set(RAW_STATUS))


def _profile_page_shows_vetted_until_or_nothing(vetting_viewer, vetting_states):
    role, client = vetting_viewer
    for state, org in vetting_states.items():
        body = client.get(reverse("organizations:detail", args=[org.slug])).content.decode()
        date = formats.date_format(org.vetted_until, "DATE_FORMAT") if org.vetted_until else None
        assert ("Vetted until" in body) == (state in VETTED_STATES), (role, state)
        if state in VETTED_STATES:
            assert f"Vetted until {date}" in body
        for label in ("Declined", "Changes requested", "In review", "Expired"):
            assert label not in body, (role, state, label)


def test_export_says_vetted_until_to_everyone_and_the_raw_state_to_members_only(
    vetting_viewer, vetting_states
):
    import csv
    import io

    role, client = vetting_viewer
    if role == ANONYMOUS:
        assert client.get(reverse("organizations:export")).status_code == 302
        return
    response = reauthenticated(client).get(reverse("organizations:export"))
    text = b"".join(response.streaming_content).decode()
    rows = {row["Name"]: row for row in csv.DictReader(io.StringIO(text))}
    for state, org in vetting_states.items():
        row = rows[org.name]
        until = org.vetted_until.date().isoformat() if state in VETTED_STATES else ""
        assert row["vetted_until_date"] == until, (role, state)
        assert row["vetting_status_code"] == (RAW_STATUS[state] if role in SEES_RAW else "")
        assert row["Vetting status"] == (
            str(VettingStatus(RAW_STATUS[state]).label)
            if role in SEES_RAW and RAW_STATUS[state]
            else ""
        )
    refused = client.get(reverse("organizations:export") + "?vetting_status=declined")
    assert refused.status_code == (200 if role == "enrolled_reviewer" else 400)


# One world per role, several checks each: building the ten vetting states is the slow part.
def test_api_vetting_field_and_filters_per_role(vetting_viewer, vetting_states):
    _api_says_vetted_until_to_everyone_and_the_raw_state_to_members_only(
        vetting_viewer, vetting_states
    )
    _api_filters_vetted_for_everyone(vetting_viewer, vetting_states)
    _api_filters_by_raw_vetting_status_for_the_secretariat_only(vetting_viewer, vetting_states)


def test_pages_show_vetted_until_or_nothing_per_role(vetting_viewer, vetting_states):
    _directory_page_shows_the_vetted_badge_and_no_raw_state(vetting_viewer, vetting_states)
    _profile_page_shows_vetted_until_or_nothing(vetting_viewer, vetting_states)


@pytest.fixture
def held_public(db):
    from tests.factories import MembershipFactory, OrganizationFactory

    organization = OrganizationFactory(
        name="Held Look-alike", visibility_tier="public", held_for_review=True
    )
    MembershipFactory(organization=organization, user__email="holder@held.example")
    return organization


def test_a_held_organization_is_seen_like_any_other_of_its_tier(viewer, held_public):
    # Hiding it would tell its registrant, from a second account, that a hidden look-alike exists.
    _role, client = viewer
    assert client.get(reverse("organizations:detail", args=[held_public.slug])).status_code == 200
    assert client.get(f"/api/v1/organizations/{held_public.public_id}/").status_code == 200
    assert "Held Look-alike" in client.get(reverse("organizations:directory")).content.decode()
    member = held_public.memberships.get().user
    assert (
        signed_in(member).get(f"/api/v1/organizations/{held_public.public_id}/").status_code == 200
    )
