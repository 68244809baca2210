"""Review cycles: created for an annual convening, opened and closed by one transition
function; closing freezes a snapshot of every recommendation's status per perspective."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations.models import (
    CYCLE_TRANSITIONS,
    DEFAULT_WINDOW_WEEKS_BEFORE,
    CycleSnapshot,
    CycleState,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    ReviewCycle,
)
from recommendations.rules import may_manage_recommendations


@transaction.atomic
def review_cycle_create(
    *, by, name: str, convening, opens_on, closes_on=None, reminder_offsets=None
) -> ReviewCycle:
    """A cycle for ``convening``; its window closes, unless said otherwise, four weeks before
    the convening starts (in the convening's time zone)."""
    if not may_manage_recommendations(by):
        raise PermissionDenied
    if closes_on is None:
        start = convening.starts_at.astimezone(convening.zone).date()
        closes_on = start - timedelta(weeks=DEFAULT_WINDOW_WEEKS_BEFORE)
    cycle = ReviewCycle(name=name, convening=convening, opens_on=opens_on, closes_on=closes_on)
    if reminder_offsets is not None:
        cycle.reminder_offsets = sorted(set(reminder_offsets), reverse=True)
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def review_cycle_transition(*, cycle: ReviewCycle, to: str, by, now=None) -> ReviewCycle:
    """Open (upcoming → open; one cycle open at a time) or close (open → closed: the snapshot
    is written, once)."""
    now = now or timezone.now()
    if not may_manage_recommendations(by):
        raise PermissionDenied
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if to not in CYCLE_TRANSITIONS[cycle.state]:
        raise ValidationError(
            _("A cycle that is %(state)s cannot become %(to)s.")
            % {"state": CycleState(cycle.state).label, "to": CycleState(to).label}
            if to in CycleState.values
            else _("%(to)s is not a state of a cycle.") % {"to": to}
        )
    if to == CycleState.OPEN:
        if ReviewCycle.objects.filter(state=CycleState.OPEN).exclude(pk=cycle.pk).exists():
            raise ValidationError(_("Another cycle is open: close it first."))
        cycle.opened_at = now
    else:
        cycle.closed_at = now
        _freeze(cycle, now)
    cycle.state = to
    cycle.save()
    return cycle


def _freeze(cycle: ReviewCycle, now) -> None:
    """Each recommendation's latest visible update per perspective, up to the close, in one
    INSERT per perspective; later updates never touch these rows."""
    for perspective in Perspective.values:
        latest = ImplementationUpdate.objects.filter(
            recommendation=OuterRef("pk"),
            perspective=perspective,
            hidden_at__isnull=True,
            created_at__lte=now,
        ).order_by("-reported_on", "-id")
        rows = Recommendation.objects.filter(published=True).annotate(
            update_id=Subquery(latest.values("id")[:1]),
            update_status=Subquery(latest.values("status")[:1]),
        )
        CycleSnapshot.objects.bulk_create(
            (
                CycleSnapshot(
                    cycle=cycle,
                    recommendation_id=row.pk,
                    perspective=perspective,
                    status=row.update_status or "",
                    update_id=row.update_id,
                )
                for row in rows.only("pk").iterator(chunk_size=2000)
            ),
            batch_size=2000,
        )
