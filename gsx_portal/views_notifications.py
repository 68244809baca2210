"""The notification list: newest first, unread marked, opened through a POST that marks it read
and leads to its (local) link."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gsx_portal.notifications import (
    notification_html,
    notification_mark_read,
    notifications_mark_all_read,
    notifications_of,
    safe_local_path,
)

PAGE_SIZE = 25


@require_GET
def notification_list(request):
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page:
        notification.sentence = notification_html(notification)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "retention_days": settings.NOTIFICATION_RETENTION_DAYS},
    )


@require_POST
def notification_open(request, public_id):
    notification = get_object_or_404(notifications_of(request.user), public_id=public_id)
    notification_mark_read(notification=notification, user=request.user)
    return redirect(safe_local_path(notification.link) or "notifications:list")


@require_POST
def notifications_read_all(request):
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")
