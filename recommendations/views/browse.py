"""The recommendations' list: what the reader may see (``recommendations_visible_to``), with
the filters of the API and the exports (``RecommendationFilter``), each option labelled with
how many results it keeps (``recommendations.facets``), sorted, paginated, and at an address
that is the view's permalink.

Anonymous visitors get the whole page from the page cache (``cached_recommendation_list``);
a signed-in reader's page is rendered for them (the secretariat also sees drafts)."""

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gsx_portal.cached_pages import cached_recommendation_list, recommendation_list_permalink
from gsx_portal.pagination import CappedPaginator
from organizations.rules import is_secretariat
from recommendations import facets
from recommendations.filters import ORDERING_CHOICES, RecommendationFilter, by_relevance
from recommendations.models import AddresseeType
from recommendations.rules import may_manage_recommendations
from recommendations.selectors import recommendations_visible_to

PAGE_SIZE = 25
# A search's matches are counted up to this many (then "more than 1,000"), and ranked by
# relevance only when they were counted exactly (recommendations.filters.by_relevance).
SEARCH_COUNT_CAP = 1_000
# The filters folded in <details> on small screens (the search box and the sort stay in view).
FILTER_PARAMETERS = (
    "theme",
    "addressee_type",
    "organization",
    "self_status",
    "independent_status",
    "source",
    "working_group",
    "cycle",
    "section",
    "country",
    "region",
    "year",
    "published",
    "updated_since",
)
ADDRESSEE_LABELS = dict(AddresseeType.choices)


def _canonical_address(view):
    """Sends a query that is not in its canonical form (empty fields of the submitted form,
    another order, unknown parameters) to the address that is: the one the page shows as its
    permalink and the page cache keys. Before the cache, so that both addresses never coexist
    in the address bar."""

    def wrapper(request, *args, **kwargs):
        pairs = recommendation_list_permalink(request.GET)
        asked = [(name, value) for name, values in request.GET.lists() for value in values]
        if asked != pairs:
            return HttpResponseRedirect(request.path + (f"?{urlencode(pairs)}" if pairs else ""))
        return view(request, *args, **kwargs)

    return functools.wraps(view)(wrapper)


@login_not_required
@require_GET
@_canonical_address
@cached_recommendation_list
def recommendation_list(request):
    user = request.user
    visible = recommendations_visible_to(user).select_related("source")
    visible = visible.prefetch_related("themes")
    filterset = RecommendationFilter(request.GET, queryset=visible, request=request)
    valid = filterset.is_valid()
    text = filterset.form.cleaned_data.get("q", "") if valid else ""
    page, counts, ranked = None, None, False
    if valid:
        results = filterset.qs
        cap = SEARCH_COUNT_CAP if text else settings.LIST_COUNT_CAP
        paginator = CappedPaginator(results, PAGE_SIZE, cap=cap)
        if text and not filterset.form.cleaned_data.get("ordering"):
            # Ranked only when counted, so at most SEARCH_COUNT_CAP matches: cheap to rank.
            ranked = not paginator.count_capped
            if ranked:
                paginator.object_list = by_relevance(results, text)
        page = paginator.get_page(request.GET.get("page"))
        for recommendation in page.object_list:
            recommendation.addressee_labels = [
                ADDRESSEE_LABELS.get(value, value) for value in recommendation.addressee_types
            ]
        if not paginator.count_capped and paginator.count <= facets.FACET_COUNTS_LIMIT:
            counts = facets.facet_counts(results)
    secretariat = is_secretariat(user)
    _prepare_form(filterset, counts, secretariat=secretariat)
    permalink = urlencode([p for p in recommendation_list_permalink(request.GET) if p[0] != "page"])
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "recommendations/list.html",
        {
            "filter": filterset,
            "valid": valid,
            "page": page,
            "query": query.urlencode(),
            "permalink": request.path + (f"?{permalink}" if permalink else ""),
            # The exports take the same query (the same FilterSet): what the list shows.
            "view_query": permalink,
            "counted": counts is not None,
            "counts_limit": facets.FACET_COUNTS_LIMIT,
            "ranked": ranked,
            "searching": bool(text),
            "active_filters": sum(1 for name in FILTER_PARAMETERS if request.GET.get(name)),
            "secretariat": secretariat,
            # The secretariat's ways into the catalogue and moderation, linked from nowhere else.
            "manages": may_manage_recommendations(user),
        },
        status=200 if valid else 400,
    )
    if user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response


def _prepare_form(filterset, counts, *, secretariat: bool) -> None:
    """The form as the page shows it: each option with its count, the default order named, and
    the fields that are not for this reader (published: the secretariat's; updated_since: the
    API's, unless asked) left out."""
    form = filterset.form
    facets.label_facets(filterset, counts)
    form.fields["ordering"].widget.choices = [
        ("", _("Best match, for a search; else reference")),
        *ORDERING_CHOICES,
    ]
    if not secretariat and not form.data.get("published"):
        del form.fields["published"]
    if not form.data.get("updated_since"):
        del form.fields["updated_since"]
    # The select sends the value each option has; how an API client may name one (an id, a
    # slug) is not for the page. Without counts, the long lists hold the chosen option only.
    for name in ("organization", "source", "working_group", "cycle"):
        help_text = ""
        if name in ("organization", "source") and counts is None:
            help_text = _("Narrow the list to choose among them.")
        elif name == "cycle":
            help_text = _("With an update in this cycle.")
        form.fields[name].help_text = form[name].help_text = help_text
