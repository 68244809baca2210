from organizations.rules import is_requester, is_secretariat, is_vetting_reviewer
from organizations.selectors.dashboard import header_counts_of


def navigation(request):
    """What the navigation offers the signed-in user: the vetting queue to reviewers and the
    introduction requests to those who may make them (one memoised role query for both)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_reviewer": is_vetting_reviewer(user),
        "nav_requester": is_requester(user),
        # The reminder log (gsx_portal.views_reminders): the secretariat and staff.
        "nav_secretariat": is_secretariat(user),
    }


def waiting_counts(request):
    """The header's counts: what waits for the user and unread notifications, in one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = header_counts_of(user)
    return {"header_waiting": counts["waiting"], "header_unread": counts["unread"]}
