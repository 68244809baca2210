"""The conveners' pages from outside: working groups and meetings created and edited, one POST
per workflow step, the agenda reordered without JavaScript, invitations, attendance, action
points carried over and the report. Whoever may not manage the meeting gets 404 and nothing
changes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from dialogues.models import (
    ActionPoint,
    ActionPointStatus,
    AgendaItem,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
    WorkingGroup,
)
from dialogues.reports import render_report
from dialogues.services import (
    action_point_add,
    agenda_item_add,
    meeting_report_write,
    meeting_transition,
    participation_invite,
    participation_respond,
)
from tests.conftest import enrol_totp, signed_in
from tests.dialogues.conftest import new_meeting
from tests.factories import OrganizationFactory, UserFactory

S = MeetingStatus
NOW = datetime.now(UTC)


@pytest.fixture
def other_convener(db):
    user = UserFactory(email="other-convener@example.org")
    enrol_totp(user)
    WorkingGroup.objects.create(name="Macroeconomic Policy", slug="macro").conveners.add(user)
    return user


def url(meeting, suffix=""):
    return f"/meetings/{meeting.public_id}/{suffix}"


def snapshot(meeting):
    meeting.refresh_from_db()
    return (meeting.status, meeting.title, meeting.report, meeting.updated_at)


# --- Working groups ---------------------------------------------------------------------------


def test_the_secretariat_creates_a_working_group_from_its_page(enrolled_reviewer, wg_convener):
    theme_org = OrganizationFactory(slug="women-for-peace")
    response = signed_in(enrolled_reviewer).post(
        "/working-groups/new/",
        {
            "name": "Education and Alternative Narratives",
            "slug": "education",
            "description": "Schools, media and the stories that counter violent extremism.",
            "convening_organizations": "women-for-peace",
            "conveners": wg_convener.email.upper(),
            "members": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    group = WorkingGroup.objects.get(slug="education")
    assert list(group.conveners.all()) == [wg_convener]
    assert list(group.convening_organizations.all()) == [theme_org]


def test_a_bad_working_group_form_keeps_what_was_typed(enrolled_reviewer):
    response = signed_in(enrolled_reviewer).post(
        "/working-groups/new/",
        {"name": "Macro", "slug": "new", "conveners": "nobody@nowhere.example"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "No active account has this email: nobody@nowhere.example." in body
    assert 'value="Macro"' in body
    assert not WorkingGroup.objects.filter(name="Macro").exists()


def test_the_reserved_slug_is_refused(enrolled_reviewer):
    response = signed_in(enrolled_reviewer).post(
        "/working-groups/new/", {"name": "New", "slug": "new"}
    )
    assert "This address is reserved" in response.content.decode()
    assert not WorkingGroup.objects.filter(slug="new").exists()


def test_people_who_may_not_create_groups_get_404(cso_member):
    assert signed_in(cso_member).get("/working-groups/new/").status_code == 404
    response = signed_in(cso_member).post("/working-groups/new/", {"name": "X", "slug": "x"})
    assert response.status_code == 404
    assert not WorkingGroup.objects.filter(slug="x").exists()


def test_a_convener_edits_the_group_and_another_convener_cannot(
    working_group, wg_convener, other_convener
):
    form = {"name": "Security Interventions", "description": "New words", "active": "on"}
    response = signed_in(other_convener).post(
        f"/working-groups/{working_group.slug}/edit/", {**form, "conveners": other_convener.email}
    )
    assert response.status_code == 404
    working_group.refresh_from_db()
    assert working_group.description == ""
    assert list(working_group.conveners.all()) == [wg_convener]
    response = signed_in(wg_convener).post(
        f"/working-groups/{working_group.slug}/edit/", {**form, "conveners": wg_convener.email}
    )
    assert response.status_code == 302
    working_group.refresh_from_db()
    assert working_group.description == "New words"


# --- Meetings ---------------------------------------------------------------------------------

MEETING_FORM = {
    "working_group": "",
    "kind": MeetingKind.WORKING_GROUP_MEETING,
    "title": "Policing with communities",
    "starts_at": "2027-10-31T09:30",
    "ends_at": "2027-10-31T17:00",
    "timezone": "Europe/London",
    "format": MeetingFormat.IN_PERSON,
    "venue": "Example House",
    "city": "London",
    "country": "GB",
    "visa_lead_weeks": "12",
}


def test_a_convener_schedules_a_meeting_in_the_venues_time(working_group, wg_convener):
    response = signed_in(wg_convener).post(
        "/meetings/new/", {**MEETING_FORM, "working_group": working_group.pk}
    )
    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.get(title="Policing with communities")
    # 31 October 2027 is after the clocks go back in London: 09:30 there is 09:30 UTC.
    assert meeting.starts_at == datetime(2027, 10, 31, 9, 30, tzinfo=UTC)
    assert meeting.status == S.DRAFT
    assert meeting.created_by == wg_convener
    page = signed_in(wg_convener).get(url(meeting, "edit/")).content.decode()
    assert 'value="2027-10-31T09:30"' in page


def test_a_time_the_clocks_skip_is_refused_and_the_form_kept(working_group, wg_convener):
    response = signed_in(wg_convener).post(
        "/meetings/new/",
        {
            **MEETING_FORM,
            "working_group": working_group.pk,
            "starts_at": "2027-03-28T01:30",
            "ends_at": "2027-03-28T17:00",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This time does not exist in that time zone" in body
    assert "Policing with communities" in body
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"starts_at": "31/10/2027"}, "Enter a date and time"),
        ({"ends_at": "2027-10-31T08:00"}, "A meeting must end after it starts."),
        ({"timezone": "Mars/Olympus"}, "Select a valid choice"),
        ({"working_group": ""}, "A working-group meeting belongs to a working group."),
        ({"title": "A\x00B"}, ""),
        ({"capacity": "0"}, ""),
        ({"join_url": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_bad_meeting_forms_say_why_and_create_nothing(working_group, wg_convener, changes, message):
    form = {**MEETING_FORM, "working_group": working_group.pk, **changes}
    response = signed_in(wg_convener).post("/meetings/new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_member_cannot_schedule_meetings(cso_member, working_group):
    assert signed_in(cso_member).get("/meetings/new/").status_code == 404
    response = signed_in(cso_member).post(
        "/meetings/new/", {**MEETING_FORM, "working_group": working_group.pk}
    )
    assert response.status_code == 404
    assert not Meeting.objects.exists()


def test_a_convener_cannot_schedule_in_another_group(working_group, other_convener):
    response = signed_in(other_convener).post(
        "/meetings/new/", {**MEETING_FORM, "working_group": working_group.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Meeting.objects.exists()


def test_each_workflow_step_is_its_own_post(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group)
    client = signed_in(wg_convener)
    page = client.get(url(meeting)).content.decode()
    assert f'action="{url(meeting, "plan/")}"' in page
    for step, status in [
        ("plan/", S.PLANNED),
        ("open-invitations/", S.INVITATIONS_OPEN),
        ("confirm/", S.CONFIRMED),
    ]:
        assert client.get(url(meeting, step)).status_code == 405
        assert client.post(url(meeting, step)).status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == status


def test_a_refused_step_says_why_and_changes_nothing(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group, status=S.CONFIRMED)
    before = snapshot(meeting)
    response = signed_in(wg_convener).post(url(meeting, "hold/"), follow=True)
    assert "A meeting can be marked as held once it has started." in response.content.decode()
    assert snapshot(meeting) == before
    response = signed_in(wg_convener).post(url(meeting, "plan/"), follow=True)
    assert "cannot become" in response.content.decode()
    assert snapshot(meeting) == before


def test_opening_invitations_late_warns_the_convener(working_group, wg_convener):
    meeting = new_meeting(
        wg_convener,
        working_group,
        status=S.PLANNED,
        format=MeetingFormat.IN_PERSON,
        starts_at=NOW + timedelta(weeks=4),
    )
    response = signed_in(wg_convener).post(url(meeting, "open-invitations/"), follow=True)
    body = response.content.decode()
    assert "should have been out by" in body
    meeting.refresh_from_db()
    assert meeting.status == S.INVITATIONS_OPEN


@pytest.mark.parametrize("step", ["plan/", "open-invitations/", "confirm/", "hold/", "cancel/"])
def test_steps_by_the_wrong_people_are_404_and_change_nothing(
    working_group, wg_convener, other_convener, cso_member, step
):
    meeting = new_meeting(wg_convener, working_group, status=S.PLANNED)
    before = snapshot(meeting)
    for person in (other_convener, cso_member):
        response = signed_in(person).post(url(meeting, step), {"reason": "Because"})
        assert response.status_code == 404
    from django.test import Client

    assert Client().post(url(meeting, step)).status_code in (302, 404)
    assert snapshot(meeting) == before


def test_cancelling_asks_for_a_reason_and_tells_the_participants(
    working_group, wg_convener, cso_member, cso, django_capture_on_commit_callbacks
):
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso
    )
    participation_respond(participation=participation, accept=True, by=cso_member)
    mail.outbox.clear()
    client = signed_in(wg_convener)
    assert client.get(url(meeting, "cancel/")).status_code == 200
    response = client.post(url(meeting, "cancel/"), {"reason": "  "})
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == S.INVITATIONS_OPEN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting, "cancel/"), {"reason": "The venue is closed."})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == S.CANCELLED
    assert [m.to for m in mail.outbox] == [[cso_member.email]]


def test_editing_a_meeting_keeps_its_group_and_status(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group, status=S.PLANNED)
    form = {
        **MEETING_FORM,
        "title": "Renamed",
        "format": MeetingFormat.ONLINE,
        "join_url": "https://meet.example/x",
        "venue": "",
    }
    response = signed_in(wg_convener).post(url(meeting, "edit/"), form)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.status, meeting.working_group) == (
        "Renamed",
        S.PLANNED,
        working_group,
    )


# --- Agenda -----------------------------------------------------------------------------------


def test_the_agenda_is_built_and_reordered_without_javascript(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group)
    client = signed_in(wg_convener)
    day = meeting.starts_at.astimezone(meeting.zone) + timedelta(hours=1)
    for title in ("Opening", "Community policing", "Closing"):
        response = client.post(
            url(meeting, "agenda/new/"),
            {"title": title, "kind": "session", "starts_at": day.strftime("%Y-%m-%dT%H:%M")},
        )
        assert response.status_code == 302, response.context["form"].errors
    titles = lambda: list(meeting.agenda_items.order_by("position").values_list("title", flat=True))  # noqa: E731
    closing = meeting.agenda_items.get(title="Closing")
    assert client.post(url(meeting, f"agenda/{closing.public_id}/up/")).status_code == 302
    assert titles() == ["Opening", "Closing", "Community policing"]
    opening = meeting.agenda_items.get(title="Opening")
    client.post(url(meeting, f"agenda/{opening.public_id}/up/"))  # already first: nothing moves
    client.post(url(meeting, f"agenda/{opening.public_id}/down/"))
    assert titles() == ["Closing", "Opening", "Community policing"]
    page = client.get(url(meeting)).content.decode()
    assert "Move up" in page and "Move down" in page
    assert client.post(url(meeting, f"agenda/{opening.public_id}/remove/")).status_code == 302
    assert titles() == ["Closing", "Community policing"]


def test_an_agenda_item_outside_the_meeting_is_refused(working_group, wg_convener):
    meeting = new_meeting(wg_convener, working_group)
    before = meeting.starts_at.astimezone(meeting.zone) - timedelta(days=1)
    response = signed_in(wg_convener).post(
        url(meeting, "agenda/new/"),
        {"title": "Too early", "kind": "session", "starts_at": before.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200
    assert "An agenda item takes place during the meeting." in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_the_agenda_cannot_be_touched_by_others(
    working_group, wg_convener, other_convener, cso_member
):
    meeting = new_meeting(wg_convener, working_group, status=S.PLANNED)
    first = agenda_item_add(meeting=meeting, by=wg_convener, title="First")
    agenda_item_add(meeting=meeting, by=wg_convener, title="Second")
    for person in (other_convener, cso_member):
        client = signed_in(person)
        assert client.post(url(meeting, f"agenda/{first.public_id}/down/")).status_code == 404
        assert client.post(url(meeting, f"agenda/{first.public_id}/remove/")).status_code == 404
        assert client.post(url(meeting, "agenda/new/"), {"title": "Mine"}).status_code == 404
    first.refresh_from_db()
    assert first.position == 1
    assert AgendaItem.objects.count() == 2


# --- Invitations and attendance ---------------------------------------------------------------


def test_a_convener_invites_a_member_by_email(
    working_group, wg_convener, cso_member, cso, django_capture_on_commit_callbacks
):
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(wg_convener).post(
            url(meeting, "invite/"),
            {"email": cso_member.email.upper(), "organization": cso.slug, "needs_visa": "on"},
        )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?organization={cso.slug}")
    participation = Participation.objects.get(meeting=meeting)
    assert (participation.user, participation.organization, participation.needs_visa) == (
        cso_member,
        cso,
        True,
    )
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "form, message",
    [
        ({"email": "bob@cso.example", "organization": "nowhere"}, "No organization has this"),
        ({"email": "not an email", "organization": "coastal-youth-forum"}, "valid email"),
        (
            {"email": "stranger@else.example", "organization": "other-org"},
            "",
        ),
    ],
)
def test_bad_invitations_say_why(working_group, wg_convener, cso_member, form, message):
    OrganizationFactory(slug="other-org")
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    response = signed_in(wg_convener).post(url(meeting, "invite/"), form)
    if form["email"] == "stranger@else.example":  # a person not registered yet: invited
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Participation.objects.exists()


def test_inviting_a_member_for_the_wrong_organization_is_refused(
    working_group, wg_convener, cso_member
):
    other = OrganizationFactory(slug="other-org")
    meeting = new_meeting(wg_convener, working_group, status=S.INVITATIONS_OPEN)
    response = signed_in(wg_convener).post(
        url(meeting, "invite/"), {"email": cso_member.email, "organization": other.slug}
    )
    assert "must be a member of that organization" in response.content.decode()
    assert not Participation.objects.exists()


def test_attendance_is_recorded_after_the_start(working_group, wg_convener, cso_member, cso):
    meeting = new_meeting(
        wg_convener, working_group, status=S.CONFIRMED, starts_at=NOW + timedelta(days=1)
    )
    participation, _raw = participation_invite(
        meeting=meeting, by=wg_convener, user=cso_member, organization=cso
    )
    participation_respond(participation=participation, accept=True, by=cso_member)
    attended = url(meeting, f"participants/{participation.public_id}/attended/")
    response = signed_in(wg_convener).post(attended, follow=True)
    assert "Attendance is recorded once the meeting has started." in response.content.decode()
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.ACCEPTED
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=NOW - timedelta(hours=2), ends_at=NOW + timedelta(hours=2)
    )
    assert signed_in(cso_member).post(attended).status_code == 404
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.ACCEPTED
    page = signed_in(wg_convener).get(url(meeting)).content.decode()
    assert "Did not attend" in page
    signed_in(wg_convener).post(url(meeting, f"participants/{participation.public_id}/no-show/"))
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.NO_SHOW


# --- Action points and the report -------------------------------------------------------------


def test_open_action_points_are_updated_at_the_next_meeting(
    working_group, wg_convener, other_convener, cso
):
    first = new_meeting(
        wg_convener,
        working_group,
        status=S.CONFIRMED,
        starts_at=NOW - timedelta(days=60),
        title="First",
    )
    client = signed_in(wg_convener)
    response = client.post(
        url(first, "action-points/new/"),
        {
            "text": "Draft the community-policing guide",
            "status": "open",
            "due_on": (NOW + timedelta(days=10)).date().isoformat(),
            "responsible_organization": cso.slug,
        },
    )
    assert response.status_code == 302
    point = ActionPoint.objects.get()
    second = new_meeting(wg_convener, working_group, title="Second")
    page = client.get(url(second)).content.decode()
    assert "Draft the community-policing guide" in page
    edit = url(second, f"action-points/{point.public_id}/edit/")
    assert edit in page
    assert signed_in(other_convener).post(edit, {"text": "x", "status": "done"}).status_code == 404
    response = client.post(edit, {"text": point.text, "status": "done"})
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.status == ActionPointStatus.DONE
    assert point.meeting == first
    assert "Draft the community-policing guide" not in client.get(url(second)).content.decode()


def test_an_action_point_of_an_unrelated_meeting_is_404(
    working_group, wg_convener, enrolled_reviewer
):
    meeting = new_meeting(wg_convener, working_group, title="One")
    elsewhere = new_meeting(enrolled_reviewer, None, title="Outreach")
    point = action_point_add(meeting=elsewhere, by=enrolled_reviewer, text="Not here")
    response = signed_in(wg_convener).post(
        url(meeting, f"action-points/{point.public_id}/edit/"), {"text": "x", "status": "done"}
    )
    assert response.status_code == 404
    point.refresh_from_db()
    assert point.status == ActionPointStatus.OPEN


def test_report_html_is_sanitised():
    html = str(
        render_report(
            "# Outcomes\n\n<script>alert(1)</script>\n\n"
            "[click](javascript:alert(1)) [ok](https://example.org) ![x](https://t.example/p.png)"
            '\n\n<img src=x onerror="alert(1)">'
        )
    )
    # Raw HTML stays text: escaped, never a tag.
    assert "<script" not in html and "<img" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<h2>Outcomes</h2>" in html


def test_a_chatham_house_report_names_no_speaker(working_group, wg_convener, cso_member, cso):
    cso_member.name = "Amina Yusuf"
    cso_member.save()
    meeting = new_meeting(
        wg_convener,
        working_group,
        status=S.CONFIRMED,
        chatham_house=True,
        starts_at=NOW - timedelta(days=2),
    )
    agenda_item_add(meeting=meeting, by=wg_convener, title="Panel", other_speakers="Jo Lee; K. Ode")
    Participation.objects.create(
        meeting=meeting, user=cso_member, organization=cso, status=ParticipationStatus.ATTENDED
    )
    meeting, _w = meeting_transition(meeting=meeting, to=S.HELD, by=wg_convener)
    client = signed_in(wg_convener)
    client.post(url(meeting, "report/"), {"report": "As AMINA YUSUF said, trust matters."})
    page = client.get(url(meeting, "report/")).content.decode()
    assert "The report names: Amina Yusuf." in page
    response = client.post(url(meeting, "publish-report/"), follow=True)
    assert "names no speaker" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == S.HELD
    meeting_report_write(
        meeting=meeting, by=wg_convener, report="A participant said trust matters; Jo Leeds agreed."
    )
    assert client.post(url(meeting, "publish-report/")).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == S.REPORT_PUBLISHED
    reader = signed_in(cso_member).get(url(meeting)).content.decode()
    assert "A participant said trust matters" in reader
    assert "Chatham House rule" in reader
    # Published: the report is frozen.
    response = client.post(url(meeting, "report/"), {"report": "Changed"})
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.report.startswith("A participant said")


def test_a_draft_report_is_not_shown_to_readers(working_group, wg_convener, cso_member):
    meeting = new_meeting(wg_convener, working_group, status=S.PLANNED)
    meeting_report_write(meeting=meeting, by=wg_convener, report="Secret draft")
    assert "Secret draft" not in signed_in(cso_member).get(url(meeting)).content.decode()
    assert signed_in(cso_member).get(url(meeting, "report/")).status_code == 404


def test_chatham_house_speakers_are_shown_to_the_conveners_only(
    working_group, wg_convener, cso_member
):
    meeting = new_meeting(wg_convener, working_group, status=S.PLANNED, chatham_house=True)
    agenda_item_add(meeting=meeting, by=wg_convener, title="Panel", other_speakers="Jo Lee")
    assert "Jo Lee" in signed_in(wg_convener).get(url(meeting)).content.decode()
    assert "Jo Lee" not in signed_in(cso_member).get(url(meeting)).content.decode()
    open_meeting = new_meeting(wg_convener, working_group, status=S.PLANNED, title="Open")
    agenda_item_add(meeting=open_meeting, by=wg_convener, title="Panel", other_speakers="Jo Lee")
    assert "Jo Lee" in signed_in(cso_member).get(url(open_meeting)).content.decode()
