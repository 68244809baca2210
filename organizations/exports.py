"""CSV export of the directory: what the list shows, never contacts."""

import csv
import re
from collections.abc import Iterable, Iterator

from organizations.selectors import vetted_until_of


def _vetted_until(organization) -> str:
    until = vetted_until_of(organization)
    return until.date().isoformat() if until else ""


EXPORT_COLUMNS = [
    ("id", lambda o: o.public_id),
    ("name", lambda o: o.name),
    ("acronym", lambda o: o.acronym),
    ("sector", lambda o: o.sector),
    ("women_led", lambda o: "yes" if o.women_led else "no"),
    ("youth_led", lambda o: "yes" if o.youth_led else "no"),
    ("headquarters_country", lambda o: o.headquarters_country.code or ""),
    ("countries", lambda o: " ".join(c.code for c in o.countries)),
    ("regions", lambda o: " ".join(o.regions)),
    ("themes", lambda o: " ".join(t.slug for t in o.themes.all())),
    ("working_languages", lambda o: " ".join(o.working_languages)),
    ("year_founded", lambda o: o.year_founded or ""),
    ("website", lambda o: o.website),
    ("summary", lambda o: o.summary),
    ("vetted_until", _vetted_until),
    # Annotated per user by organization_list(): empty unless the user may follow the vetting.
    ("vetting_status", lambda o: getattr(o, "vetting_status", None) or ""),
    ("updated_at", lambda o: o.updated_at.isoformat()),
]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection), also
# after leading spaces. A spreadsheet set to a ";" locale, or one that splits on tabs or line
# breaks, starts a new cell after each of those inside a field, so every such start is
# neutralised with an apostrophe, which spreadsheets read as "this cell is text".
_FORMULA_START = re.compile(r"(?:^|(?<=[;\t\r\n]))(?=[^\S\t\r\n]*[=+\-@\t\r])")


class _Echo:
    def write(self, value):
        return value


def _safe(value) -> str:
    return _FORMULA_START.sub("'", str(value))


def organizations_csv_rows(organizations: Iterable) -> Iterator[str]:
    # Every field quoted: a separator, quote or line break inside one cannot start another.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow([name for name, _value in EXPORT_COLUMNS])
    for organization in organizations:
        yield writer.writerow([_safe(value(organization)) for _name, value in EXPORT_COLUMNS])
