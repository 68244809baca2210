"""CSV export of the directory: what the list shows, never contacts.

The first columns are for people, in the reader's language (headers and values: sector, country,
language and theme names, dates in the local format); the last columns carry the same facts as
codes under fixed English headers, for scripts that must read an export in any language.
"""

import csv
import re
from collections.abc import Iterable, Iterator

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.languages import language_names, locale_list
from organizations.models import VettingStatus
from organizations.regions import Region
from organizations.selectors import vetted_until_of


def _yes_no(value: bool) -> str:
    return str(pgettext_lazy("CSV cell", "Yes") if value else pgettext_lazy("CSV cell", "No"))


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _vetting_status(organization) -> str:
    # Annotated per user by organization_list(): None unless the user may follow the vetting.
    return getattr(organization, "vetting_status", None) or ""


def _vetted_until(organization):
    until = vetted_until_of(organization)
    return until.date() if until else None


READABLE_COLUMNS = [
    (_("Name"), lambda o: o.name),
    (_("Acronym"), lambda o: o.acronym),
    (_("Sector"), lambda o: o.get_sector_display()),
    (_("Women-led"), lambda o: _yes_no(o.women_led)),
    (_("Youth-led"), lambda o: _yes_no(o.youth_led)),
    (_("Headquarters"), lambda o: o.headquarters_country.name or ""),
    (_("Countries of operation"), lambda o: locale_list(c.name for c in o.countries)),
    (_("Regions"), lambda o: locale_list(Region(r).label for r in o.regions)),
    (_("Focus themes"), lambda o: locale_list(t.name for t in o.themes.all())),
    (_("Working languages"), lambda o: locale_list(language_names(o.working_languages))),
    (_("Year founded"), lambda o: o.year_founded or ""),
    (_("Website"), lambda o: o.website),
    (_("Summary"), lambda o: o.summary),
    (_("Vetted until"), lambda o: _date(_vetted_until(o))),
    (
        _("Vetting status"),
        lambda o: VettingStatus(_vetting_status(o)).label if _vetting_status(o) else "",
    ),
    (_("Last updated"), lambda o: _date(o.updated_at)),
]
CODE_COLUMNS = [
    ("id", lambda o: o.public_id),
    ("sector_code", lambda o: o.sector),
    ("headquarters_country_code", lambda o: o.headquarters_country.code or ""),
    ("country_codes", lambda o: " ".join(c.code for c in o.countries)),
    ("region_codes", lambda o: " ".join(o.regions)),
    ("theme_codes", lambda o: " ".join(t.slug for t in o.themes.all())),
    ("language_codes", lambda o: " ".join(o.working_languages)),
    ("vetted_until_date", lambda o: _iso(_vetted_until(o))),
    ("vetting_status_code", _vetting_status),
    ("updated_at", lambda o: o.updated_at.isoformat()),
]
EXPORT_COLUMNS = READABLE_COLUMNS + CODE_COLUMNS

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


def organizations_csv_rows(organizations: Iterable, language: str) -> Iterator[str]:
    """The export, row by row, in ``language``: the response is streamed after the view has
    returned, so the language is set again for each row rather than taken from the request."""
    # Every field quoted: a separator, quote or line break inside one cannot start another.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    with translation.override(language):
        header = writer.writerow([_safe(name) for name, _value in EXPORT_COLUMNS])
    yield header
    for organization in organizations:
        with translation.override(language):
            row = writer.writerow([_safe(value(organization)) for _name, value in EXPORT_COLUMNS])
        yield row
