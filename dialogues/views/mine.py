"""A person's own meetings: their invitations and answers, and their calendar feed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialogues.calendars import calendar_feed_create, calendar_feed_revoke
from dialogues.models import CalendarFeed, ParticipationStatus
from dialogues.selectors import my_participations
from dialogues.services import participation_respond
from organizations.views.confirm import confirmation, with_names

ANSWERED = {
    ParticipationStatus.ACCEPTED: gettext_lazy(
        "You accepted the invitation: your place is confirmed."
    ),
    ParticipationStatus.WAITLISTED: gettext_lazy(
        "The meeting is full: you are on the waiting list, and will be told by email if a "
        "place opens."
    ),
    ParticipationStatus.DECLINED: gettext_lazy("You declined the invitation."),
}


@require_GET
def my_meetings(request):
    return _my_meetings(request)


def _my_meetings(request, *, feed_url: str = ""):
    participations = my_participations(request.user)
    now = timezone.now()
    context = {
        "coming": [p for p in participations if p.meeting.ends_at >= now],
        "past": [p for p in participations if p.meeting.ends_at < now],
        "has_feed": CalendarFeed.objects.filter(
            user=request.user, revoked_at__isnull=True
        ).exists(),
        "feed_url": feed_url,
        # The same link for calendar programs that subscribe to webcal: links.
        "feed_webcal": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
    }
    response = render(request, "dialogues/my_meetings.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


def _answer(request, public_id, *, accept: bool):
    participation = get_object_or_404(my_participations(request.user), meeting__public_id=public_id)
    try:
        participation = participation_respond(
            participation=participation, accept=accept, by=request.user
        )
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            with_names(
                _("%(title)s: %(answer)s"),
                title=participation.meeting.title,
                answer=str(ANSWERED[participation.status]),
            ),
        )
    return redirect("dialogues:my_meetings")


@require_POST
def participation_accept(request, public_id):
    return _answer(request, public_id, accept=True)


@require_http_methods(["GET", "POST"])
def participation_decline(request, public_id):
    """POST declines. GET asks first, for a person whose place is confirmed: it goes at once
    to whoever waits, and accepting again may only put them on the waiting list."""
    if request.method == "POST":
        return _answer(request, public_id, accept=False)
    participation = get_object_or_404(my_participations(request.user), meeting__public_id=public_id)
    response = confirmation(
        request,
        title=with_names(_("Give up your place at %(title)s?"), title=participation.meeting.title),
        explanation=_(
            "Your place goes at once to the first person on the waiting list, if there is one; "
            "if you change your mind, you may only be able to join the waiting list."
        ),
        confirm_label=_("Give up my place"),
        cancel_url=reverse("dialogues:my_meetings"),
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def calendar_feed_new(request):
    token = calendar_feed_create(user=request.user)
    # Shown once, in this answer only (never kept, not even in the session): it works without
    # signing in.
    messages.success(request, _("Your calendar link is ready; any earlier one stopped working."))
    url = request.build_absolute_uri(reverse("dialogues:personal_feed", args=[token]))
    return _my_meetings(request, feed_url=url)


@require_POST
def calendar_feed_stop(request):
    calendar_feed_revoke(user=request.user)
    messages.success(request, _("Your calendar link stopped working."))
    return redirect("dialogues:my_meetings")
