"""Calendar files: a meeting's, a working group's, and a person's feed (by its token, for
calendar programs that cannot sign in)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from dialogues.calendars import calendar_feed_user, calendar_of, feed_meetings
from dialogues.selectors import meetings_visible_to, working_groups_visible_to

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(body: bytes, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "no-store, private"
    return response


@login_not_required
@require_GET
def meeting_ics(request, public_id):
    meeting = get_object_or_404(meetings_visible_to(request.user), public_id=public_id)
    body = calendar_of([meeting], user=request.user, name=meeting.title)
    return _ics(body, f"meeting-{meeting.public_id}.ics", private=request.user.is_authenticated)


@login_not_required
@require_GET
def working_group_ics(request, slug):
    group = get_object_or_404(working_groups_visible_to(request.user), slug=slug)
    meetings = meetings_visible_to(request.user).filter(working_group=group)
    body = calendar_of(meetings.order_by("starts_at", "id"), user=request.user, name=group.name)
    return _ics(body, f"{group.slug}.ics", private=request.user.is_authenticated)


@login_not_required
@require_GET
def personal_feed(request, token):
    user = calendar_feed_user(token)
    if user is None:
        raise Http404
    body = calendar_of(feed_meetings(user), user=user, name="GSX")
    return _ics(body, "gsx.ics", private=True)
