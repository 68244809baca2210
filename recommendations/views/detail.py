"""A recommendation's page (both perspectives side by side), its stable permalink by reference,
and a source document's page. Public: published recommendations for everyone, drafts for the
secretariat (``recommendations.selectors``); anything else answers 404."""

import re

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from gsx_portal.cached_pages import cached_recommendation, cached_source
from recommendations.models import REFERENCE_PATTERN, Follow
from recommendations.rules import may_manage_recommendations
from recommendations.selectors import recommendations_visible_to, sources_visible_to
from recommendations.selectors_detail import (
    PROGRESS_GROUP,
    STATUS_LABELS,
    actions_of,
    recommendation_page,
    source_page,
)

REFERENCE = re.compile(REFERENCE_PATTERN)


def _private(request, response):
    if request.user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response


@login_not_required
@require_GET
@cached_recommendation
def recommendation_detail(request, public_id):
    user = request.user
    recommendation = get_object_or_404(
        recommendations_visible_to(user).select_related("source", "parent"), public_id=public_id
    )
    # A draft parent is the secretariat's; others see the sub-point on its own.
    parent = recommendation.parent
    if parent is not None and not parent.published and not may_manage_recommendations(user):
        recommendation.parent = None
    page = recommendation_page(recommendation, user)
    context = {
        "page": page,
        "recommendation": recommendation,
        "source": recommendation.source,
        "actions": actions_of(user, recommendation, page.responses),
        "moderating": may_manage_recommendations(user),
        "following": (
            Follow.objects.filter(user=user, recommendation=recommendation).first()
            if user.is_authenticated
            else None
        ),
        "groups": _groups(),
    }
    return _private(request, render(request, "recommendations/detail.html", context))


def _groups():
    """The status groups the disagreement mark compares, for the page's explanation."""
    groups: dict[int, list[str]] = {}
    for status, group in PROGRESS_GROUP.items():
        groups.setdefault(group, []).append(str(STATUS_LABELS[status]))
    return list(groups.values())


@login_not_required
@require_GET
def recommendation_by_reference(request, reference):
    """The human permalink (/recommendations/ref/PVE-CP-2017/POL-2a) to the page; 404 when the
    reader may not see it, or when it cannot be a reference (a NUL byte never reaches the
    database)."""
    if not REFERENCE.fullmatch(reference):
        raise Http404
    recommendation = get_object_or_404(
        recommendations_visible_to(request.user).only("public_id"), reference=reference
    )
    return redirect("recommendations:detail", public_id=recommendation.public_id)


@login_not_required
@require_GET
@cached_source
def source_detail(request, public_id):
    source = get_object_or_404(sources_visible_to(request.user), public_id=public_id)
    context = source_page(source, request.user)
    return _private(request, render(request, "recommendations/source.html", context))
