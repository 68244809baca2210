"""The recommendations' reminders, a source of the reminder engine (``gsx_portal.reminders``,
DESIGN.md §3), registered by ``gsx_portal.apps``:

- ``recommendations.cycle_update_request``: while a review cycle is open, on each of its
  reminder days (``reminder_offsets`` days before its window closes, counted in its
  convening's time zone), to the administrators and editors of every addressed organization
  that still lacks a self-report in the cycle for some of its published recommendations, and
  of every civil society organization vetted now (who may give independent assessments) while
  some published recommendation lacks an assessment in the cycle. One item per organization
  and person, object ``cycle:<id>:org:<id>``, occasion ``offset-<days>``.
- ``recommendations.cycle_closing_summary``: on the day the open cycle's window closes, to the
  secretariat: how many addressees and recommendations still lack updates. Occasion
  ``closing``.
- ``recommendations.followed_change``: each change recorded for a follower (``FollowEvent``
  not sent yet), one item per event (object ``recommendation:<public id>``, occasion
  ``event-<id>``); once the digest is sent, ``delivered`` stamps the events' ``sent_at``.

The reads are in ``selectors_reminders``, each a fixed number of queries whatever the number of
rows."""

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gsx_portal.reminders import Due, Kind, Source, falls_due
from recommendations import selectors_reminders as reads
from recommendations.filters import NO_UPDATE
from recommendations.models import CycleState, FollowEventKind, ReviewCycle
from recommendations.services.follows import follow_events_mark_sent

UPDATE_REQUEST = "recommendations.cycle_update_request"
CLOSING_SUMMARY = "recommendations.cycle_closing_summary"
FOLLOWED_CHANGE = "recommendations.followed_change"

# --- Sentences (written in the recipient's language when the digest is rendered) ------------


def _day(iso: str) -> str:
    return formats.date_format(date.fromisoformat(iso), "DATE_FORMAT")


def _update_request_sentence(p: dict) -> str:
    parts = []
    names = {"organization": p["organization"], "cycle": p["cycle"]}
    if p["lacking"]:
        parts.append(
            ngettext(
                "«%(organization)s» has not yet reported, in the review cycle «%(cycle)s», on "
                "%(count)s recommendation addressed to it.",
                "«%(organization)s» has not yet reported, in the review cycle «%(cycle)s», on "
                "%(count)s recommendations addressed to it.",
                p["lacking"],
            )
            % {**names, "count": p["lacking"]}
        )
    if p["assessments"]:
        parts.append(
            ngettext(
                "%(count)s published recommendation has no independent assessment yet in the "
                "review cycle «%(cycle)s»; as a vetted civil society organization, "
                "«%(organization)s» may give one.",
                "%(count)s published recommendations have no independent assessment yet in "
                "the review cycle «%(cycle)s»; as a vetted civil society organization, "
                "«%(organization)s» may give them.",
                p["assessments"],
            )
            % {**names, "count": p["assessments"]}
        )
    parts.append(_("The window for updates closes on %(date)s.") % {"date": _day(p["closes_on"])})
    return " ".join(parts)


def _closing_summary_sentence(p: dict) -> str:
    parts = [
        _("The window for updates of the review cycle «%(cycle)s» closes on %(date)s.")
        % {"cycle": p["cycle"], "date": _day(p["closes_on"])}
    ]
    counts = (
        (
            p["addressees"],
            ngettext(
                "%(count)s addressed organization has not reported on every recommendation "
                "addressed to it.",
                "%(count)s addressed organizations have not reported on every recommendation "
                "addressed to them.",
                p["addressees"],
            ),
        ),
        (
            p["recommendations"],
            ngettext(
                "%(count)s published recommendation lacks a self-report from an addressee.",
                "%(count)s published recommendations lack a self-report from an addressee.",
                p["recommendations"],
            ),
        ),
        (
            p["assessments"],
            ngettext(
                "%(count)s published recommendation has no independent assessment.",
                "%(count)s published recommendations have no independent assessment.",
                p["assessments"],
            ),
        ),
    )
    parts += [text % {"count": count} for count, text in counts if count]
    if not any(count for count, _text in counts):
        parts.append(_("Every addressee has reported and every recommendation is assessed."))
    return " ".join(parts)


def _followed_change_sentence(p: dict) -> str:
    names = {"reference": p["reference"], "title": p["title"]}
    if p["change"] == FollowEventKind.RESPONSE:
        return _("A response was recorded to %(reference)s «%(title)s».") % names
    if p["change"] == FollowEventKind.UPDATE:
        return _("An implementation update was published on %(reference)s «%(title)s».") % names
    return _("%(reference)s «%(title)s» was published.") % names


KINDS = (
    Kind(
        name=UPDATE_REQUEST,
        label=gettext_lazy("Review cycle: updates requested from your organization"),
        heading=gettext_lazy("Updates requested for the review cycle"),
        sentence=_update_request_sentence,
        names=("organization", "cycle"),
    ),
    Kind(
        name=CLOSING_SUMMARY,
        label=gettext_lazy("Review cycle: what still lacks updates when the window closes"),
        heading=gettext_lazy("A review cycle's window closes"),
        sentence=_closing_summary_sentence,
        names=("cycle",),
    ),
    Kind(
        name=FOLLOWED_CHANGE,
        label=gettext_lazy("Changes to the recommendations, themes and groups you follow"),
        heading=gettext_lazy("Changes to what you follow"),
        sentence=_followed_change_sentence,
        names=("reference", "title"),
    ),
)


# --- What is due ----------------------------------------------------------------------------


def _link(name: str, *args, query: str = "") -> str:
    return reverse(f"recommendations:{name}", args=args) + (f"?{query}" if query else "")


def _reminder_day(cycle: ReviewCycle, since: datetime, now: datetime) -> int | None:
    """The offset of the cycle's reminder day that falls in the sweep; the nearest to the
    close if a catch-up spans several (one request at a time is enough)."""
    zone = cycle.convening.zone
    offsets = [
        offset
        for offset in cycle.reminder_offsets
        if falls_due(cycle.closes_on - timedelta(days=offset), zone, since, now)
    ]
    return min(offsets, default=None)


def _update_requests(cycle: ReviewCycle, offset: int, now: datetime):
    """One item per organization asked and each of its administrators and editors. The link:
    the recommendations addressed to the organization, where each has its self-report form;
    for a civil society organization asked only for assessments, those nobody assessed yet."""
    assessments, rows = reads.update_request_rows(cycle, now)
    # The addresses differ only by the organization's id: reversed once, not per row.
    to_report = _link("list", query="organization=")
    to_assess = _link("list", query=f"independent_status={NO_UPDATE}")
    base = {"cycle": cycle.name, "closes_on": cycle.closes_on.isoformat()}
    for user_id, org_id, public_id, name, lacking, monitors in rows:
        yield Due(
            user_id=user_id,
            kind=UPDATE_REQUEST,
            object_key=f"cycle:{cycle.pk}:org:{org_id}",
            occasion=f"offset-{offset}",
            params={
                **base,
                "organization": name,
                "lacking": lacking,
                "assessments": assessments if monitors else 0,
            },
            link=f"{to_report}{public_id}" if lacking else to_assess,
        )


def _closing_summaries(cycle: ReviewCycle):
    params = {
        "cycle": cycle.name,
        "closes_on": cycle.closes_on.isoformat(),
        **reads.closing_counts(cycle),
    }
    link = _link("cycle", cycle.public_id)
    for user_id in reads.secretariat_ids():
        yield Due(user_id, CLOSING_SUMMARY, f"cycle:{cycle.pk}", "closing", params, link)


def _followed_changes(since: datetime, now: datetime):
    """The changes recorded for followers on the sweep's days (counted in UTC), not sent yet."""
    first = datetime.combine(since.astimezone(UTC).date(), time.min, tzinfo=UTC)
    placeholder = str(UUID(int=0))
    link = _link("detail", placeholder)
    for pk, user_id, change, public_id, reference, title in reads.unsent_follow_events(first, now):
        yield Due(
            user_id=user_id,
            kind=FOLLOWED_CHANGE,
            object_key=f"recommendation:{public_id}",
            occasion=f"event-{pk}",
            params={"reference": reference, "title": title, "change": change},
            link=link.replace(placeholder, str(public_id)),
        )


def due(since: datetime, now: datetime):
    """What fell due from ``since`` to ``now``: a fixed number of queries (one for the open
    cycle; for it, two for its requests and three for its closing summary; one for the
    followed changes), the rows streamed."""
    for cycle in reads.open_cycles():
        offset = _reminder_day(cycle, since, now)
        if offset is not None:
            yield from _update_requests(cycle, offset, now)
        if falls_due(cycle.closes_on, cycle.convening.zone, since, now):
            yield from _closing_summaries(cycle)
    yield from _followed_changes(since, now)


# --- Whether claimed items still hold, now ----------------------------------------------------


def _key_ids(key: str, *labels: str) -> tuple[int, ...] | None:
    """The ids of a key made of ``labels`` and ids ("cycle:3:org:7"); None if it is not one."""
    parts = key.split(":")
    if len(parts) != 2 * len(labels) or tuple(parts[::2]) != labels:
        return None
    if not all(part.isdigit() for part in parts[1::2]):
        return None
    return tuple(int(part) for part in parts[1::2])


def _event_id(item) -> int | None:
    key = _key_ids(item.occasion.replace("-", ":", 1), "event")
    return key[0] if key else None


def _requests_hold(requests: dict, cycles: dict) -> set[int]:
    """An update request holds while its cycle is open, the person is still an administrator
    or editor of the organization, and the organization still lacks a self-report, or is a
    civil society organization vetted now while assessments still lack. Three queries."""
    if not requests:
        return set()
    users = {user for user, _cycle, _org in requests.values()}
    organizations = {org for _user, _cycle, org in requests.values()}
    asked = reads.asked_now(users, organizations)
    monitors = reads.monitors_now(organizations)
    open_cycles = {pk for pk, (state, _lacking) in cycles.items() if state == CycleState.OPEN}
    lacking = reads.still_lacking(
        {(cycle, org) for _user, cycle, org in requests.values() if cycle in open_cycles}
    )
    return {
        pk
        for pk, (user, cycle, org) in requests.items()
        if cycle in open_cycles
        and (user, org) in asked
        and ((cycle, org) in lacking or (org in monitors and cycles[cycle][1]))
    }


def _summaries_hold(summaries: dict, cycles: dict) -> set[int]:
    """A closing summary holds for whoever is in the secretariat now, while its cycle is open
    or closed (the counts say how the window closed). One query."""
    if not summaries:
        return set()
    members = reads.secretariat_among({user for user, _cycle in summaries.values()})
    return {
        pk
        for pk, (user, cycle) in summaries.items()
        if user in members and cycle in cycles and cycles[cycle][0] != CycleState.UPCOMING
    }


def still_due(items) -> set[int]:
    """The ids of the claimed items (``ReminderDelivery`` rows of this source) that still hold
    now. At most six queries, whatever the number of items."""
    requests, summaries, changes = {}, {}, {}
    for item in items:
        if item.kind == UPDATE_REQUEST and (key := _key_ids(item.object_key, "cycle", "org")):
            requests[item.pk] = (item.user_id, *key)
        elif item.kind == CLOSING_SUMMARY and (key := _key_ids(item.object_key, "cycle")):
            summaries[item.pk] = (item.user_id, *key)
        elif item.kind == FOLLOWED_CHANGE and (event := _event_id(item)) is not None:
            changes[item.pk] = (item.user_id, event)
    cycles = reads.cycles_now(
        {cycle for _user, cycle, _org in requests.values()}
        | {cycle for _user, cycle in summaries.values()}
    )
    held_changes = reads.follow_events_still_due({event for _user, event in changes.values()})
    return (
        _requests_hold(requests, cycles)
        | _summaries_hold(summaries, cycles)
        | {pk for pk, pair in changes.items() if pair in held_changes}
    )


def delivered(items) -> None:
    """The followed changes were sent: their events' ``sent_at`` says so (one query)."""
    follow_events_mark_sent(
        pairs={
            (item.user_id, event)
            for item in items
            if item.kind == FOLLOWED_CHANGE and (event := _event_id(item)) is not None
        },
        at=timezone.now(),
    )


SOURCE = Source(
    name="recommendations",
    kinds=KINDS,
    due=due,
    still_due=still_due,
    delivered=delivered,
)
