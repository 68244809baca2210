"""Exports of recommendations in the CSV format of the import (``recommendations.exchange``):
CSV streamed row by row, and XLSX written in constant memory to a temporary file.

Rows are read in chunks, each chunk with its prefetches, so memory and the number of queries
per chunk stay the same whatever the number of rows. What names another object is shown as
the reader may see it (``organizations_visible_to``, ``meetings_visible_to``,
``recommendations_visible_to``): an addressed organization, a publisher, a meeting, a parent or
a repeated recommendation the reader may not know of is left out of its cell.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter
from django.db.models import Prefetch, QuerySet

from dialogues.selectors import meetings_visible_to
from organizations.selectors import organizations_visible_to
from recommendations.exchange import COLUMNS, SEPARATOR, guard
from recommendations.models import Recommendation
from recommendations.selectors import recommendations_visible_to

CHUNK_SIZE = 500
XLSX_BLOCK = 64 * 1024


def export_queryset(user, recommendations: QuerySet[Recommendation]) -> QuerySet:
    """``recommendations`` (already limited to what ``user`` sees) with what the rows need,
    each related object limited to what ``user`` may see."""
    organizations = organizations_visible_to(user).only("pk", "slug").order_by("slug")
    return recommendations.select_related("source").prefetch_related(
        "themes",
        Prefetch("source__publishers", queryset=organizations),
        Prefetch("addressed_organizations", queryset=organizations),
        Prefetch("repeats", queryset=recommendations_visible_to(user).only("pk", "reference")),
        Prefetch("meeting", queryset=meetings_visible_to(user).only("pk", "public_id")),
        Prefetch("parent", queryset=recommendations_visible_to(user).only("pk", "reference")),
    )


def export_rows(user, recommendations: QuerySet, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    for recommendation in export_queryset(user, recommendations).iterator(chunk_size=chunk_size):
        yield cells_of(
            recommendation,
            publishers=[o.slug for o in recommendation.source.publishers.all()],
            addressed=[o.slug for o in recommendation.addressed_organizations.all()],
            meeting=str(recommendation.meeting.public_id) if recommendation.meeting else "",
            parent=recommendation.parent.reference if recommendation.parent else "",
            repeats=sorted(r.reference for r in recommendation.repeats.all()),
        )


def cells_of(
    recommendation: Recommendation,
    *,
    publishers: list[str],
    addressed: list[str],
    meeting: str,
    parent: str,
    repeats: list[str],
) -> list:
    """The row of ``recommendation``, in COLUMNS' order; what names organizations, meetings and
    other recommendations is given, as the reader may see it (``export_rows``)."""
    source = recommendation.source
    return [
        recommendation.reference,
        source.title,
        source.kind,
        source.published_on.isoformat(),
        source.language,
        source.url,
        SEPARATOR.join(publishers),
        source.other_publishers,
        recommendation.section,
        parent,
        recommendation.position,
        recommendation.title,
        recommendation.text,
        SEPARATOR.join(t.slug for t in recommendation.themes.all()),
        SEPARATOR.join(recommendation.addressee_types),
        SEPARATOR.join(addressed),
        SEPARATOR.join(str(code) for code in recommendation.countries),
        SEPARATOR.join(recommendation.regions),
        "yes" if recommendation.published else "no",
        meeting,
        SEPARATOR.join(repeats),
    ]


class _Echo:
    def write(self, value):
        return value


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 with a byte order mark (Excel then reads Arabic correctly), every field quoted,
    every cell guarded against formulas (``exchange.guard``, undone by the import)."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield "\ufeff" + writer.writerow(COLUMNS)
    for cells in rows:
        yield writer.writerow([guard(str(cell)) for cell in cells])


def xlsx_file(rows: Iterable[list]):
    """The rows as an XLSX workbook in a temporary file (read from its start; the caller
    closes it). Every cell is written as a string (the position as a number), so no cell is
    ever a formula, whatever it starts with."""
    # Closed by the caller once streamed (file_blocks), or here if writing fails.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        _write_xlsx(output, rows)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def _write_xlsx(output, rows: Iterable[list]) -> None:
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet("recommendations")
    bold = workbook.add_format({"bold": True})
    for column, name in enumerate(COLUMNS):
        sheet.write_string(0, column, name, bold)
    position = COLUMNS.index("position")
    for row, cells in enumerate(rows, start=1):
        for column, cell in enumerate(cells):
            if column == position:
                sheet.write_number(row, column, cell)
            else:
                sheet.write_string(row, column, str(cell))
    workbook.close()


def file_blocks(output, block: int = XLSX_BLOCK) -> Iterator[bytes]:
    try:
        while data := output.read(block):
            yield data
    finally:
        output.close()
