"""The dashboard: how far published recommendations have been implemented, by theme and by
addressee type, from each side, and what changed between the last two closed review cycles.
Charts are server-rendered SVG (recommendations/charts.py), each with the same numbers in a
table; the same page for everyone (anonymous visitors get it from the page cache)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gsx_portal.cached_pages import cached_dashboard
from recommendations.charts import Bar, Chart, status_categories
from recommendations.models import AddresseeType, ImplementationStatus, Perspective
from recommendations.selectors_cycles import (
    closed_cycles,
    cycle_change,
    status_by_addressee_type,
    status_by_theme,
)


def _perspective_charts(kind: str, what: str, bars_by_key: list[tuple[str, dict]]) -> list:
    """One chart per perspective, a bar per key (theme, addressee type)."""
    charts = []
    for perspective, label in Perspective.choices:
        charts.append(
            Chart(
                slug=f"{kind}-{perspective}",
                title=f"{what}: {label}",
                description=_(
                    "For each, how many published recommendations have each current status "
                    "from this side; a recommendation counts once under each it belongs to."
                ),
                categories=status_categories(),
                bars=[Bar(name, counts[perspective]) for name, counts in bars_by_key],
            )
        )
    return charts


def theme_charts() -> list[Chart]:
    themes, counts = status_by_theme()
    bars = [(theme.name, counts[theme.pk]) for theme in themes if theme.pk in counts]
    if None in counts:
        bars.append((_("Without a theme"), counts[None]))
    return _perspective_charts("theme", _("By theme"), bars)


def addressee_charts() -> list[Chart]:
    counts = status_by_addressee_type()
    bars = [(str(label), counts[key]) for key, label in AddresseeType.choices if key in counts]
    if None in counts:
        bars.append((_("Addressees not stated"), counts[None]))
    return _perspective_charts("addressee", _("By addressee type"), bars)


def change_charts(change) -> list[dict]:
    """Per perspective: a before/after chart, and the table of moves between statuses."""
    # In the charts' order: the statuses, then none.
    statuses = [*ImplementationStatus.choices, ("", _("No update yet"))]
    out = []
    for perspective, label in Perspective.choices:
        chart = Chart(
            slug=f"change-{perspective}",
            title=_("%(perspective)s: %(earlier)s and %(later)s")
            % {"perspective": label, "earlier": change.earlier.name, "later": change.later.name},
            description=_(
                "How many published recommendations had each status when each of the two "
                "cycles closed."
            ),
            categories=status_categories(),
            bars=[
                Bar(change.earlier.name, change.before[perspective]),
                Bar(change.later.name, change.after[perspective]),
            ],
        )
        moves = change.moves[perspective]
        was = [*statuses, (None, _("Not published yet"))]
        matrix = [
            (before_label, [moves.get((before, after), 0) for after, _label in statuses])
            for before, before_label in was
            if any(moves.get((before, after)) for after, _label in statuses)
        ]
        out.append({"chart": chart, "columns": [lbl for _key, lbl in statuses], "moves": matrix})
    return out


@login_not_required
@require_GET
@cached_dashboard
def dashboard(request):
    cycles = closed_cycles()
    change = cycle_change(cycles)
    context = {
        "theme_charts": theme_charts(),
        "addressee_charts": addressee_charts(),
        "closed_cycles": cycles,
        "change": change,
        "changes": change_charts(change) if change else [],
    }
    response = render(request, "recommendations/dashboard.html", context)
    if request.user.is_authenticated:
        response["Cache-Control"] = "no-store, private"
    return response
