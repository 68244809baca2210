"""The reminder engine (DESIGN.md §3): one periodic sweep asks each app what is due now.

Two things register here, both from ``gsx_portal.apps`` so that the engine never imports an app:

- **Sources** (``register_source``): an app's reminders. A source names its kinds and answers two
  questions. ``due(since, now)``: which reminders fell due between the last sweep and now, as
  ``Due`` items (recipient, kind, object, occasion, and the few primitive parameters its sentence
  needs). ``still_due(items)``: of the items claimed for a digest, which still hold *now*, against
  the recipient's role and the object's state at the moment of sending. The engine claims each
  item once in the ledger (``ReminderDelivery``, unique on recipient, kind, object and occasion),
  gathers a person's items into one digest a day and sends it (``gsx_portal.reminders.sweep`` and
  ``.digests``).
- **Jobs** (``register_job``): housekeeping the same sweep runs (``fn(now) -> int``): mail still
  unsent, introductions that expired, notifications past retention.

Reminders are never scheduled ahead as delayed tasks: each sweep looks at the data as it is.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

logger = logging.getLogger(__name__)

PRIMITIVES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Kind:
    """One kind of reminder.

    ``name``: ``<app>.<what>``, stored in the ledger. ``label``: a lazy translated noun phrase for
    the account page's opt-out and the log's filter ("Action points coming due").
    ``sentence(params)``: the item in one sentence in the active language, written when the digest
    is rendered. ``heading``: the digest's heading over the items of this kind. ``names``: the
    parameters that are people's own words (an organization's name, a meeting's title), isolated
    for bidirectional text in the HTML part. ``opt_out``: False for reminders a role cannot refuse
    (none today); security mail never goes through the engine at all.
    """

    name: str
    label: object
    heading: object
    sentence: Callable[[dict], str]
    names: tuple[str, ...] = ()
    opt_out: bool = True


@dataclass(frozen=True)
class Due:
    """One reminder for one person. The ledger's key is (user, kind, object_key, occasion): the
    same key claimed twice is sent once. ``occasion`` tells repeated reminders about one object
    apart ("offset-60", "overdue", a date). ``params`` are primitive values for the sentence:
    never a contact detail, a location, a join link or a passport fact (``gsx_portal.sensitive``).
    ``link`` is a local path where the recipient acts."""

    user_id: int
    kind: str
    object_key: str
    occasion: str
    params: dict = field(default_factory=dict)
    link: str = ""


@dataclass(frozen=True)
class Source:
    """An app's reminders. ``due(since, now)`` yields ``Due`` items whose day fell in the span
    (``falls_due``); ``still_due(items)`` takes the claimed ``ReminderDelivery`` rows about to be
    sent (all of this source's kinds, any recipients) and returns the ids of those that still
    hold now; ``delivered(items)``, if given, is told which were sent (after the mail backend
    accepted the digest)."""

    name: str
    kinds: tuple[Kind, ...]
    due: Callable[[datetime, datetime], Iterable[Due]]
    still_due: Callable[[list], set[int]]
    delivered: Callable[[list], None] | None = None


Job = Callable[[datetime], int]
_jobs: dict[str, Job] = {}
_sources: dict[str, Source] = {}


def register_job(name: str, job: Job) -> None:
    _jobs[name] = job


def unregister_job(name: str) -> None:
    _jobs.pop(name, None)


def register_source(source: Source) -> None:
    _sources[source.name] = source


def unregister_source(name: str) -> None:
    _sources.pop(name, None)


def registered() -> list[str]:
    return sorted([*_jobs, *_sources])


def sources() -> list[Source]:
    return [_sources[name] for name in sorted(_sources)]


def kinds() -> dict[str, Kind]:
    """Every registered kind by name, in the sources' order."""
    return {kind.name: kind for source in sources() for kind in source.kinds}


def source_of_kind(kind: str) -> Source | None:
    for source in _sources.values():
        if any(k.name == kind for k in source.kinds):
            return source
    return None


# --- Days ----------------------------------------------------------------------------------


def local_date(moment: datetime, zone: ZoneInfo | str) -> date:
    return moment.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)).date()


def falls_due(day: date, zone: ZoneInfo | str, since: datetime, now: datetime) -> bool:
    """Whether a reminder whose day is ``day`` (counted in ``zone``) is due in a sweep that covers
    ``since`` to ``now``: from the local date of ``since`` to today's, both included.

    A sweep asks again for the day of its previous run, so something that became due later that
    day (an action point created with its due date 14 days ahead) is still reminded; the ledger
    makes the repeat send nothing. The engine starts ``since`` at the previous sweep, capped a few
    days back, so a beat that was down catches up; a first sweep covers today only.
    """
    return local_date(since, zone) <= day <= local_date(now, zone)


def date_span(since: datetime, now: datetime) -> tuple[date, date]:
    """The UTC dates that ``falls_due`` can reach in any time zone (±14 hours, so a day either
    side): a source narrows its query with them, then checks each row with ``falls_due``."""
    return (since.astimezone(ZoneInfo("UTC")).date() - timedelta(days=1)), (
        now.astimezone(ZoneInfo("UTC")).date() + timedelta(days=1)
    )


# --- The sweep -------------------------------------------------------------------------------


def reminders_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Run every job and every source once; return what each did (jobs: their count; sources:
    the items they claimed), and under ``digests`` how many digests were queued.

    A failing job or source is logged and skipped so that one broken app cannot silence the
    others; it is asked again on the next sweep (a source from where it last succeeded).
    """
    from gsx_portal.reminders.sweep import sweep

    now = now or timezone.now()
    done: dict[str, int] = {}
    for name in sorted(_jobs):
        try:
            done[name] = _jobs[name](now)
        except Exception:
            logger.exception("sweep job %s failed", name)
            done[name] = 0
    done.update(sweep(now=now, sources=sources()))
    return done
