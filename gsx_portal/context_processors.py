from gsx_portal.notifications import unread_count_of
from organizations.rules import is_vetting_reviewer
from organizations.selectors import requester_organizations
from organizations.selectors.dashboard import dashboard_of


def navigation(request):
    """What the navigation offers the signed-in user: the vetting queue to reviewers and the
    introduction requests to those who may make them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_reviewer": is_vetting_reviewer(user),
        "nav_requester": requester_organizations(user).exists(),
    }


def waiting_counts(request):
    """The header's counts: what waits for the user (the home's own selector, computed once per
    request and shared with the home page) and unread notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "header_waiting": dashboard_of(user).waiting_count,
        "header_unread": unread_count_of(user),
    }
