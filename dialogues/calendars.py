"""Calendar files (RFC 5545) for meetings, working groups and personal feeds, built with
icalendar. Times are written in the venue's time zone with its VTIMEZONE (generated from the
IANA database), so calendar programs show them right across daylight-saving changes."""

import hashlib
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from dialogues.models import CalendarFeed, Meeting, MeetingStatus
from dialogues.selectors import may_see_join_link, meetings_visible_to

PRODID = "-//Global Solutions Exchange//GSX Portal//EN"
FEED_TOKEN_BYTES = 32


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "gsx-portal"


def meeting_event(meeting: Meeting, *, user) -> Event:
    """One VEVENT: what anyone who may see the meeting may see of it, and its join link for
    those who may (accepted participants and the conveners)."""
    zone = meeting.zone
    event = Event()
    event.add("uid", f"meeting-{meeting.public_id}@{_host()}")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    # Calendar programs replace an event they already have when its sequence grows.
    event.add("sequence", int(meeting.updated_at.timestamp()) % 2**31)
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    elif meeting.status in (MeetingStatus.CONFIRMED, MeetingStatus.HELD):
        event.add("status", "CONFIRMED")
    else:
        event.add("status", "TENTATIVE")
    place = ", ".join(part for part in (meeting.city, meeting.country.name) if part)
    if place:
        event.add("location", place)
    url = settings.SITE_URL + reverse("dialogues:meeting", args=[meeting.public_id])
    event.add("url", url)
    description = [url]
    if may_see_join_link(user, meeting):
        description.append(meeting.join_url)
    event.add("description", "\n".join(description))
    return event


def calendar_of(meetings, *, user, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, user=user))
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- Personal feeds --------------------------------------------------------------------------


def _feed_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user) -> str:
    """A new personal feed token for ``user`` (the previous one stops working); returns it
    once, only its hash is kept."""
    calendar_feed_revoke(user=user)
    raw = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    CalendarFeed.objects.create(user=user, token_hash=_feed_hash(raw))
    return raw


def calendar_feed_revoke(*, user) -> int:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_feed_user(raw: str):
    """The active account whose live feed token is ``raw``, or None."""
    if not raw or len(raw) > 200:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_feed_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def feed_meetings(user) -> QuerySet[Meeting]:
    """The meetings of a person's feed: those they are invited to and those of the working
    groups they belong to or convene, as far as they may see them."""
    mine = (
        Q(participations__user=user)
        | Q(working_group__members=user)
        | Q(working_group__conveners=user)
    )
    ids = Meeting.objects.filter(mine).values("pk")
    return meetings_visible_to(user).filter(pk__in=ids).order_by("starts_at", "id")
