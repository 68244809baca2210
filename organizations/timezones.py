"""The time zones a person can choose: UTC first, then one group per region of the world, each
zone named by its main city in the reader's language (CLDR, through Babel).

The list holds the current IANA names only (not the backward-compatible aliases such as
Asia/Calcutta or US/Eastern). A name already stored that is not in the list (an alias, Etc/GMT+3)
stays valid: the form adds it to the choices (``timezone_choices(keep=...)``), and the model
validates against every name the system knows.
"""

import functools
import zoneinfo

from babel.core import get_global
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organizations.languages import _locale

UTC = "UTC"
GROUPS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}


@functools.cache
def curated_zones() -> tuple[str, ...]:
    aliases = get_global("zone_aliases")  # old name → current name, per CLDR
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if name.split("/", 1)[0] in GROUPS and "/" in name and name not in aliases
        )
    )


@functools.cache
def _cldr_keys() -> dict[str, str]:
    # CLDR files its city names under the zone's first name (Asia/Calcutta for Asia/Kolkata).
    return {current: old for old, current in get_global("zone_aliases").items()}


def city_name(zone: str, language: str | None = None) -> str:
    """The zone's city in the reader's language, else its IANA name made readable."""
    zones = _locale(language or get_language() or "en").time_zones
    for key in (zone, _cldr_keys().get(zone)):
        city = zones.get(key, {}).get("city") if key else None
        if city:
            return city
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def timezone_choices(keep: str | None = None) -> list:
    """UTC, then (region, [(zone, city), ...]) groups sorted by city in the reader's language;
    ``keep``, a stored value outside the list, is offered too so that it stays valid."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for zone in curated_zones():
        groups.setdefault(zone.split("/", 1)[0], []).append((zone, city_name(zone)))
    choices: list = [(UTC, _("UTC (coordinated universal time)"))]
    if keep and keep != UTC and keep not in curated_zones():
        choices.append((keep, keep.replace("_", " ")))
    for area, label in GROUPS.items():
        if area in groups:
            choices.append((label, sorted(groups[area], key=lambda c: c[1].casefold())))
    return choices
