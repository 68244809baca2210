"""In-portal notifications: writes, reads and the sentences they are told in.

Apps that email a person also leave them a ``Notification`` (``notification_add``, in the same
transaction as the change). An app registers, per kind, the function that turns the stored
parameters into a sentence (``register_kind``): it runs when the notification is read, under the
reader's language, so a person who switches language reads every past notification in the new
one. This module knows nothing of the apps (they are layers above it).
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from gsx_portal.models import Notification

logger = logging.getLogger(__name__)
Renderer = Callable[[dict], str]
_kinds: dict[str, Renderer] = {}
_names: dict[str, tuple[str, ...]] = {}
_audiences: dict[str, Callable[[], Q]] = {}
PRIMITIVES = (str, int, float, bool, type(None))


def register_kind(
    kind: str,
    renderer: Renderer,
    *,
    names: tuple[str, ...] = (),
    audience: Callable[[], Q] | None = None,
) -> None:
    """``names``: the parameters that are people's own words (an organization's name), which
    pages isolate for bidirectional text (``notification_html``).

    ``audience``: for a kind sent to people because of a role (the secretariat), the condition
    on the notification's row (``user`` is its recipient) that must still hold when it is read:
    someone who has since lost the role no longer sees what the role let them see."""
    _kinds[kind] = renderer
    _names[kind] = names
    if audience is not None:
        _audiences[kind] = audience


def _still_addressed() -> Q:
    condition = Q()
    for kind, audience in _audiences.items():
        condition &= ~Q(kind=kind) | audience()
    return condition


def registered_kinds() -> list[str]:
    return sorted(_kinds)


def safe_local_path(link: str) -> str:
    """``link`` if it is a path on this site, else "": a notification never leads elsewhere."""
    link = (link or "").strip()
    if (
        not link.startswith("/")
        or link.startswith("//")
        or "\\" in link
        or any(ord(c) < 32 for c in link)
        or not url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    ):
        return ""
    return link


def notification_add(*, users: Iterable, kind: str, params: dict, link: str) -> list[Notification]:
    """Leave the same notification for each of ``users`` (in the caller's transaction).

    Only primitive parameters are stored, and only a local path as the link; the caller chooses
    what goes in and must leave secrets out.
    """
    if kind not in _kinds:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not all(isinstance(value, PRIMITIVES) for value in params.values()):
        raise TypeError("notification parameters must be primitive values")
    link = safe_local_path(link)
    if len(link) > Notification._meta.get_field("link").max_length:
        link = ""  # a notification must never fail the change that it tells of
    rows = [Notification(user=user, kind=kind, params=params, link=link) for user in users]
    for row in rows:
        row.full_clean(exclude=["user"])
    return Notification.objects.bulk_create(rows)


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first: the only ones anyone may see; those sent for
    a role the user no longer has are left out (``register_kind``'s ``audience``)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(user=user)
        .filter(_still_addressed())
        .order_by("-created_at", "-pk")
    )


def unread_count_of(user) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def notification_sentence(notification: Notification) -> str:
    """The notification in one sentence, in the active language."""
    renderer = _kinds.get(notification.kind)
    try:
        if renderer is not None:
            return renderer(notification.params)
    except (KeyError, TypeError, ValueError):
        # A row written before its kind's parameters changed: still listed, never a 500.
        logger.warning(
            "notification %s of kind %s cannot be rendered", notification.pk, notification.kind
        )
    return _("An update from the portal.")


def notification_html(notification: Notification) -> str:
    """The sentence for a page: escaped, each name in ``<bdi>`` so that an Arabic name in an
    English sentence (or the reverse) keeps its punctuation in place."""
    names = [key for key in _names.get(notification.kind, ()) if key in notification.params]
    if not names:
        return conditional_escape(notification_sentence(notification))
    # Private-use markers stand for the names while the sentence is written and escaped.
    markers = {key: f"\ue000{i}\ue001" for i, key in enumerate(names)}
    stand_in = Notification(kind=notification.kind, params={**notification.params, **markers})
    html = str(conditional_escape(notification_sentence(stand_in)))
    for key, marker in markers.items():
        html = html.replace(marker, format_html("<bdi>{}</bdi>", notification.params[key]))
    return mark_safe(html)  # noqa: S308 (escaped above; names inserted through format_html)


@transaction.atomic
def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Mark one of the user's own notifications read (idempotent: the first reading counts)."""
    if notification.user_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; return how many were unread."""
    return notifications_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def notifications_delete_old(now: datetime) -> int:
    """Delete notifications older than ``NOTIFICATION_RETENTION_DAYS`` (a periodic-sweep source)."""
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, _by_model = Notification.objects.filter(created_at__lt=cutoff).delete()
    return deleted
