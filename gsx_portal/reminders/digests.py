"""A person's digest: checked against the present, rendered in their language, sent once.

``reminder_digest_send`` is the one place that sends reminders. It locks the digest row
(``SELECT … FOR UPDATE SKIP LOCKED``) for the whole of the send, asks each item's source whether
the item still holds now (the recipient's role, the object's state), drops what the recipient
turned off, renders what is left and hands it to the mail backend; only once the backend accepted
it are the digest and its items recorded as sent, in the same transaction. A worker that dies
mid-send leaves the row unlocked and unsent (its transaction rolls back), and the redelivered task
or a later sweep sends it. A backend that refuses records the attempt and the next one.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gsx_portal.models import (
    DeliveryState,
    DigestState,
    ReminderDelivery,
    ReminderDigest,
    ReminderOptOut,
)
from gsx_portal.reminders import Kind, kinds, sources

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    sentence: str
    html: str
    url: str


@dataclass(frozen=True)
class Section:
    heading: str
    items: list[Item]


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str
    language: str
    direction: str
    sections: list[Section]
    send_after: datetime | None = None
    item_ids: list[int] = field(default_factory=list)


# --- Sending ---------------------------------------------------------------------------------


def reminder_digest_send(*, digest_id: int, now: datetime | None = None) -> str:
    """Send one pending digest unless another worker has it; return what happened: "sent",
    "retry", "failed" (gave up), "empty" (nothing still due), "postponed" (the person had a
    reminder email less than ``MIN_HOURS_BETWEEN`` hours ago: the items wait for their next
    digest) or "skipped" (gone, done, or being sent elsewhere).

    Effects: items no longer due become ``withdrawn``, items of a kind the recipient turned off
    ``opted_out``; on success the digest is ``sent`` with its subject and language, its items
    ``sent``, and their sources told (``Source.delivered``); on failure ``attempts``,
    ``last_error`` and ``next_attempt_at`` are recorded, and after ``EMAIL_OUTBOX_MAX_ATTEMPTS``
    the digest is ``failed`` (listed for the secretariat).
    """
    with transaction.atomic():
        digest = (
            ReminderDigest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=digest_id, state=DigestState.PENDING)
            .first()
        )
        if digest is None:
            return "skipped"
        now = now or timezone.now()
        if _had_one_lately(digest, now):
            return _postpone(digest)
        waiting = list(
            ReminderDelivery.objects.filter(digest=digest, state=DeliveryState.PENDING).order_by(
                "claimed_at", "pk"
            )
        )
        keep = _settle_dropped(digest.user, waiting, now)
        if not keep:
            digest.state = DigestState.EMPTY
            digest.save(update_fields=["state"])
            return "empty"
        rendered = render_digest(digest.user, keep)
        digest.attempts += 1
        try:
            _message(digest.user, rendered).send()
        except Exception as error:  # the mail server's failures are many and all mean "later"
            return _record_failure(digest, error, now)
        digest.state = DigestState.SENT
        digest.sent_at = timezone.now()
        digest.subject = rendered.subject[:300]
        digest.language = rendered.language
        digest.save(update_fields=["state", "sent_at", "subject", "language", "attempts"])
        ReminderDelivery.objects.filter(pk__in=[item.pk for item in keep]).update(
            state=DeliveryState.SENT, settled_at=digest.sent_at
        )
        _tell_sources(keep)
        return "sent"


# Digests are one per person and *local* day; a person who moves their time zone back, or a
# failed digest the secretariat tries again on a later day, could otherwise make two in a day.
MIN_HOURS_BETWEEN = 20


def _had_one_lately(digest: ReminderDigest, now: datetime) -> bool:
    return (
        ReminderDigest.objects.filter(
            user_id=digest.user_id,
            state=DigestState.SENT,
            sent_at__gt=now - timedelta(hours=MIN_HOURS_BETWEEN),
        )
        .exclude(pk=digest.pk)
        .exists()
    )


def _postpone(digest: ReminderDigest) -> str:
    """Give the digest's items back to the waiting ones (the person's next digest takes them)."""
    ReminderDelivery.objects.filter(digest=digest, state=DeliveryState.PENDING).update(digest=None)
    digest.state = DigestState.POSTPONED
    digest.save(update_fields=["state"])
    return "postponed"


def _settle_dropped(user, waiting: list[ReminderDelivery], now: datetime) -> list:
    keep, withdrawn, opted_out = _sort_out(user, waiting)
    for ids, state in ((withdrawn, DeliveryState.WITHDRAWN), (opted_out, DeliveryState.OPTED_OUT)):
        if ids:
            ReminderDelivery.objects.filter(pk__in=ids).update(state=state, settled_at=now)
    return keep


def _sort_out(user, waiting: list[ReminderDelivery]) -> tuple[list, list[int], list[int]]:
    """The items to send now, and the ids of those no longer due and of those turned off."""
    if not user.is_active:
        return [], [item.pk for item in waiting], []
    known = kinds()
    muted = set(ReminderOptOut.objects.filter(user=user).values_list("kind", flat=True))
    opted_out = [
        item.pk for item in waiting if item.kind in muted and known.get(item.kind, _ANY).opt_out
    ]
    candidates = [item for item in waiting if item.pk not in set(opted_out)]
    holding: set[int] = set()
    for source in sources():
        names = {kind.name for kind in source.kinds}
        mine = [item for item in candidates if item.kind in names]
        if mine:
            holding |= set(source.still_due(mine))
    keep = [item for item in candidates if item.pk in holding]
    withdrawn = [item.pk for item in candidates if item.pk not in holding]
    return keep, withdrawn, opted_out


_ANY = Kind(name="", label="", heading="", sentence=lambda params: "")


def _tell_sources(items: list[ReminderDelivery]) -> None:
    for source in sources():
        if source.delivered is None:
            continue
        names = {kind.name for kind in source.kinds}
        mine = [item for item in items if item.kind in names]
        if not mine:
            continue
        try:
            # A savepoint: a source's bookkeeping must never undo a digest the backend accepted.
            with transaction.atomic():
                source.delivered(mine)
        except Exception:
            logger.exception("reminder source %s failed to record a delivery", source.name)


def _backoff(attempts: int) -> int:
    base = settings.EMAIL_OUTBOX_RETRY_SECONDS
    return min(base * 2 ** (attempts - 1), settings.EMAIL_OUTBOX_MAX_RETRY_SECONDS)


def _record_failure(digest: ReminderDigest, error: Exception, now: datetime) -> str:
    digest.last_error = f"{type(error).__name__}: {error}"[:2000]
    if digest.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
        digest.state = DigestState.FAILED
        digest.save(update_fields=["attempts", "last_error", "state"])
        logger.error(
            "reminders: gave up on digest %s after %d attempts: %s",
            digest.pk,
            digest.attempts,
            digest.last_error,
        )
        return "failed"
    digest.next_attempt_at = now + timedelta(seconds=_backoff(digest.attempts))
    digest.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    logger.warning(
        "reminders: digest %s attempt %d failed (%s); next attempt at %s",
        digest.pk,
        digest.attempts,
        digest.last_error,
        digest.next_attempt_at.isoformat(),
    )
    return "retry"


def _message(user, rendered: RenderedDigest) -> EmailMultiAlternatives:
    # Auto-Submitted keeps out-of-office replies from answering a machine (RFC 3834).
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        None,
        [user.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": rendered.language},
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


# --- Rendering -------------------------------------------------------------------------------


def render_digest(user, items: list[ReminderDelivery]) -> RenderedDigest:
    """The digest of ``items`` in ``user``'s language and time zone: subject, plain text and
    HTML (right to left for Arabic), one section per kind in the sources' order, each item a
    sentence and the absolute link where the recipient acts."""
    language = user.language if user.language in dict(settings.LANGUAGES) else "en"
    zone = user.timezone or "UTC"
    with translation.override(language), timezone.override(_zone(zone)):
        sections = _sections(items)
        count = sum(len(section.items) for section in sections)
        subject = ngettext(
            "GSX Portal: %(count)d reminder for you",
            "GSX Portal: %(count)d reminders for you",
            count,
        ) % {"count": count}
        context = {
            "user": user,
            "sections": sections,
            "count": count,
            "preferences_url": settings.SITE_URL + reverse("reminders:preferences"),
            "site_url": settings.SITE_URL + "/",
            "language": language,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
        }
        text = render_to_string("reminders/email/digest.txt", context)
        html = render_to_string("reminders/email/digest.html", context)
    return RenderedDigest(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        text=text,
        html=html,
        language=language,
        direction=context["direction"],
        sections=sections,
        item_ids=[item.pk for item in items],
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def _sections(items: list[ReminderDelivery]) -> list[Section]:
    known = kinds()
    order = list(known)
    grouped: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: (_rank(order, i.kind), i.claimed_at, i.pk)):
        kind = known.get(item.kind)
        if kind is None:
            continue
        line = _item(kind, item)
        lines = grouped.setdefault(item.kind, [])
        # Two changes of the same kind to one followed item on one day read as one line.
        if line not in lines:
            lines.append(line)
    return [
        Section(heading=str(known[name].heading), items=lines) for name, lines in grouped.items()
    ]


def _rank(order: list[str], kind: str) -> int:
    return order.index(kind) if kind in order else len(order)


def _item(kind: Kind, item: ReminderDelivery) -> Item:
    url = settings.SITE_URL + item.link if item.link else settings.SITE_URL + "/"
    return Item(
        sentence=_sentence(kind, item.params), html=_sentence_html(kind, item.params), url=url
    )


def _sentence(kind: Kind, params: dict) -> str:
    try:
        return kind.sentence(params)
    except (KeyError, TypeError, ValueError):
        # An item claimed before its kind's parameters changed: still sent, never a crash.
        logger.warning("reminder of kind %s cannot be rendered from %s", kind.name, sorted(params))
        return _("An update from the portal is waiting for you.")


def _sentence_html(kind: Kind, params: dict) -> str:
    """The sentence escaped, each of the kind's names in ``<bdi>`` so that an Arabic name in an
    English sentence (or the reverse) keeps its punctuation in place."""
    names = [key for key in kind.names if isinstance(params.get(key), str)]
    if not names:
        return conditional_escape(_sentence(kind, params))
    markers = {key: f"\ue000{i}\ue001" for i, key in enumerate(names)}
    html = str(conditional_escape(_sentence(kind, {**params, **markers})))
    for key, marker in markers.items():
        html = html.replace(marker, format_html("<bdi>{}</bdi>", params[key]))
    return mark_safe(html)  # noqa: S308 (escaped above; names inserted through format_html)


# --- Preview ---------------------------------------------------------------------------------


def digest_preview(user, *, now: datetime | None = None) -> RenderedDigest | None:
    """What ``user``'s next digest would say if it were sent now, and when it may go out;
    ``None`` when nothing is waiting. Reads only: nothing is claimed, settled or sent."""
    now = now or timezone.now()
    waiting = list(
        ReminderDelivery.objects.filter(user=user, state=DeliveryState.PENDING)
        .filter(Q(digest__isnull=True) | Q(digest__state=DigestState.PENDING))
        .order_by("claimed_at", "pk")
    )
    keep, _withdrawn, _opted_out = _sort_out(user, waiting)
    if not keep:
        return None
    rendered = render_digest(user, keep)
    return RenderedDigest(
        **{**rendered.__dict__, "send_after": next_digest_at(user, keep, now)},
    )


def next_digest_at(user, items: list[ReminderDelivery], now: datetime) -> datetime:
    """When the digest carrying ``items`` may go out: now if it is already built, else the
    start of the recipient's next morning without a digest (their time zone)."""
    if any(item.digest_id for item in items):
        return now
    zone = _zone(user.timezone or "UTC")
    start, end = settings.REMINDER_MORNING_HOURS
    local = now.astimezone(zone)
    day = local.date()
    had_today = ReminderDigest.objects.filter(user=user, day=day).exists()
    if not had_today and start <= local.hour < end:
        return now
    if had_today or local.hour >= end:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, start % 24, tzinfo=zone)
