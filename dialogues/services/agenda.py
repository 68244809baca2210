"""A meeting's agenda: items added, changed, moved up or down and removed by its conveners."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.models import AgendaItem, Meeting, MeetingStatus
from dialogues.rules import may_manage_meeting

AGENDA_FIELDS = (
    "title",
    "kind",
    "theme",
    "starts_at",
    "ends_at",
    "description",
    "other_speakers",
)
# An agenda is history once the report is out, and moot once the meeting is cancelled.
AGENDA_CLOSED = (MeetingStatus.REPORT_PUBLISHED, MeetingStatus.CANCELLED)


def _managed(meeting: Meeting, by) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status in AGENDA_CLOSED:
        raise ValidationError(_("This meeting's agenda cannot change any more."))
    return meeting


def _check(item: AgendaItem, meeting: Meeting, speakers) -> None:
    errors = {}
    for name in ("starts_at", "ends_at"):
        moment = getattr(item, name)
        if moment is not None and not (meeting.starts_at <= moment <= meeting.ends_at):
            errors[name] = _("An agenda item takes place during the meeting.")
    if speakers is not None and any(s.meeting_id != meeting.pk for s in speakers):
        errors["speakers"] = _("Speakers are participants of this meeting.")
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["position"])


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, by, speakers=(), **fields) -> AgendaItem:
    """A new item at the end of the agenda. The first item of a meeting past its draft
    publishes the agenda (``Meeting.agenda_published_at``; leaving the draft with items does
    it in ``meeting_transition``)."""
    meeting = _managed(meeting, by)
    if set(fields) - set(AGENDA_FIELDS):
        raise TypeError(f"Cannot set {sorted(set(fields) - set(AGENDA_FIELDS))}")
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"]
    item = AgendaItem(meeting=meeting, position=(last or 0) + 1, **fields)
    _check(item, meeting, speakers)
    item.save()
    item.speakers.set(speakers)
    if not meeting.is_draft and meeting.agenda_published_at is None:
        meeting.agenda_published_at = timezone.now()
        meeting.save(update_fields=["agenda_published_at"])
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by, speakers=None, **changes) -> AgendaItem:
    meeting = _managed(item.meeting, by)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk, meeting=meeting)
    if set(changes) - set(AGENDA_FIELDS):
        raise TypeError(f"Cannot change {sorted(set(changes) - set(AGENDA_FIELDS))}")
    for name, value in changes.items():
        setattr(item, name, value)
    _check(item, meeting, speakers)
    item.save()
    if speakers is not None:
        item.speakers.set(speakers)
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by, up: bool) -> AgendaItem:
    """Swap the item with the one before it (``up``) or after it; at either end, nothing
    moves. The positions' uniqueness is checked at commit, so the swap is one step."""
    meeting = _managed(item.meeting, by)
    items = meeting.agenda_items.select_for_update().order_by("position")
    item = items.get(pk=item.pk)
    neighbour = (
        items.filter(position__lt=item.position).order_by("-position").first()
        if up
        else items.filter(position__gt=item.position).order_by("position").first()
    )
    if neighbour is None:
        return item
    item.position, neighbour.position = neighbour.position, item.position
    item.save(update_fields=["position"])
    neighbour.save(update_fields=["position"])
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by) -> None:
    """Remove an item; action points that came from it keep their text and lose the link."""
    meeting = _managed(item.meeting, by)
    AgendaItem.objects.filter(pk=item.pk, meeting=meeting).delete()
