"""The road to the convening, from this app's side: each month's publications (the source
documents of a working group, in its column) and the review cycles' milestones (the update
window opening and closing, in the convening's column). Registered with dialogues' timeline in
apps.py, so that ``dialogues`` never imports this app."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues.timeline import CONVENING, TimelineEntry
from organizations.rules import is_secretariat
from recommendations.models import ReviewCycle, SourceKind
from recommendations.selectors import sources_visible_to

PUBLICATION = gettext_lazy("Publication")
MILESTONE = gettext_lazy("Review cycle")


def recommendations_timeline_source(user, year: int) -> list[TimelineEntry]:
    """Two queries: the sources published in ``year`` that ``user`` may see, and the cycles
    whose window opens or closes in it."""
    kinds = dict(SourceKind.choices)
    entries = [
        TimelineEntry(
            date=published_on,
            column=group_id if group_id is not None else CONVENING,
            label=title,
            kind="publication",
            kind_label=f"{PUBLICATION} · {kinds.get(kind, kind)}",
        )
        for title, kind, published_on, group_id in sources_visible_to(user)
        .filter(published_on__year=year)
        .order_by("published_on", "id")
        .values_list("title", "kind", "published_on", "working_group_id")
    ]
    cycles = ReviewCycle.objects.filter(Q(opens_on__year=year) | Q(closes_on__year=year))
    for name, opens_on, closes_on in cycles.values_list("name", "opens_on", "closes_on"):
        if opens_on.year == year:
            entries.append(
                TimelineEntry(
                    date=opens_on,
                    column=CONVENING,
                    label=_("%(cycle)s: the update window opens") % {"cycle": name},
                    kind="milestone",
                    kind_label=str(MILESTONE),
                )
            )
        if closes_on.year == year:
            entries.append(
                TimelineEntry(
                    date=closes_on,
                    column=CONVENING,
                    label=_("%(cycle)s: the update window closes") % {"cycle": name},
                    kind="milestone",
                    kind_label=str(MILESTONE),
                )
            )
    return entries


def recommendations_audience(user) -> str | None:
    """Everyone but the secretariat sees the same publications (those with a published
    recommendation) and every cycle; the secretariat sees its drafts' sources too."""
    return None if is_secretariat(user) else "published"
