"""Review cycles: created for an annual convening, opened and closed by one transition
function; closing freezes a snapshot of every recommendation's status per perspective."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.models import MeetingKind
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

# Reminders further ahead than a year would be sent for a window that is not open yet.
MAX_REMINDER_OFFSET = 365


def default_closing(convening) -> date:
    """Four weeks before the convening starts, in the convening's time zone."""
    start = convening.starts_at.astimezone(convening.zone).date()
    return start - timedelta(weeks=DEFAULT_WINDOW_WEEKS_BEFORE)


def _apply(cycle: ReviewCycle, *, name, convening, opens_on, closes_on, reminder_offsets) -> None:
    """The fields of a cycle being created or edited, checked: the convening is an annual
    convening, the offsets are whole days within a year (duplicates merged, furthest first)."""
    if convening is not None and convening.kind != MeetingKind.ANNUAL_CONVENING:
        raise ValidationError({"convening": _("Choose an annual convening.")})
    cycle.name = name
    cycle.convening = convening
    cycle.opens_on = opens_on
    cycle.closes_on = closes_on or (default_closing(convening) if convening else None)
    if reminder_offsets is not None:
        offsets = set(reminder_offsets)
        if any(not isinstance(d, int) or not 1 <= d <= MAX_REMINDER_OFFSET for d in offsets):
            raise ValidationError(
                {
                    "reminder_offsets": _(
                        "Reminders are whole days before the window closes, from 1 to %(max)s."
                    )
                    % {"max": MAX_REMINDER_OFFSET}
                }
            )
        cycle.reminder_offsets = sorted(offsets, reverse=True)
    if opens_on and cycle.closes_on and cycle.closes_on <= opens_on:
        raise ValidationError({"closes_on": _("The window closes after the day it opens.")})
    cycle.full_clean()


@transaction.atomic
def review_cycle_create(
    *, by, name: str, convening, opens_on, closes_on=None, reminder_offsets=None
) -> ReviewCycle:
    """A cycle for ``convening`` (an annual convening); its window closes, unless said
    otherwise, four weeks before the convening starts (in the convening's time zone)."""
    if not may_manage_recommendations(by):
        raise PermissionDenied
    cycle = ReviewCycle()
    _apply(
        cycle,
        name=name,
        convening=convening,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_offsets=reminder_offsets,
    )
    cycle.save()
    return cycle


@transaction.atomic
def review_cycle_update(
    *, cycle: ReviewCycle, by, name: str, convening, opens_on, closes_on=None, reminder_offsets=None
) -> ReviewCycle:
    """Change an upcoming cycle (once open, its window and reminders are what people were
    told); an empty ``closes_on`` is the default again, four weeks before the convening."""
    if not may_manage_recommendations(by):
        raise PermissionDenied
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.state != CycleState.UPCOMING:
        raise ValidationError(_("Only an upcoming cycle can be changed."))
    _apply(
        cycle,
        name=name,
        convening=convening,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_offsets=reminder_offsets,
    )
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
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:  # another cycle was opened at the same moment (one_open_cycle)
        raise ValidationError(_("Another cycle is open: close it first.")) from None
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
