"""Working groups: the list, and a group's page with its members, its meetings past and coming
and its open action points (what each reader may see of them: dialogues.selectors)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dialogues.rules import (
    may_create_working_group,
    may_manage_working_group,
    may_schedule_meetings,
)
from dialogues.selectors import (
    meetings_visible_to,
    open_action_points_of_group,
    working_groups_visible_to,
)
from gsx_portal.cached_pages import cached_working_group, cached_working_groups


@login_not_required
@require_GET
@cached_working_groups
def working_group_list(request):
    groups = working_groups_visible_to(request.user).prefetch_related("themes").order_by("name")
    user = request.user
    context = {
        "groups": groups,
        "may_create": may_create_working_group(user),
        "may_schedule": may_schedule_meetings(user),
    }
    response = render(request, "dialogues/working_groups.html", context)
    if user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response


@login_not_required
@require_GET
@cached_working_group
def working_group_detail(request, slug):
    user = request.user
    group = get_object_or_404(working_groups_visible_to(user).prefetch_related("themes"), slug=slug)
    now = timezone.now()
    meetings = meetings_visible_to(user).filter(working_group=group)
    context = {
        "group": group,
        "managing": may_manage_working_group(user, group),
        "coming": meetings.filter(ends_at__gte=now).order_by("starts_at", "id"),
        "past": meetings.filter(ends_at__lt=now).order_by("-starts_at", "-id"),
        # People are named to signed-in readers only.
        "conveners": group.conveners.order_by("name", "id") if user.is_authenticated else [],
        "members": group.members.order_by("name", "id") if user.is_authenticated else [],
        "action_points": open_action_points_of_group(group, user),
    }
    response = render(request, "dialogues/working_group.html", context)
    if user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response
