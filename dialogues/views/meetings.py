"""A meeting's page: what each reader may see of it (dialogues.selectors decides)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dialogues.models import MEETING_TRANSITIONS, MeetingStatus, ParticipationStatus
from dialogues.reports import render_report
from dialogues.rules import may_manage_meeting
from dialogues.selectors import (
    action_points_carried_to,
    action_points_of,
    balance_of,
    may_see_join_link,
    may_see_participants,
    meetings_visible_to,
    participants_visible_to,
    participation_of,
)
from dialogues.services import OPEN_FOR_ANSWERS
from gsx_portal.cached_pages import cached_meeting
from organizations.selectors import organizations_visible_to

# The conveners' step buttons: each next status's POST view and its label.
STEPS = {
    MeetingStatus.PLANNED: ("dialogues:meeting_plan", gettext_lazy("Plan (shown to the network)")),
    MeetingStatus.INVITATIONS_OPEN: (
        "dialogues:meeting_open_invitations",
        gettext_lazy("Open the invitations"),
    ),
    MeetingStatus.CONFIRMED: ("dialogues:meeting_confirm", gettext_lazy("Confirm the meeting")),
    MeetingStatus.HELD: ("dialogues:meeting_hold", gettext_lazy("Mark as held")),
}


VISA_PLANNING = (MeetingStatus.PLANNED, MeetingStatus.INVITATIONS_OPEN, MeetingStatus.CONFIRMED)


def next_steps(meeting, now=None) -> list[tuple[str, str]]:
    """The workflow steps open from the meeting's status (cancelling and publishing the report
    have their own pages: a reason to give, a report to read first); "held" once it started."""
    now = now or timezone.now()
    return [
        STEPS[to]
        for to in MEETING_TRANSITIONS[meeting.status]
        if to in STEPS and (to != MeetingStatus.HELD or now >= meeting.starts_at)
    ]


@login_not_required
@require_GET
@cached_meeting
def meeting_detail(request, public_id):
    meeting = get_object_or_404(
        meetings_visible_to(request.user).select_related("working_group"), public_id=public_id
    )
    user = request.user
    managing = may_manage_meeting(user, meeting)
    mine = participation_of(user, meeting)
    context = {
        "meeting": meeting,
        "managing": managing,
        "mine": mine,
        # The invited person answers here too (the reminder of an unanswered invitation leads
        # here), as on "My meetings".
        "may_answer": mine is not None
        and mine.status == ParticipationStatus.INVITED
        and meeting.status in OPEN_FOR_ANSWERS
        and timezone.now() < meeting.ends_at,
        "join_url": meeting.join_url if may_see_join_link(user, meeting) else "",
        # The venue is for signed-in people; anonymous visitors see the city.
        "show_venue": user.is_authenticated,
        "agenda": (
            meeting.agenda_items.select_related("theme")
            # Speakers are named to signed-in readers only (and anonymous pages are cached:
            # they read only the tables the page cache follows).
            .prefetch_related(*(["speakers__user"] if user.is_authenticated else []))
            .order_by("position")
            if managing or not meeting.is_draft
            else []
        ),
        "participants": (
            participants_visible_to(user, meeting) if may_see_participants(user, meeting) else None
        ),
        "balance": balance_of(meeting) if managing else None,
        "action_points": action_points_of(meeting, user),
        "carried_over": action_points_carried_to(meeting, user),
        # Worth saying while invitations and letters are still going out.
        "visa_late": managing
        and meeting.status in VISA_PLANNING
        and meeting.visa_deadline_passed(timezone.now()),
        # A restricted organization is named only to those who may see it.
        "hosts": organizations_visible_to(user)
        .filter(hosted_meetings=meeting)
        .only("slug", "name")
        .order_by("name"),
        "steps": next_steps(meeting) if managing else [],
        "may_cancel": managing and MeetingStatus.CANCELLED in MEETING_TRANSITIONS[meeting.status],
        "attendance_open": managing
        and meeting.status in (MeetingStatus.CONFIRMED, MeetingStatus.HELD)
        and timezone.now() >= meeting.starts_at,
        "report": (
            render_report(meeting.report)
            if meeting.status == MeetingStatus.REPORT_PUBLISHED
            else ""
        ),
        "user_zone": getattr(user, "timezone", "") if user.is_authenticated else "",
    }
    response = render(request, "dialogues/meeting.html", context)
    if user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response
