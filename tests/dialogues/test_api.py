"""The dialogues API (/api/v1/working-groups, meetings, participations, action-points): what each
role reads, the workflow actions with their refusals, the filters and their bad values, query
counts and the schema."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dialogues.models import (
    ActionPoint,
    AgendaItem,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
)
from dialogues.selectors import action_points_visible_to, agenda_of
from dialogues.services import action_point_add, participation_invite, working_group_create
from organizations.models import Membership
from tests.conftest import bearer, enrol_totp, signed_in
from tests.dialogues.conftest import SOON, new_meeting
from tests.dialogues.world import ROLES, make_world
from tests.factories import MembershipFactory, OrganizationFactory

S = MeetingStatus
API = "/api/v1"


@pytest.fixture
def world(enrolled_reviewer, wg_convener, working_group):
    return make_world(
        secretariat=enrolled_reviewer, wg_convener=wg_convener, working_group=working_group
    )


def _get(client, path, **params):
    return client.get(f"{API}/{path}", params)


def _post(client, path, body=None):
    return client.post(f"{API}/{path}", json.dumps(body or {}), content_type="application/json")


def _titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def _meeting_url(meeting, action=""):
    return f"meetings/{meeting.public_id}/" + (f"{action}/" if action else "")


# --- Reading meetings ---------------------------------------------------------------------

MEETINGS_SEEN = {
    "anonymous": {"Outreach in Amman"},
    "outsider": {"Budgets for prevention", "Outreach in Amman"},
    "invited": {"Budgets for prevention", "Outreach in Amman"},
    "accepted": {"Budgets for prevention", "Outreach in Amman"},
    "convener": {"Budgets for prevention", "Outreach in Amman", "Draft on narratives"},
    "other_convener": {"Budgets for prevention", "Outreach in Amman"},
    "secretariat": {"Budgets for prevention", "Outreach in Amman", "Draft on narratives"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_meetings_it_may_see(world, role):
    response = _get(world.client(role), "meetings/")
    assert _titles(response) == MEETINGS_SEEN[role]
    assert response.json()["count"] == len(MEETINGS_SEEN[role])


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_not_found_but_by_who_manages_it(world, role):
    client = world.client(role)
    detail = _get(client, _meeting_url(world.draft))
    agenda = _get(client, _meeting_url(world.draft, "agenda"))
    if role in ("convener", "secretariat"):
        assert detail.status_code == agenda.status_code == 200
        assert [item["title"] for item in agenda.json()] == ["Opening of Draft on narratives"]
        assert detail.json()["may_manage"] is True
    else:
        assert detail.status_code == agenda.status_code == 404


def test_anonymous_clients_read_public_events_only_without_the_venue(world):
    client = Client()
    public = _get(client, _meeting_url(world.public))
    assert public.status_code == 200
    body = public.json()
    assert (body["title"], body["city"], body["country"]) == ("Outreach in Amman", "Amman", "JO")
    assert body["venue"] is None and body["join_url"] is None
    assert body["my_participation"] is None and body["may_manage"] is False
    assert _get(client, _meeting_url(world.meeting)).status_code == 404
    assert _get(bearer(world.people["outsider"]), _meeting_url(world.public)).json()["venue"] == (
        "Community hall, Jabal Amman"
    )


JOIN_LINK_SEEN = {"accepted", "convener", "secretariat"}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_meeting_detail_by_role(world, role):
    body = _get(world.client(role), _meeting_url(world.meeting)).json()
    assert body["id"] == str(world.meeting.public_id)
    assert body["working_group"] == {
        "id": str(world.group.public_id),
        "slug": "security-interventions",
        "name": "Security Interventions",
    }
    assert body["venue"] == "Room 4, Transcorp Hilton"
    assert body["starts_at"] == world.meeting.starts_at.isoformat().replace("+00:00", "Z")
    assert body["visa_deadline"] == world.meeting.visa_deadline.isoformat()
    expected_link = "https://meet.example/room-4" if role in JOIN_LINK_SEEN else None
    assert body["join_url"] == expected_link
    assert [item["title"] for item in body["agenda"]] == ["Opening of Budgets for prevention"]
    mine = body["my_participation"]
    assert (mine and mine["status"]) == {"invited": "invited", "accepted": "accepted"}.get(role)
    assert body["may_manage"] is (role in ("convener", "secretariat"))
    text = json.dumps(body)
    for secret in ("passport", "rsvp_token", "visa_details", "token_hash"):
        assert secret not in text


def test_the_agenda_endpoint_lists_published_items_in_order(world):
    AgendaItem.objects.create(meeting=world.meeting, position=0, title="Welcome")
    items = _get(bearer(world.people["outsider"]), _meeting_url(world.meeting, "agenda")).json()
    assert [(item["position"], item["title"]) for item in items] == [
        (0, "Welcome"),
        (1, "Opening of Budgets for prevention"),
    ]
    assert set(items[0]) == {
        "id",
        "position",
        "kind",
        "title",
        "description",
        "theme",
        "starts_at",
        "ends_at",
    }


def test_a_draft_agenda_is_for_its_managers_only(world):
    # The selector itself, for a reader who could be handed a draft (the API and page never do).
    assert list(agenda_of(world.draft, world.people["outsider"])) == []
    assert [i.title for i in agenda_of(world.draft, world.people["convener"])] == [
        "Opening of Draft on narratives"
    ]


def test_the_cancellation_reason_is_for_the_invited_and_the_conveners(world):
    _post(
        bearer(world.people["convener"]),
        _meeting_url(world.meeting, "transition"),
        {"to": "cancelled", "reason": "The venue closed."},
    )
    for role, reason in [
        ("invited", "The venue closed."),
        ("convener", "The venue closed."),
        ("outsider", None),
        ("other_convener", None),
    ]:
        body = _get(world.client(role), _meeting_url(world.meeting)).json()
        assert (body["status"], body["cancellation_reason"]) == ("cancelled", reason)
    # And the join link goes with the meeting.
    assert _get(world.client("accepted"), _meeting_url(world.meeting)).json()["join_url"] is None


def test_host_organizations_are_named_where_the_reader_may_see_them(world):
    world.meeting.host_organizations.set([world.cso, world.at_risk])

    def hosts(role):
        body = _get(world.client(role), _meeting_url(world.meeting)).json()
        return [h["name"] for h in body["host_organizations"]]

    assert hosts("outsider") == ["Sahel Women Mediators"]
    assert hosts("at_risk_member") == ["Quiet Shelter Network", "Sahel Women Mediators"]
    assert hosts("secretariat") == ["Quiet Shelter Network", "Sahel Women Mediators"]


# --- Working groups -------------------------------------------------------------------------


@pytest.fixture
def inactive_group(world, enrolled_reviewer):
    group = working_group_create(
        by=enrolled_reviewer,
        name="Dormant Group",
        slug="dormant-group",
        conveners=[world.people["other_convener"]],
        convening_organizations=[world.cso, world.at_risk],
        active=False,
    )
    return group


GROUPS_SEEN = {
    "anonymous": {"Security Interventions", "Macroeconomic Policy"},
    "other_convener": {"Security Interventions", "Macroeconomic Policy", "Dormant Group"},
    "secretariat": {"Security Interventions", "Macroeconomic Policy", "Dormant Group"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_working_groups_it_may_see(world, inactive_group, role):
    client = world.client(role)
    response = _get(client, "working-groups/")
    assert response.status_code == 200
    expected = GROUPS_SEEN.get(role, GROUPS_SEEN["anonymous"])
    assert {row["name"] for row in response.json()["results"]} == expected
    detail = _get(client, f"working-groups/{inactive_group.public_id}/")
    assert detail.status_code == (200 if "Dormant Group" in expected else 404)


def test_a_working_group_names_the_convening_organizations_the_reader_may_see(
    world, inactive_group
):
    path = f"working-groups/{inactive_group.public_id}/"
    body = _get(world.client("secretariat"), path).json()
    assert [o["name"] for o in body["convening_organizations"]] == [
        "Quiet Shelter Network",
        "Sahel Women Mediators",
    ]
    assert _get(world.client("other_convener"), path).json()["convening_organizations"] == [
        {"id": str(world.cso.public_id), "name": "Sahel Women Mediators"}
    ]
    assert (body["slug"], body["active"]) == ("dormant-group", False)


def test_working_groups_filter_by_active_and_updated_since(world, inactive_group):
    client = world.client("secretariat")
    names = [r["name"] for r in _get(client, "working-groups/", active="false").json()["results"]]
    assert names == ["Dormant Group"]
    future = _get(client, "working-groups/", updated_since="2999-01-01T00:00:00Z")
    assert future.json()["count"] == 0
    bad = _get(client, "working-groups/", updated_since="yesterday")
    assert bad.status_code == 400 and "updated_since" in bad.json()


# --- Participations -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_person_lists_their_own_invitations_only(world, role):
    response = _get(world.client(role), "participations/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    rows = response.json()["results"]
    expected = {"invited": ["invited"], "accepted": ["accepted"]}.get(role, [])
    assert [row["status"] for row in rows] == expected
    for row in rows:
        assert row["meeting"]["title"] == "Budgets for prevention"
        assert row["organization"] == {
            "id": str(world.cso.public_id),
            "name": "Sahel Women Mediators",
        }
        assert set(row) == {
            "id",
            "meeting",
            "organization",
            "status",
            "needs_visa",
            "invited_at",
            "responded_at",
            "updated_at",
        }


def test_another_persons_invitation_is_not_found(world):
    theirs = Participation.objects.get(user=world.people["accepted"])
    path = f"participations/{theirs.public_id}/"
    assert _get(world.client("invited"), path).status_code == 404
    assert _get(world.client("convener"), path).status_code == 404
    mine = _get(world.client("accepted"), path)
    assert mine.status_code == 200 and mine.json()["status"] == "accepted"


def test_participations_filter_by_status(world):
    client = world.client("accepted")
    assert _get(client, "participations/", status="accepted").json()["count"] == 1
    assert _get(client, "participations/", status="declined").json()["count"] == 0
    bad = _get(client, "participations/", status="maybe")
    assert bad.status_code == 400 and "status" in bad.json()


# --- Action points --------------------------------------------------------------------------

POINTS_SEEN = {
    "outsider": {"Share the shelter's budget model", "Draft the joint statement"},
    "convener": {"Share the shelter's budget model", "Draft the joint statement", "Book the room"},
    "secretariat": {
        "Share the shelter's budget model",
        "Draft the joint statement",
        "Book the room",
    },
}
NAMES_THE_AT_RISK = {"convener", "secretariat", "at_risk_member"}


@pytest.mark.parametrize("role", [*ROLES, "at_risk_member"])
def test_action_points_by_role_with_restricted_organizations_unnamed(world, role):
    response = _get(world.client(role), "action-points/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    rows = response.json()["results"]
    assert {row["text"] for row in rows} == POINTS_SEEN.get(role, POINTS_SEEN["outsider"])
    responsible = {row["text"]: row["responsible_organization"] for row in rows}
    assert responsible["Draft the joint statement"] == {
        "id": str(world.cso.public_id),
        "name": "Sahel Women Mediators",
    }
    at_risk = responsible["Share the shelter's budget model"]
    if role in NAMES_THE_AT_RISK:
        assert at_risk == {"id": str(world.at_risk.public_id), "name": "Quiet Shelter Network"}
    else:
        assert at_risk is None
    detail = _get(world.client(role), f"action-points/{world.at_risk_point.public_id}/")
    assert detail.json()["responsible_organization"] == at_risk
    assert "Quiet Shelter" not in detail.content.decode() or role in NAMES_THE_AT_RISK


def test_an_action_point_of_a_draft_is_not_found_by_others(world):
    point = ActionPoint.objects.get(text="Book the room")
    path = f"action-points/{point.public_id}/"
    assert _get(world.client("outsider"), path).status_code == 404
    assert _get(world.client("other_convener"), path).status_code == 404
    assert _get(world.client("convener"), path).json()["meeting"]["status"] == "draft"


def test_a_restricted_organizations_id_does_not_pick_out_its_action_points(world):
    query = {"responsible_organization": str(world.at_risk.public_id)}
    assert _get(world.client("outsider"), "action-points/", **query).json()["count"] == 0
    seen = _get(world.client("at_risk_member"), "action-points/", **query).json()["results"]
    assert [row["text"] for row in seen] == ["Share the shelter's budget model"]


def test_action_points_filters(world):
    client = world.client("convener")

    def texts(**params):
        response = _get(client, "action-points/", **params)
        assert response.status_code == 200, response.content
        return [row["text"] for row in response.json()["results"]]

    # Soonest due first, those without a date last.
    assert texts() == [
        "Draft the joint statement",
        "Share the shelter's budget model",
        "Book the room",
    ]
    assert texts(due_before="2031-03-01") == ["Draft the joint statement"]  # not on the day
    assert texts(due_after="2031-01-15") == ["Share the shelter's budget model"]
    assert texts(meeting=str(world.draft.public_id)) == ["Book the room"]
    assert texts(working_group="macroeconomic-policy") == []
    assert len(texts(working_group=str(world.group.public_id))) == 3
    assert texts(status="done") == []
    assert texts(responsible_organization=str(world.cso.public_id)) == ["Draft the joint statement"]
    for name, value in [
        ("due_before", "soon"),
        ("meeting", "not-a-uuid"),
        ("status", "finished"),
        ("working_group", "no-such-group"),
        ("responsible_organization", "42"),
    ]:
        bad = _get(client, "action-points/", **{name: value})
        assert bad.status_code == 400, (name, bad.content)
        assert list(bad.json()) == [name]


# --- Answering an invitation ----------------------------------------------------------------


def _status(world, role):
    return Participation.objects.get(user=world.people[role], meeting=world.meeting).status


def test_the_invited_person_accepts_then_declines(world):
    client = world.client("invited")
    accepted = _post(client, _meeting_url(world.meeting, "rsvp"), {"answer": "accept"})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted" and _status(world, "invited") == "accepted"
    assert accepted.json()["meeting"]["id"] == str(world.meeting.public_id)
    declined = _post(client, _meeting_url(world.meeting, "rsvp"), {"answer": "decline"})
    assert declined.json()["status"] == "declined" == _status(world, "invited")


@pytest.mark.parametrize("role", ["outsider", "convener", "other_convener", "secretariat"])
def test_someone_not_invited_cannot_answer(world, role):
    response = _post(world.client(role), _meeting_url(world.meeting, "rsvp"), {"answer": "accept"})
    assert response.status_code == 404
    assert not Participation.objects.filter(meeting=world.meeting, user=world.people[role])
    assert _status(world, "invited") == "invited"


def test_answers_refused_with_a_message_change_nothing(world):
    client = world.client("invited")
    bad = _post(client, _meeting_url(world.meeting, "rsvp"), {"answer": "perhaps"})
    assert bad.status_code == 400 and list(bad.json()) == ["answer"]
    _post(
        world.client("convener"),
        _meeting_url(world.meeting, "transition"),
        {"to": "cancelled", "reason": "No budget."},
    )
    late = _post(client, _meeting_url(world.meeting, "rsvp"), {"answer": "accept"})
    assert late.status_code == 400
    assert late.json() == {"detail": ["This meeting no longer takes answers."]}
    assert _status(world, "invited") == "invited"
    anonymous = _post(Client(), _meeting_url(world.meeting, "rsvp"), {"answer": "accept"})
    assert anonymous.status_code == 401


def test_a_read_only_token_cannot_answer(world):
    client = world.client("invited", write=False)
    response = _post(client, _meeting_url(world.meeting, "rsvp"), {"answer": "accept"})
    assert response.status_code == 403
    assert response.json() == {"detail": "This token may only read."}
    assert _status(world, "invited") == "invited"


def test_the_site_session_answers_with_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["invited"])
    response = _post(client, _meeting_url(world.meeting, "rsvp"), {"answer": "accept"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert _status(world, "invited") == "invited"


# --- Inviting -------------------------------------------------------------------------------


def test_the_convener_invites_an_account_and_an_email_address(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    newcomer = MembershipFactory(organization=world.cso, user__email="new@cso.example").user
    client = world.client("convener")
    url = _meeting_url(world.meeting, "invite")
    cso = str(world.cso.public_id)
    with django_capture_on_commit_callbacks(execute=True):
        by_account = _post(client, url, {"user": str(newcomer.public_id), "organization": cso})
        by_email = _post(
            client, url, {"email": "Guest@Ngo.Example", "organization": cso, "needs_visa": True}
        )
    assert by_account.status_code == 201, by_account.content
    body = by_account.json()
    assert (body["user"], body["email"], body["status"]) == (
        str(newcomer.public_id),
        "",
        "invited",
    )
    assert body["organization"]["name"] == "Sahel Women Mediators"
    assert by_email.status_code == 201
    assert (by_email.json()["email"], by_email.json()["needs_visa"]) == ("guest@ngo.example", True)
    assert "token" not in by_account.content.decode() + by_email.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == ["guest@ngo.example", "new@cso.example"]


def test_an_at_risk_organizations_own_member_is_invited_on_its_behalf(world):
    body = {
        "user": str(world.people["at_risk_member"].public_id),
        "organization": str(world.at_risk.public_id),
    }
    response = _post(world.client("convener"), _meeting_url(world.meeting, "invite"), body)
    assert response.status_code == 201
    assert response.json()["organization"]["name"] == "Quiet Shelter Network"
    invited = Participation.objects.get(user=world.people["at_risk_member"])
    assert invited.organization == world.at_risk


NO_ACCOUNT = "8d3c2a41-0000-4000-8000-000000000000"
EITHER = {"non_field_errors": ["Invite an account (user) or an email address."]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"email": "a@b.example"}, {"organization": ["This field is required."]}),
        ({"organization": "CSO"}, EITHER),
        ({"email": "a@b.example", "user": "OUTSIDER", "organization": "CSO"}, EITHER),
        (
            {"email": "a@b.example", "organization": "not-an-id"},
            {"organization": ["Must be a valid UUID."]},
        ),
        (
            {"email": "a@b.example", "organization": "RISK"},
            {"organization": ["No organization you may see has this id."]},
        ),
        (
            {"user": "OUTSIDER", "organization": "CSO"},
            {"organization": ["The person invited must be a member of that organization."]},
        ),
        ({"user": NO_ACCOUNT, "organization": "CSO"}, {"user": ["No account has this id."]}),
        (
            {"user": "INVITED", "organization": "CSO"},
            {"detail": ["This person is already invited to this meeting."]},
        ),
    ],
)
def test_invitations_refused_with_a_message(world, body, expected):
    names = {
        "CSO": str(world.cso.public_id),
        "RISK": str(world.at_risk.public_id),
        "OUTSIDER": str(world.people["outsider"].public_id),
        "INVITED": str(world.people["invited"].public_id),
    }
    body = {key: names.get(value, value) for key, value in body.items()}
    before = list(Participation.objects.values_list("pk", "status"))
    response = _post(world.client("convener"), _meeting_url(world.meeting, "invite"), body)
    assert response.status_code == 400, response.content
    assert response.json() == expected
    assert list(Participation.objects.values_list("pk", "status")) == before


def test_invitations_wait_until_they_are_open(world):
    planned = new_meeting(
        world.people["convener"], world.group, status=S.PLANNED, title="Not yet open"
    )
    response = _post(
        world.client("convener"),
        _meeting_url(planned, "invite"),
        {"email": "a@b.example", "organization": str(world.cso.public_id)},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ["Open the invitations before inviting anyone."]}
    assert not planned.participations.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("outsider", 403),
        ("invited", 403),
        ("accepted", 403),
        ("other_convener", 403),
    ],
)
def test_only_the_conveners_invite(world, role, status):
    body = {"email": "a@b.example", "organization": str(world.cso.public_id)}
    assert _post(world.client(role), _meeting_url(world.meeting, "invite"), body).status_code == (
        status
    )
    # A draft they may not see is not found at all.
    if role != "anonymous":
        assert _post(world.client(role), _meeting_url(world.draft, "invite"), body).status_code == (
            404
        )
    assert not Participation.objects.filter(email="a@b.example").exists()


# --- Moving a meeting along ------------------------------------------------------------------


def test_the_convener_moves_a_draft_along_and_sees_the_visa_warning(world):
    soon = new_meeting(
        world.people["convener"],
        world.group,
        title="Too soon for visas",
        format=MeetingFormat.IN_PERSON,
        starts_at=SOON - timedelta(weeks=18),
    )
    client = world.client("convener")
    planned = _post(client, _meeting_url(soon, "transition"), {"to": "planned"})
    assert planned.status_code == 200
    assert planned.json()["meeting"]["status"] == "planned" and planned.json()["warnings"] == []
    opened = _post(client, _meeting_url(soon, "transition"), {"to": "invitations_open"})
    assert opened.json()["meeting"]["status"] == "invitations_open"
    [warning] = opened.json()["warnings"]
    assert "should have been out by" in warning
    soon.refresh_from_db()
    assert soon.status == S.INVITATIONS_OPEN


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"to": "held"},
            {
                "detail": [
                    "A meeting that is Invitations open cannot become Held; next can be: "
                    "Confirmed, Cancelled."
                ]
            },
        ),
        (
            {"to": "cancelled"},
            {"reason": ["Say why the meeting is cancelled: the participants are told."]},
        ),
        ({"to": "adjourned"}, {"to": ['"adjourned" is not a valid choice.']}),
        ({}, {"to": ["This field is required."]}),
    ],
)
def test_refused_moves_answer_400_with_the_reason_and_change_nothing(world, body, expected):
    response = _post(world.client("convener"), _meeting_url(world.meeting, "transition"), body)
    assert response.status_code == 400
    assert response.json() == expected
    world.meeting.refresh_from_db()
    assert world.meeting.status == S.INVITATIONS_OPEN


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("outsider", 403),
        ("accepted", 403),
        ("other_convener", 403),
        ("secretariat", 200),
        ("convener", 200),
    ],
)
def test_who_may_move_a_meeting(world, role, status):
    body = {"to": "confirmed"}
    assert (
        _post(world.client(role), _meeting_url(world.meeting, "transition"), body).status_code
        == status
    )
    world.meeting.refresh_from_db()
    assert world.meeting.status == (S.CONFIRMED if status == 200 else S.INVITATIONS_OPEN)


@pytest.mark.parametrize("role", ["outsider", "accepted", "other_convener"])
def test_a_draft_cannot_be_moved_by_who_may_not_see_it(world, role):
    response = _post(world.client(role), _meeting_url(world.draft, "transition"), {"to": "planned"})
    assert response.status_code == 404
    world.draft.refresh_from_db()
    assert world.draft.status == S.DRAFT


# --- Attendance -----------------------------------------------------------------------------


def test_the_convener_records_attendance_once_the_meeting_has_started(world):
    accepted = Participation.objects.get(user=world.people["accepted"])
    client = world.client("convener")
    url = _meeting_url(world.meeting, "attendance")
    body = {"participation": str(accepted.public_id), "attended": True}
    early = _post(client, url, body)
    assert early.status_code == 400
    assert early.json() == {"detail": ["Attendance is recorded once the meeting has started."]}
    with time_machine.travel(world.meeting.starts_at + timedelta(hours=1), tick=False):
        recorded = _post(client, url, body)
        assert recorded.status_code == 200
        assert (recorded.json()["id"], recorded.json()["status"]) == (
            str(accepted.public_id),
            "attended",
        )
        invited = Participation.objects.get(user=world.people["invited"])
        refused = _post(client, url, {"participation": str(invited.public_id), "attended": True})
        assert refused.json() == {"detail": ["Only accepted participants can attend."]}
        unknown = _post(client, url, {"participation": str(world.meeting.public_id), "attended": 1})
        assert unknown.json() == {"participation": ["No invitation to this meeting has this id."]}
    accepted.refresh_from_db()
    invited.refresh_from_db()
    assert (accepted.status, invited.status) == ("attended", "invited")


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("outsider", 403), ("accepted", 403), ("other_convener", 403)],
)
def test_only_the_conveners_record_attendance(world, role, status):
    accepted = Participation.objects.get(user=world.people["accepted"])
    body = {"participation": str(accepted.public_id), "attended": False}
    client = world.client(role)
    with time_machine.travel(world.meeting.starts_at + timedelta(hours=1), tick=False):
        response = _post(client, _meeting_url(world.meeting, "attendance"), body)
    assert response.status_code == status
    accepted.refresh_from_db()
    assert accepted.status == "accepted"


# --- Meeting filters ------------------------------------------------------------------------


@pytest.fixture
def more_meetings(world):
    convener, secretariat = world.people["convener"], world.people["secretariat"]
    new_meeting(
        convener,
        world.group,
        status=S.PLANNED,
        title="Late evening in Chicago",
        timezone="America/Chicago",
        city="Chicago",
        country="US",
        format=MeetingFormat.IN_PERSON,
        # 22:00 in Chicago on the 10th is the 11th in UTC.
        starts_at=_aware("2031-06-11T03:00:00+00:00"),
    )
    new_meeting(
        secretariat,
        None,
        kind=MeetingKind.ANNUAL_CONVENING,
        status=S.PLANNED,
        title="GSX 2031",
        city="New York",
        country="US",
        timezone="America/New_York",
        format=MeetingFormat.HYBRID,
        starts_at=_aware("2031-09-22T13:00:00+00:00"),
    )


def _aware(text):
    from datetime import datetime

    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"kind": "annual_convening"}, {"GSX 2031"}),
        ({"status": "planned"}, {"Outreach in Amman", "Late evening in Chicago", "GSX 2031"}),
        ({"meeting_format": "hybrid"}, {"Budgets for prevention", "GSX 2031"}),
        ({"country": "NG"}, {"Budgets for prevention"}),
        ({"region": "north_america"}, {"Late evening in Chicago", "GSX 2031"}),
        ({"region": "middle_east_north_africa"}, {"Outreach in Amman"}),
        ({"region": "south_asia"}, set()),
        (
            {"working_group": "security-interventions"},
            {"Budgets for prevention", "Late evening in Chicago"},
        ),
        ({"working_group": "macroeconomic-policy"}, set()),
        ({"from": "2031-06-10", "to": "2031-06-10"}, {"Late evening in Chicago"}),
        ({"from": "2031-06-11"}, {"GSX 2031"}),
        ({"to": "2031-06-09"}, {"Budgets for prevention", "Outreach in Amman"}),
        ({"q": "amman"}, {"Outreach in Amman"}),
        ({"q": "security budgets"}, {"Budgets for prevention"}),
        ({"q": "Abuja"}, {"Budgets for prevention"}),
        ({"when": "past"}, set()),
        ({"updated_since": "2999-01-01T00:00:00Z"}, set()),
        ({"from": "0001-01-01", "to": "9999-12-31", "region": ""}, None),
    ],
)
def test_meeting_filters(world, more_meetings, params, titles):
    everything = MEETINGS_SEEN["outsider"] | {"Late evening in Chicago", "GSX 2031"}
    response = _get(world.client("outsider"), "meetings/", **params)
    assert _titles(response) == (everything if titles is None else titles)


def test_the_working_group_filter_takes_an_id_too(world):
    client = world.client("outsider")
    response = _get(client, "meetings/", working_group=str(world.group.public_id))
    assert _titles(response) == {"Budgets for prevention"}


def test_past_meetings_come_latest_first_and_coming_ones_soonest_first(world, more_meetings):
    client = world.client("outsider")
    coming = _get(client, "meetings/", when="coming").json()["results"]
    assert [row["title"] for row in coming][-2:] == ["Late evening in Chicago", "GSX 2031"]
    with time_machine.travel(_aware("2032-01-01T00:00:00+00:00"), tick=False):
        past = _get(client, "meetings/", when="past").json()["results"]
    assert [row["title"] for row in past][:2] == ["GSX 2031", "Late evening in Chicago"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"kind": "picnic"},
            "kind",
            "Select a valid choice. picnic is not one of the available choices.",
        ),
        ({"status": "DRAFT"}, "status", None),
        ({"meeting_format": "radio"}, "meeting_format", None),
        ({"country": "XX"}, "country", None),
        ({"region": "atlantis"}, "region", None),
        ({"when": "tomorrow"}, "when", None),
        ({"from": "2031-13-01"}, "from", "Enter a valid date."),
        ({"to": "next week"}, "to", "Enter a valid date."),
        ({"from": "2031-06-02", "to": "2031-06-01"}, "to", "This day is before the “from” day."),
        ({"updated_since": "last year"}, "updated_since", "Enter a valid date/time."),
        ({"working_group": "no-such-group"}, "working_group", None),
        ({"q": "x" * 201}, "q", None),
    ],
)
def test_bad_meeting_filters_answer_400_naming_the_parameter(world, params, field, message):
    response = _get(world.client("outsider"), "meetings/", **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]


def test_an_inactive_group_of_others_is_an_unknown_filter_value(world, inactive_group):
    refused = _get(world.client("outsider"), "meetings/", working_group="dormant-group")
    assert refused.status_code == 400 and list(refused.json()) == ["working_group"]
    allowed = _get(world.client("other_convener"), "meetings/", working_group="dormant-group")
    assert allowed.status_code == 200 and allowed.json()["count"] == 0


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/{path}")
    assert response.status_code == 200, response.content
    return len(queries)


LISTS = ("meetings/", "working-groups/", "action-points/")


def _more_rows(world, n: int) -> None:
    convener, cso = world.people["convener"], world.cso
    for i in range(n):
        group = working_group_create(
            by=world.people["secretariat"],
            name=f"Group {i}",
            slug=f"group-{i}",
            convening_organizations=[OrganizationFactory(), world.at_risk],
        )
        group.conveners.add(convener)
        meeting = new_meeting(convener, group, status=S.INVITATIONS_OPEN, title=f"Meeting {i}")
        meeting.host_organizations.set([OrganizationFactory(), world.at_risk])
        action_point_add(
            meeting=meeting, by=convener, text=f"Point {i}", responsible_organization=world.at_risk
        )
        participation_invite(
            meeting=meeting, by=convener, organization=cso, user=world.people["invited"]
        )


@pytest.mark.parametrize(
    ("path", "role"),
    [
        *((path, role) for path in LISTS for role in ("invited", "secretariat")),
        ("participations/", "invited"),  # the secretariat is invited nowhere
    ],
)
def test_each_list_runs_as_many_queries_for_one_row_as_for_many(world, path, role):
    client = world.client(role)
    _queries(client, path)  # the token's first use is recorded once
    few = _queries(client, path)
    _more_rows(world, 6)
    many_response = client.get(f"{API}/{path}")
    assert len(many_response.json()["results"]) >= 6
    assert _queries(client, path) == few


def test_anonymous_lists_run_as_many_queries_for_one_row_as_for_many(world):
    client = Client()
    few = {path: _queries(client, path) for path in ("meetings/", "working-groups/")}
    _more_rows(world, 4)
    for i in range(4):
        new_meeting(world.people["secretariat"], None, status=S.PLANNED, title=f"Outreach {i}")
    assert {path: _queries(client, path) for path in few} == few


# --- Schema ---------------------------------------------------------------------------------


def test_the_schema_describes_every_dialogues_route_and_filter():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    expected = {
        "/api/v1/working-groups/": ["get"],
        "/api/v1/working-groups/{public_id}/": ["get"],
        "/api/v1/meetings/": ["get"],
        "/api/v1/meetings/{public_id}/": ["get"],
        "/api/v1/meetings/{public_id}/agenda/": ["get"],
        "/api/v1/meetings/{public_id}/rsvp/": ["post"],
        "/api/v1/meetings/{public_id}/invite/": ["post"],
        "/api/v1/meetings/{public_id}/transition/": ["post"],
        "/api/v1/meetings/{public_id}/attendance/": ["post"],
        "/api/v1/participations/": ["get"],
        "/api/v1/participations/{public_id}/": ["get"],
        "/api/v1/action-points/": ["get"],
        "/api/v1/action-points/{public_id}/": ["get"],
    }
    assert {path: sorted(paths[path]) for path in expected} == expected
    filters = {p["name"] for p in paths["/api/v1/meetings/"]["get"]["parameters"]}
    assert filters == {
        *("q", "working_group", "kind", "status", "meeting_format", "country", "region"),
        "when",
        *("from", "to", "updated_since", "page"),
    }
    points = {p["name"] for p in paths["/api/v1/action-points/"]["get"]["parameters"]}
    assert points == {
        *("responsible_organization", "status", "due_before", "due_after", "meeting"),
        *("working_group", "updated_since", "page"),
    }


def test_a_membership_that_ends_hides_the_restricted_name_at_once(world):
    member = world.people["at_risk_member"]
    client = world.client("at_risk_member")
    path = f"action-points/{world.at_risk_point.public_id}/"
    assert _get(client, path).json()["responsible_organization"]["name"] == "Quiet Shelter Network"
    Membership.objects.filter(user=member).delete()
    assert _get(client, path).json()["responsible_organization"] is None


def test_a_session_reads_like_a_token(world):
    body = _get(signed_in(world.people["accepted"]), _meeting_url(world.meeting)).json()
    assert body["join_url"] == "https://meet.example/room-4"


def test_action_points_name_the_organization_per_meeting_the_reader_convenes(world, convener):
    enrol_totp(convener)  # the conveners' group manages meetings without a working group
    other = new_meeting(
        world.people["other_convener"], world.other_group, status=S.PLANNED, title="Other"
    )
    for meeting, by in [(other, world.people["other_convener"]), (world.public, convener)]:
        action_point_add(
            meeting=meeting,
            by=by,
            text=f"At risk, {meeting.title}",
            responsible_organization=world.at_risk,
        )

    def shown(user):
        return {
            p.text: p.organization_shown
            for p in action_points_visible_to(user)
            if p.responsible_organization_id == world.at_risk.pk
        }

    assert shown(world.people["other_convener"]) == {
        "Share the shelter's budget model": False,
        "At risk, Other": True,
        "At risk, Outreach in Amman": False,
    }
    assert shown(convener) == {
        "Share the shelter's budget model": False,
        "At risk, Other": False,
        "At risk, Outreach in Amman": True,
    }
    assert set(shown(world.people["secretariat"]).values()) == {True}
    assert set(shown(world.people["outsider"]).values()) == {False}
    # No row repeats, whatever the joins.
    points = action_points_visible_to(world.people["other_convener"])
    assert len(points) == len({p.pk for p in points}) == 4
