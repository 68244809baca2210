"""A meeting's page: what each reader may see of it (dialogues.selectors decides)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

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


@login_not_required
@require_GET
def meeting_detail(request, public_id):
    meeting = get_object_or_404(
        meetings_visible_to(request.user).select_related("working_group"), public_id=public_id
    )
    user = request.user
    managing = may_manage_meeting(user, meeting)
    context = {
        "meeting": meeting,
        "managing": managing,
        "mine": participation_of(user, meeting),
        "join_url": meeting.join_url if may_see_join_link(user, meeting) else "",
        # The venue is for signed-in people; anonymous visitors see the city.
        "show_venue": user.is_authenticated,
        "agenda": (
            meeting.agenda_items.select_related("theme").order_by("position")
            if managing or not meeting.is_draft
            else []
        ),
        "participants": (
            participants_visible_to(user, meeting) if may_see_participants(user, meeting) else None
        ),
        "balance": balance_of(meeting) if managing else None,
        "action_points": action_points_of(meeting, user),
        "carried_over": action_points_carried_to(meeting, user),
        "visa_late": managing and meeting.visa_deadline_passed(timezone.now()),
        "user_zone": getattr(user, "timezone", "") if user.is_authenticated else "",
    }
    response = render(request, "dialogues/meeting.html", context)
    if user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response
