"""The CSV format of recommendations, one row per recommendation, shared by the import and the
exports (docs/recommendations.md, "CSV format"): its columns, reading a file into checked
rows (``parse``), and the formula guard (``guard``/``unguard``); a recommendation is written as
cells by ``recommendations.exports.cells_of``.

Values are codes (slugs, ISO codes, references), never translated names, under fixed English
headers, so that a file written in one language reads back in any other. Lists are separated by
``|``: slugs, codes and references never contain it, and unlike ``;`` it is not a spreadsheet's
cell separator in any locale.

What a file says is checked here cell by cell, with the model's own field rules; what needs the
database (does this theme, organization, parent exist?) is checked by
``recommendations.services.import_plan``.
"""

import codecs
import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries as all_countries

from organizations.regions import Region
from recommendations.models import (
    REFERENCE_PATTERN,
    AddresseeType,
    Recommendation,
    Section,
    SourceDocument,
)

# The largest file the import reads: some 5,000 recommendations of a page of text each.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
# A header with more cells than this is not a file of this format (each unknown column would
# be reported apart).
MAX_HEADER_CELLS = 100
SEPARATOR = "|"

COLUMNS = (
    "reference",
    "source_title",
    "source_kind",
    "source_date",
    "source_language",
    "source_link",
    "source_publishers",
    "source_other_publishers",
    "section",
    "parent",
    "position",
    "title",
    "text",
    "themes",
    "addressee_types",
    "addressed_organizations",
    "countries",
    "regions",
    "published",
    "meeting",
    "repeats",
)
# A file may leave out the other columns: what they hold is then left as it is (an update), or
# takes its default (a new recommendation).
REQUIRED_COLUMNS = ("reference", "source_title", "source_kind", "source_date", "title", "text")
LIST_COLUMNS = frozenset(
    {
        "source_publishers",
        "themes",
        "addressee_types",
        "addressed_organizations",
        "countries",
        "regions",
        "repeats",
    }
)
SOURCE_COLUMNS = tuple(c for c in COLUMNS if c.startswith("source_"))

# A spreadsheet runs a cell that starts with one of these as a formula (also after spaces).
# The export puts an apostrophe before such a cell, and before a cell that already starts
# with apostrophes followed by one of these, so that the import can take exactly one off:
# the guard is undone and the round trip keeps every value as it was.
_NEEDS_GUARD = re.compile(r"^'*[^\S\t\r\n]*[=+\-@\t\r\n]")
_GUARDED = re.compile(r"^'+[^\S\t\r\n]*[=+\-@\t\r\n]")
YES = ("yes", "true", "1")
NO = ("no", "false", "0", "")


def guard(value: str) -> str:
    return "'" + value if _NEEDS_GUARD.match(value) else value


def unguard(value: str) -> str:
    return value[1:] if _GUARDED.match(value) else value


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str


@dataclass
class Row:
    """One row of the file, checked: ``values`` holds the typed value of each column the file
    has (lists as tuples, the date as a date, ``published`` as a bool, ``meeting`` as a UUID or
    None)."""

    line: int
    values: dict = field(default_factory=dict)

    def __getitem__(self, column):
        return self.values[column]

    def has(self, column) -> bool:
        return column in self.values

    def source_key(self) -> tuple:
        return (self.values.get("source_title"), self.values.get("source_date"))


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, size, header)."""


def decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise FileProblem(
            _("The file is larger than %(size)d MB: split it into several files.")
            % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(_("The file is UTF-16: save it as CSV UTF-8 and upload it again."))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileProblem(
            _(
                "The file is not UTF-8 (byte %(position)d cannot be read): save it as "
                "CSV UTF-8 and upload it again."
            )
            % {"position": error.start + 1}
        ) from None
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    return text


def parse(data: bytes) -> tuple[list[Row], list[Problem]]:
    """The rows of a CSV file, each cell checked; every problem found, with its line (of the
    file, the header being line 1) and column. Raises FileProblem if it cannot be read."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader)
    except csv.Error as error:
        raise FileProblem(_("The header cannot be read: %(error)s") % {"error": error}) from None
    if len(header) > MAX_HEADER_CELLS:
        # Each unknown column would be a problem of its own: thousands for a hostile file.
        raise FileProblem(
            _("The header has %(cells)d columns; the format has %(columns)d.")
            % {"cells": len(header), "columns": len(COLUMNS)}
        )
    columns = [name.strip().lower().lstrip("\ufeff") for name in header]
    problems += _check_header(columns)
    if problems:
        return [], problems
    rows: list[Row] = []
    read = 0  # rows with a cell, whether they could be taken or not
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(start, "", _("This row cannot be read: %s") % error))
            break
        end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        # Every row counts, also one with the wrong number of cells: each is reported, and a
        # file of millions of them would be a report of millions of problems.
        read += 1
        if read > MAX_IMPORT_ROWS:
            problems.append(
                Problem(start, "", _("A file holds at most %d rows.") % MAX_IMPORT_ROWS)
            )
            break
        if len(cells) != len(columns):
            problems.append(
                Problem(
                    start,
                    "",
                    _("This row has %(cells)d cells; the header has %(columns)d.")
                    % {"cells": len(cells), "columns": len(columns)},
                )
            )
            continue
        row, row_problems = _parse_row(start, dict(zip(columns, cells, strict=True)))
        problems += row_problems
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(2, "", _("The file has a header but no rows.")))
    return rows, problems


def _check_header(columns: list[str]) -> list[Problem]:
    problems = []
    seen = set()
    for name in columns:
        if name not in COLUMNS:
            problems.append(Problem(1, name, _("Unknown column.")))
        elif name in seen:
            problems.append(Problem(1, name, _("This column is there twice.")))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(Problem(1, name, _("This column is missing.")))
    return problems


def _parse_row(line: int, raw: dict[str, str]) -> tuple[Row, list[Problem]]:
    row = Row(line)
    problems = []
    for column, cell in raw.items():
        cell = unguard(cell)
        if "\x00" in cell:
            problems.append(Problem(line, column, _("Remove the NUL character (U+0000).")))
            continue
        try:
            row.values[column] = _PARSERS[column](cell)
        except ValidationError as error:
            problems += [Problem(line, column, message) for message in error.messages]
    return row, problems


def _list(cell: str) -> tuple[str, ...]:
    # Kept in order, each once: the same file always reads the same.
    return tuple(dict.fromkeys(item.strip() for item in cell.split(SEPARATOR) if item.strip()))


def _model_field(model, name: str, *, blank_ok: bool = True):
    """The cell checked by the model field's own rules (length, choices, plain text)."""
    model_field = model._meta.get_field(name)

    def parse_cell(cell: str):
        cell = cell.strip() if name not in ("text",) else cell
        if not cell and not blank_ok:
            raise ValidationError(_("This cell is empty."))
        return model_field.clean(cell, None)

    return parse_cell


def _reference(cell: str) -> str:
    cell = cell.strip()
    if not cell:
        raise ValidationError(_("This cell is empty."))
    check_reference(cell)
    return cell


def check_reference(value: str) -> None:
    """The database's pattern of a reference, said in words (the import and the form)."""
    if not re.fullmatch(REFERENCE_PATTERN, value):
        raise ValidationError(
            _(
                "A reference is a letter or digit, then up to 79 letters, digits and . _ / -, "
                "e.g. PVE-CP-2017/POL-2a."
            )
        )


def _optional_reference(cell: str) -> str:
    return _reference(cell) if cell.strip() else ""


def _references(cell: str) -> tuple[str, ...]:
    return tuple(_reference(item) for item in _list(cell))


def _date(cell: str) -> date:
    try:
        return date.fromisoformat(cell.strip())
    except ValueError:
        raise ValidationError(_("Write the date as YYYY-MM-DD, e.g. 2017-03-01.")) from None


def _position(cell: str) -> int:
    cell = cell.strip() or "0"
    if not cell.isascii() or not cell.isdigit() or int(cell) > 2_147_483_647:
        raise ValidationError(_("Write a whole number from 0 to 2147483647."))
    return int(cell)


def _choices(allowed, what: str):
    def parse_cell(cell: str) -> tuple[str, ...]:
        values = _list(cell)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValidationError(
                _("Not %(what)s: %(values)s.") % {"what": what, "values": ", ".join(unknown)}
            )
        return values

    return parse_cell


def _countries(cell: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(code.upper() for code in _list(cell)))
    unknown = [code for code in codes if not all_countries.alpha2(code)]
    if unknown:
        raise ValidationError(
            _("Not ISO 3166 country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return codes


def _slugs(cell: str) -> tuple[str, ...]:
    values = _list(cell)
    bad = [v for v in values if not re.fullmatch(r"[-\w]{1,100}", v)]
    if bad:
        raise ValidationError(_("Not addresses (slugs): %(values)s.") % {"values": ", ".join(bad)})
    return values


def _boolean(cell: str) -> bool:
    value = cell.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValidationError(_("Write yes or no."))


def _meeting(cell: str) -> uuid.UUID | None:
    if not cell.strip():
        return None
    try:
        return uuid.UUID(cell.strip())
    except ValueError:
        raise ValidationError(
            _("Write the meeting's id, as in its address (e.g. 3f2b…-…).")
        ) from None


def _section(cell: str) -> str:
    return _model_field(Recommendation, "section")(cell.strip() or Section.GENERAL)


_PARSERS = {
    "reference": _reference,
    "source_title": _model_field(SourceDocument, "title", blank_ok=False),
    "source_kind": _model_field(SourceDocument, "kind", blank_ok=False),
    "source_date": _date,
    "source_language": lambda cell: _model_field(SourceDocument, "language")(cell or "en"),
    "source_link": _model_field(SourceDocument, "url"),
    "source_publishers": _slugs,
    "source_other_publishers": _model_field(SourceDocument, "other_publishers"),
    "section": _section,
    "parent": _optional_reference,
    "position": _position,
    "title": _model_field(Recommendation, "title", blank_ok=False),
    "text": _model_field(Recommendation, "text", blank_ok=False),
    "themes": _slugs,
    "addressee_types": _choices(AddresseeType.values, gettext_lazy("addressee types")),
    "addressed_organizations": _slugs,
    "countries": _countries,
    "regions": _choices(Region.values, gettext_lazy("regions")),
    "published": _boolean,
    "meeting": _meeting,
    "repeats": _references,
}
