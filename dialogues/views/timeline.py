"""The road to the convening: a year's meetings and events by working group and month
(dialogues.timeline builds the grid; each source decides what the reader may see).

Anonymous visitors get the whole page from the page cache; a signed-in reader whose grid is
everyone's of their audience (``timeline_audience``: most members, who manage no meeting) gets
the grid rendered once for all of them (``shared_fragment``), in the page rendered for them."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from dialogues.timeline import FIRST_YEAR, LAST_YEAR, timeline_audience, timeline_of
from gsx_portal.cached_pages import cached_timeline
from gsx_portal.page_cache import shared_fragment


@login_not_required
@require_GET
@cached_timeline
def timeline(request, year=None):
    today = timezone.localdate()
    year = today.year if year is None else year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    user = request.user
    audience = timeline_audience(user) if user.is_authenticated else None
    grid = shared_fragment(
        "dialogues:timeline",
        audience=audience,
        # The current month is marked: part of the key, so that a grid of last month's ends.
        query=f"year={year}&today={today:%Y-%m}",
        render=lambda: render_to_string(
            "dialogues/timeline_grid.html", {"timeline": timeline_of(user, year, today=today)}
        ),
    )
    response = render(
        request,
        "dialogues/timeline.html",
        {
            "grid": grid,
            "year": year,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
        },
    )
    if user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response
