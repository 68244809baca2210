"""The organizations tests' hidden-data checks, extended to dialogues: passport facts and join
links appear on no list, export, calendar, API list or admin page of anyone outside the few who
may see them (the person and the conveners; accepted participants for the join link)."""

from datetime import date

import pytest

from dialogues.models import MeetingFormat, MeetingStatus
from dialogues.services import participation_invite, participation_respond, visa_details_give
from tests.conftest import bearer, enrol_totp, new_meeting, signed_in
from tests.factories import UserFactory

JOIN = "https://meet.example/very-secret-room-9f"
PASSPORT = "ZX9081726"
NAME_IN_PASSPORT = "QUIETA PERSONNA"


@pytest.fixture
def hidden(working_group, wg_convener, cso_member, cso):
    meeting = new_meeting(
        wg_convener,
        working_group,
        status=MeetingStatus.INVITATIONS_OPEN,
        format=MeetingFormat.HYBRID,
        join_url=JOIN,
        city="London",
        country="GB",
    )
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso, needs_visa=True
    )
    participation_respond(participation=participation, accept=True, by=cso_member)
    visa_details_give(
        participation=participation,
        by=cso_member,
        full_name=NAME_IN_PASSPORT,
        nationality="Niger",
        passport_number=PASSPORT,
        date_of_birth=date(1980, 2, 3),
    )
    return meeting


def _pages(meeting, group):
    return [
        "/",
        "/meetings/",
        "/meetings/?when=",
        f"/meetings/{meeting.public_id}/",
        f"/meetings/{meeting.public_id}.ics",
        f"/working-groups/{group.slug}/",
        f"/working-groups/{group.slug}.ics",
        f"/timeline/{meeting.starts_at.year}/",
        "/meetings/mine/",
        "/organizations/export.csv",
    ]


API_LISTS = [
    "/api/v1/meetings/",
    "/api/v1/working-groups/",
    "/api/v1/participations/",
    "/api/v1/action-points/",
    "/api/v1/organizations/",
]


def test_outsiders_see_neither_the_join_link_nor_passport_facts(hidden, working_group, outsider):
    for client in (signed_in(outsider), bearer(outsider)):
        for path in _pages(hidden, working_group) + API_LISTS:
            body = client.get(path).content.decode()
            assert JOIN not in body, path
            assert PASSPORT not in body and NAME_IN_PASSPORT not in body, path


def test_participants_and_conveners_see_no_passport_facts_in_any_list(
    hidden, working_group, wg_convener, cso_member
):
    for user in (cso_member, wg_convener):
        for client in (signed_in(user), bearer(user)):
            for path in _pages(hidden, working_group) + API_LISTS:
                body = client.get(path).content.decode()
                assert PASSPORT not in body and NAME_IN_PASSPORT not in body, (user, path)


def test_the_admin_shows_neither(hidden):
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    enrol_totp(staff)
    client = signed_in(staff)
    shown = 0
    for model in ("meeting", "participation", "visadetails", "visaletter", "workinggroup"):
        response = client.get(f"/admin/dialogues/{model}/")
        if response.status_code == 404:
            continue  # not in the admin at all
        assert response.status_code == 200, model
        shown += 1
        body = response.content.decode()
        assert JOIN not in body and PASSPORT not in body, model
    assert shown >= 3
    body = client.get(f"/admin/dialogues/meeting/{hidden.pk}/change/").content.decode()
    assert JOIN not in body
