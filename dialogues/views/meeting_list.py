"""The meeting list: the meetings each reader may see (dialogues.selectors), with the same
filters as the API (dialogues.filters.MeetingFilter), coming ones first.

Anonymous visitors get the whole page from the page cache; the body of a signed-in reader's page
is shared with the readers who see the same meetings (``meetings_audience``: most members, who
manage no meeting), as the directory's is."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from dialogues.filters import MeetingFilter
from dialogues.selectors import meetings_audience, meetings_visible_to
from gsx_portal.cached_pages import cached_meeting_list, meeting_list_fragment
from gsx_portal.pagination import CappedPaginator

PAGE_SIZE = 25
# The filters folded in <details> (the search box stays in view); their count is shown.
FILTER_PARAMETERS = ("working_group", "kind", "status", "meeting_format", "country", "region")
FILTER_PARAMETERS += ("from", "to", "updated_since")


@login_not_required
@require_GET
@cached_meeting_list
def meeting_list(request):
    user = request.user
    audience = meetings_audience(user) if user.is_authenticated else None
    body = meeting_list_fragment(
        request, audience=audience, render=lambda: _meeting_list_body(request)
    )
    response = render(request, "dialogues/meetings.html", {"body": body})
    if user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response


def _meeting_list_body(request) -> str:
    """The list as ``request``'s reader sees it, without the site's frame: made from the
    meetings and working groups they see and the query alone (never from the user's own data, a
    session or a token)."""
    data = request.GET.copy()
    # Coming meetings unless the reader asks for past ones or any time ("when=").
    data.setdefault("when", "coming")
    visible = meetings_visible_to(request.user).select_related("working_group")
    filterset = MeetingFilter(data, queryset=visible, request=request)
    # The select sends slugs; that an id works too is for API clients.
    filterset.form.fields["working_group"].help_text = ""
    if filterset.is_valid():
        meetings = filterset.qs
    else:
        # A refused value is shown on the form, and the list is the coming meetings.
        meetings = MeetingFilter({"when": "coming"}, queryset=visible, request=request).qs
    page = CappedPaginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_to_string(
        "dialogues/meetings_body.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "active_filters": sum(1 for name in FILTER_PARAMETERS if request.GET.get(name)),
            "past": filterset.form.data.get("when") == "past",
        },
    )
