"""CSV export of the directory: what the list shows, never contacts."""

import csv
from collections.abc import Iterable, Iterator

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
    ("vetting_status", lambda o: getattr(o, "vetting_status", "")),
    ("updated_at", lambda o: o.updated_at.isoformat()),
]
# Spreadsheet programs run cells that start with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def _safe(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def organizations_csv_rows(organizations: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _value in EXPORT_COLUMNS])
    for organization in organizations:
        yield writer.writerow([_safe(value(organization)) for _name, value in EXPORT_COLUMNS])
