"""The road to the convening: a year's meetings and events by working group and month
(dialogues.timeline builds the grid; each source decides what the reader may see)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dialogues.timeline import FIRST_YEAR, LAST_YEAR, timeline_of
from gsx_portal.cached_pages import cached_timeline


@login_not_required
@require_GET
@cached_timeline
def timeline(request, year=None):
    today = timezone.localdate()
    year = today.year if year is None else year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    grid = timeline_of(request.user, year, today=today)
    response = render(request, "dialogues/timeline.html", {"timeline": grid})
    if request.user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response
