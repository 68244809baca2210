"""A signed-in page view reads and never writes: activity is recorded once a minute, and the
user's roles are asked once per request (never kept longer)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import RequesterVerification
from organizations.rules import is_vetting_reviewer, memoised_for_this_request, roles_now
from organizations.selectors import requester_organizations
from tests.conftest import enrol_totp, signed_in

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE|MERGE)\b", re.IGNORECASE)


def _writes(queries) -> list[str]:
    return [query["sql"] for query in queries if WRITE.match(query["sql"])]


@pytest.mark.parametrize("page", ["directory", "detail", "home"])
def test_a_plain_signed_in_get_writes_nothing(page, cso, cso_member):
    path = {
        "directory": reverse("organizations:directory"),
        "detail": reverse("organizations:detail", args=[cso.slug]),
        "home": reverse("home"),
    }[page]
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(cso_member)
        assert client.get(path).status_code == 200  # the session's first request records it
        clock.shift(timedelta(seconds=59))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
    assert response.status_code == 200
    assert b"/accounts/logout/" in response.content
    assert _writes(queries.captured_queries) == []


def test_session_activity_is_recorded_once_a_minute(cso_member):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(cso_member)
        client.get(reverse("home"), REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT="Phone")
        session = UserSession.objects.get(user=cso_member)
        assert (session.last_seen_at, session.ip, session.user_agent) == (
            START,
            "192.0.2.1",
            "Phone",
        )

        clock.shift(timedelta(seconds=30))
        client.get(reverse("home"), REMOTE_ADDR="192.0.2.9", HTTP_USER_AGENT="Laptop")
        session.refresh_from_db()
        assert (session.last_seen_at, session.ip) == (START, "192.0.2.1")

        clock.shift(timedelta(seconds=31))
        client.get(reverse("home"), REMOTE_ADDR="192.0.2.9", HTTP_USER_AGENT="Laptop")
        session.refresh_from_db()
        assert (session.last_seen_at, session.ip, session.user_agent) == (
            START + timedelta(seconds=61),
            "192.0.2.9",
            "Laptop",
        )
        assert UserSession.objects.filter(user=cso_member).count() == 1


def test_the_sessions_list_shows_activity_to_the_minute(cso_member):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(cso_member)
        client.get(reverse("home"))
        clock.shift(timedelta(seconds=40))
        page = client.get(reverse("usersessions_list")).content.decode()
        # Created, and last seen, at the first request: this one is within the minute.
        assert re.findall(r"<span title=[^>]*>([^<]*)</span>", page) == [
            "40\xa0seconds ago",
            "40\xa0seconds ago",
        ]
        clock.shift(timedelta(seconds=30))
        page = client.get(reverse("usersessions_list")).content.decode()
        # Created 70 seconds ago; last seen now (this request, past the minute, recorded it).
        assert re.findall(r"<span title=[^>]*>([^<]*)</span>", page) == ["a minute ago", "now"]


def _role_queries(queries) -> list[str]:
    # Those that read the user's groups, but the header's counts (one query of their own).
    return [q["sql"] for q in queries if "auth_group" in q["sql"] and '"unread"' not in q["sql"]]


@pytest.mark.parametrize("page", ["directory", "home"])
def test_a_reviewers_roles_are_asked_once_per_request(page, reviewer):
    enrol_totp(reviewer)
    client = signed_in(reviewer)
    path = reverse("organizations:directory") if page == "directory" else reverse("home")
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    # The MFA check, the session lifetime, the navigation, the filters' and the dashboard's
    # secretariat checks all read the one answer.
    assert len(_role_queries(queries.captured_queries)) == 1
    assert reverse("organizations:vetting_queue") in response.content.decode()


def test_roles_are_asked_again_on_the_next_request(outsider):
    client = signed_in(outsider)
    queue = reverse("organizations:vetting_queue")
    assert queue not in client.get(reverse("home")).content.decode()
    outsider.groups.add(Group.objects.get(name="secretariat"))
    enrol_totp(outsider)
    assert queue in client.get(reverse("home")).content.decode()
    outsider.groups.clear()
    assert queue not in client.get(reverse("home")).content.decode()


def test_outside_a_request_roles_are_not_memoised(outsider):
    assert not is_vetting_reviewer(outsider)
    outsider.groups.add(Group.objects.get(name="secretariat"))
    assert is_vetting_reviewer(outsider)


def test_within_a_request_roles_are_memoised_per_user(outsider, reviewer):
    with memoised_for_this_request(), CaptureQueriesContext(connection) as queries:
        assert roles_now(reviewer)["secretariat"] is True
        assert roles_now(outsider)["secretariat"] is False
        assert roles_now(reviewer)["secretariat"] is True
    assert len(queries.captured_queries) == 2


def test_requester_role_follows_the_selector(government_user, reviewer):
    # A requester sector is not enough to ask for introductions: the secretariat must verify it.
    ministry = government_user.memberships.get().organization
    assert roles_now(government_user) == {
        "secretariat": False,
        "conveners_group": False,
        "privileged": True,
        "requester": False,
        "member_beyond_network": False,
        "organizations": (ministry.pk,),
    }
    RequesterVerification.objects.create(
        organization=ministry,
        sector=ministry.sector,
        name=ministry.name,
        method="official_letter",
        evidence="Letter ref. 12",
        verified_by=reviewer,
    )
    assert roles_now(government_user)["requester"] is True
    assert list(requester_organizations(government_user)) == [ministry]


def test_a_members_detail_page_asks_the_membership_once(cso, cso_admin):
    client = signed_in(cso_admin)
    path = reverse("organizations:detail", args=[cso.slug])
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert reverse("organizations:edit", args=[cso.slug]) in response.content.decode()
    membership = [
        q for q in queries.captured_queries if '"organizations_membership"."role"' in q["sql"]
    ]
    assert len(membership) == 1


def test_a_membership_is_asked_again_on_the_next_request(cso, cso_admin, cso_member):
    from organizations.models import Membership, MembershipRole

    client = signed_in(cso_member)
    edit = reverse("organizations:edit", args=[cso.slug])
    path = reverse("organizations:detail", args=[cso.slug])
    assert edit not in client.get(path).content.decode()
    Membership.objects.filter(user=cso_member).update(role=MembershipRole.EDITOR)
    assert edit in client.get(path).content.decode()
