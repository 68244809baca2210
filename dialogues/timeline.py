"""The road to the convening: a year's meetings and events, one column per working group and one
for the annual convening and the events without a group, one row per month (the table of the
2017 concept note, "Implementation Timeline").

What goes into the grid comes from *sources*: callables registered by name with
``register_timeline_source``, each called with ``(user, year)`` and returning the
``TimelineEntry`` items of that year ``user`` may see. Dialogues' own meetings are the first
source (registered in ``DialoguesConfig.ready``); a later app (recommendations: publications,
review-cycle milestones) registers its own from its ``ready`` without dialogues importing it,
as apps register reminder sources with ``gsx_portal.reminders``. A source decides visibility
for what it returns, in a constant number of queries.

A source may also name its *audience* (a callable of the user): who else gets exactly the same
entries from it ("network", say), or None when they are the user's own. When every source, and
the working groups' columns, name one for the reader, the rendered grid is shared by everyone
with the same audiences (``dialogues.views.timeline``, ``gsx_portal.page_cache.shared_fragment``);
a source that names none keeps every reader's grid their own.

A month's cell shows its first ``CELL_ENTRIES`` entries and a link to the rest in the meeting
list (the working group's meetings of that month; for the last column, every meeting of that
month): a year of a busy network holds hundreds of meetings, too many to read in one table.
"""

import calendar
import logging
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogues.models import MeetingFormat, MeetingKind, MeetingStatus
from dialogues.selectors import meetings_audience, meetings_visible_to, working_groups_visible_to

logger = logging.getLogger(__name__)

# Years the timeline answers for; any other is a 404 (and keeps URLs and work bounded).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The last column's key: the annual convening and the events of no working group (or of one the
# reader has no column for).
CONVENING = "convening"
CONVENING_NAME = _("Annual convening and other events")
# Entries shown in one cell; the rest are behind a "more" link.
CELL_ENTRIES = 3
# The widest gap between a venue's time and UTC (UTC-12 to UTC+14): a meeting's local year is
# looked for this far on either side of the UTC year.
ZONE_MARGIN = timedelta(hours=14)


@dataclass(frozen=True)
class TimelineEntry:
    """One line in a cell. ``column`` is a working group's id or ``CONVENING``; ``kind`` a short
    word (a meeting's kind, "publication", "milestone") and ``kind_label`` how it is shown."""

    date: date
    column: int | str
    label: str
    url: str = ""
    kind: str = ""
    kind_label: str = ""
    cancelled: bool = False
    detail: str = ""  # a short note: a city, "Online"
    tag: str = ""  # a state worth flagging, e.g. "Draft" (cancelled entries are flagged anyway)

    def __post_init__(self):
        # A day, not a moment: which day a moment falls on depends on a time zone, which only
        # the source knows (a meeting's is its venue's).
        if isinstance(self.date, datetime) or not isinstance(self.date, date):
            raise TypeError("A timeline entry's date is a datetime.date, not a datetime.")


TimelineSource = Callable[[object, int], Iterable[TimelineEntry]]
Audience = Callable[[object], str | None]
_sources: dict[str, TimelineSource] = {}
_audiences: dict[str, Audience] = {}


def register_timeline_source(
    name: str, source: TimelineSource, *, audience: Audience | None = None
) -> None:
    """Add (or replace) the source called ``name``; sources are asked in registration order.
    ``audience(user)``: who else gets exactly ``source(user, year)`` (a short word, the same
    for all of them), or None for the user's own; without it, no grid is shared."""
    _sources[name] = source
    if audience is None:
        _audiences.pop(name, None)
    else:
        _audiences[name] = audience


def unregister_timeline_source(name: str) -> None:
    _sources.pop(name, None)
    _audiences.pop(name, None)


def timeline_audience(user) -> str | None:
    """Who else sees exactly the grid ``user`` sees (the columns and every source's entries),
    as one key, or None when it is the user's own."""
    groups = meetings_audience(user)  # the columns: working_groups_visible_to
    if groups is None:
        return None
    parts = [f"groups={groups}"]
    for name in _sources:
        audience = _audiences.get(name)
        part = audience(user) if audience is not None else None
        if part is None:
            return None
        parts.append(f"{name}={part}")
    return ";".join(parts)


def timeline_sources() -> list[str]:
    return list(_sources)


@dataclass
class TimelineColumn:
    key: int | str
    name: str
    url: str = ""  # the working group's page
    slug: str = ""  # the working group's, for the meeting list's filter


@dataclass
class TimelineCell:
    column: TimelineColumn
    entries: list[TimelineEntry] = field(default_factory=list)
    more: int = 0  # entries beyond those shown
    more_url: str = ""  # the meeting list for this column and month


@dataclass
class TimelineRow:
    month: date  # its first day
    cells: list[TimelineCell]
    current: bool = False  # today's month, in the reader's time zone

    @property
    def empty(self) -> bool:
        return not any(cell.entries for cell in self.cells)


@dataclass
class Timeline:
    year: int
    columns: list[TimelineColumn]
    rows: list[TimelineRow]

    @property
    def previous_year(self) -> int | None:
        return self.year - 1 if self.year > FIRST_YEAR else None

    @property
    def next_year(self) -> int | None:
        return self.year + 1 if self.year < LAST_YEAR else None


def timeline_of(user, year: int, *, today: date | None = None) -> Timeline:
    """The year's grid as ``user`` may see it: a column per active working group they may see
    (by name), then the convening's; a row per month; in each cell the month's entries of every
    source, by date (sources in registration order, each in its own order, within a day).

    An entry whose column the reader has none for (a closed group's meeting) goes to the last
    column rather than disappear. A source that fails is logged and left out, so that one
    broken app cannot take the page down."""
    today = today or timezone.localdate()
    groups = working_groups_visible_to(user).filter(active=True).order_by("name", "id")
    columns = [
        TimelineColumn(
            group.pk,
            group.name,
            reverse("dialogues:working_group", args=[group.slug]),
            slug=group.slug,
        )
        for group in groups.only("pk", "name", "slug")
    ]
    columns.append(TimelineColumn(CONVENING, CONVENING_NAME))
    index = {column.key: position for position, column in enumerate(columns)}
    rows = [
        TimelineRow(
            month=date(year, month, 1),
            cells=[TimelineCell(column) for column in columns],
            current=(today.year, today.month) == (year, month),
        )
        for month in range(1, 13)
    ]
    entries = []
    for name, source in list(_sources.items()):
        try:
            found = list(source(user, year))  # all or nothing from one source
            if not all(isinstance(entry, TimelineEntry) for entry in found):
                raise TypeError("A timeline source returns TimelineEntry items.")
        except Exception:
            logger.exception("timeline source %s failed", name)
            continue
        entries.extend(entry for entry in found if entry.date.year == year)
    for entry in sorted(entries, key=lambda entry: entry.date):  # stable: sources' order kept
        position = index.get(entry.column, len(columns) - 1)
        cell = rows[entry.date.month - 1].cells[position]
        if len(cell.entries) < CELL_ENTRIES:
            cell.entries.append(entry)
        else:
            cell.more += 1
    meeting_list = reverse("dialogues:meetings")
    for row in rows:
        last = row.month.replace(day=calendar.monthrange(year, row.month.month)[1])
        for cell in row.cells:
            if cell.more:
                query = {"when": "", "from": row.month.isoformat(), "to": last.isoformat()}
                if cell.column.slug:
                    query = {"working_group": cell.column.slug, **query}
                cell.more_url = f"{meeting_list}?{urlencode(query)}"
    return Timeline(year=year, columns=columns, rows=rows)


def meetings_timeline_source(user, year: int) -> list[TimelineEntry]:
    """The meetings ``user`` may see (``meetings_visible_to``) that start in ``year`` in their
    venue's time zone, each in its working group's column (or the convening's). One query.

    Read as rows, not models, with each label, zone and URL worked out once: a year of the
    benchmark's network holds some 500 meetings, and per-object display methods and ``reverse``
    calls were most of the page's time."""
    start = datetime(year, 1, 1, tzinfo=UTC) - ZONE_MARGIN
    end = datetime(year + 1, 1, 1, tzinfo=UTC) + ZONE_MARGIN
    rows = (
        meetings_visible_to(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "id")
        .values_list(
            "public_id",
            "working_group_id",
            "kind",
            "title",
            "starts_at",
            "timezone",
            "format",
            "city",
            "status",
            "id",
        )
    )
    kinds = {value: str(label) for value, label in MeetingKind.choices}
    formats = {value: str(label) for value, label in MeetingFormat.choices}
    draft = str(MeetingStatus.DRAFT.label)
    placeholder = uuid.UUID(int=0)
    url = reverse("dialogues:meeting", args=[placeholder]).replace(str(placeholder), "{}")
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    entries = []
    for public_id, group_id, kind, title, starts_at, zone, format_, city, status, _id in rows:
        if zone not in zones:
            zones[zone] = zoneinfo.ZoneInfo(zone)
        local = starts_at.astimezone(zones[zone]).date()
        if local.year != year:
            continue
        entries.append(
            TimelineEntry(
                date=local,
                column=group_id or CONVENING,
                label=title,
                url=url.format(public_id),
                kind=kind,
                # In its group's column a working-group meeting goes without saying.
                kind_label="" if kind == MeetingKind.WORKING_GROUP_MEETING else kinds[kind],
                cancelled=status == MeetingStatus.CANCELLED,
                detail=city or formats.get(format_, format_),
                tag=draft if status == MeetingStatus.DRAFT else "",
            )
        )
    return entries
