"""Which kinds of reminder a person turned off (their account's reminder preferences).

The engine reads ``ReminderOptOut`` when it sends a digest (an item of a muted kind is marked
``opted_out``); this module is the one door that writes it, and the selectors the account page
reads.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gsx_portal import reminders
from gsx_portal.models import ReminderOptOut


@dataclass(frozen=True)
class KindGroup:
    """The kinds one source offers, under a heading (its app's name)."""

    source: str
    heading: str
    kinds: tuple[reminders.Kind, ...]


def _source_heading(name: str) -> str:
    # Sources are named after their app ("dialogues"); a source of another name keeps its own.
    try:
        return str(apps.get_app_config(name).verbose_name)
    except LookupError:
        return name


def reminder_kind_groups() -> list[KindGroup]:
    """Every kind a person may turn off (``opt_out``), grouped by source, in the sources' order."""
    groups = []
    for source in reminders.sources():
        offered = tuple(kind for kind in source.kinds if kind.opt_out)
        if offered:
            groups.append(KindGroup(source.name, _source_heading(source.name), offered))
    return groups


def reminder_kinds_offered() -> set[str]:
    return {kind.name for group in reminder_kind_groups() for kind in group.kinds}


def reminder_kinds_muted(user) -> set[str]:
    """The kinds ``user`` turned off (a kind no longer registered included: it is kept, so that a
    kind that comes back stays off)."""
    return set(ReminderOptOut.objects.filter(user=user).values_list("kind", flat=True))


def kinds_refused(kinds: set[str]) -> ValidationError:
    """The refusal of names that are not kinds one may turn off, quoting them (shortened, a NUL
    shown as �) so that the person sees what was sent."""
    shown = sorted(
        (kind if len(kind) <= 100 else kind[:99] + "…").replace("\x00", "\ufffd") for kind in kinds
    )
    return ValidationError(
        _("These are not kinds of reminder you can turn off: %(kinds)s. Nothing was changed.")
        % {"kinds": ", ".join(f"“{kind}”" for kind in shown)},
        code="unknown_kind",
    )


@transaction.atomic
def reminder_preferences_set(*, user, muted: set[str]) -> set[str]:
    """Makes ``muted`` the kinds ``user`` gets no reminder email about, among those offered now.

    Effects: a ``ReminderOptOut`` row is created for each kind in ``muted`` that was not muted
    yet, and deleted for each offered kind not in ``muted``. Muted kinds that are no longer
    registered are left as they are. Items already claimed for the person are not touched here:
    the engine checks the opt-outs when it sends the digest.

    Refused, with nothing changed: a kind that is not registered, or one that may not be turned
    off (``Kind.opt_out`` false). Returns the kinds now muted.
    """
    offered = reminder_kinds_offered()
    refused = {str(kind) for kind in muted} - offered
    if refused:
        raise kinds_refused(refused)
    # Two saves at once (two tabs) wait for each other on the person's row: one of them wins,
    # whole, rather than a mix of both.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    current = reminder_kinds_muted(user)
    ReminderOptOut.objects.filter(user=user, kind__in=(offered & current) - muted).delete()
    ReminderOptOut.objects.bulk_create(
        [ReminderOptOut(user=user, kind=kind) for kind in sorted(muted - current)],
        ignore_conflicts=True,
    )
    return (current - offered) | muted
