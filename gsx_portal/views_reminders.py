"""The reminder pages: each person's preferences (which reminder emails they get), and for the
secretariat the log of reminders claimed, the digests that failed (to try again) and a preview of
anyone's next digest.

The secretariat's pages answer 404 to everyone else, asked against the roles now
(``organizations.rules.is_secretariat``, staff included). They work without JavaScript."""

from datetime import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gsx_portal.models import ReminderDigest
from gsx_portal.pagination import CappedPaginator
from gsx_portal.reminders.forms import (
    PreviewForm,
    ReminderLogFilter,
    ReminderPreferencesForm,
)
from gsx_portal.reminders.log import (
    reminder_digest_retry,
    reminder_digests_failed,
    reminder_log,
    reminder_log_describe,
)
from gsx_portal.reminders.preferences import (
    reminder_kind_groups,
    reminder_kinds_muted,
    reminder_preferences_set,
)
from organizations.rules import is_secretariat

LOG_PAGE_SIZE = 50
FAILED_PAGE_SIZE = 25
LOG_FILTERS = ("kind", "state", "digest_state", "recipient", "claimed_from", "claimed_to")


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _secretariat_only(request) -> None:
    if not is_secretariat(request.user):
        raise Http404


# --- Preferences ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def preferences(request):
    """Every kind of reminder that may be turned off, ticked when the person gets it."""
    user = request.user
    muted = reminder_kinds_muted(user)
    form = ReminderPreferencesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reminder_preferences_set(user=user, muted=form.muted(muted))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your reminder preferences were saved."))
            return redirect("reminders:preferences")
    ticked = form.ticked(muted)
    groups = [
        (group, [(kind, kind.name in ticked) for kind in group.kinds])
        for group in reminder_kind_groups()
    ]
    start, end = settings.REMINDER_MORNING_HOURS
    context = {
        "form": form,
        "groups": groups,
        "time_zone": user.timezone,
        # When digests go out (gsx_portal.reminders.digests.next_digest_at), as times of day.
        "any_hour": end - start >= 24,
        "from_hour": time(start),
        "to_hour": time(end % 24),
    }
    return _private(render(request, "reminders/preferences.html", context))


# --- The secretariat's log ------------------------------------------------------------------


@require_GET
def log(request):
    """Every reminder claimed, newest first, with its recipient, sentence and digest."""
    _secretariat_only(request)
    filterset = ReminderLogFilter(request.GET or None, queryset=reminder_log(), request=request)
    # Fields with an error are left out of the filter; the others still apply.
    rows = filterset.qs if filterset.is_bound else reminder_log()
    page = CappedPaginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = reminder_log_describe(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "active_filters": sum(1 for name in LOG_FILTERS if request.GET.get(name)),
    }
    return _private(render(request, "reminders/log.html", context))


@require_GET
def failed(request):
    """The digests given up on, each with a button to try again."""
    _secretariat_only(request)
    page = CappedPaginator(reminder_digests_failed(), FAILED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _private(render(request, "reminders/failed.html", {"page": page}))


@require_POST
def retry(request, pk):
    _secretariat_only(request)
    digest = get_object_or_404(ReminderDigest, pk=pk)
    try:
        reminder_digest_retry(digest=digest, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The digest to %(email)s will be sent again by the next sweep.")
            % {"email": digest.user.email},
        )
    return redirect("reminders:failed")


@require_http_methods(["GET", "POST"])
def preview(request):
    """What a person's next digest would hold now, without claiming or sending anything.

    The person is chosen by a POST, so that their email address stays out of the address bar,
    the browser's history and the server's access logs."""
    _secretariat_only(request)
    form = PreviewForm(request.POST if request.method == "POST" else None)
    person = digest = None
    if request.method == "POST" and form.is_valid():
        from gsx_portal.reminders.digests import digest_preview

        person = form.user
        digest = digest_preview(person)
    context = {"form": form, "person": person, "digest": digest}
    return _private(render(request, "reminders/preview.html", context))
