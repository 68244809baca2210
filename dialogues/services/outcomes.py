"""Action points recorded at meetings and carried over."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dialogues.models import ActionPoint, Meeting, MeetingStatus
from dialogues.rules import may_manage_meeting


@transaction.atomic
def action_point_add(*, meeting: Meeting, by, text: str, **fields) -> ActionPoint:
    """A meeting's conveners record an action point (its text, the responsible organization
    and person, the due date, the agenda item it came from)."""
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it has no action points."))
    agenda_item = fields.get("agenda_item")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Choose an item of this meeting's agenda.")})
    point = ActionPoint(meeting=meeting, text=(text or "").strip(), **fields)
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def action_point_update(*, point: ActionPoint, by, at_meeting: Meeting | None = None, **changes):
    """Change an action point (status, due date, responsibility, text): the conveners of the
    meeting it came from, or of a later meeting of the same working group where it is carried
    over (``at_meeting``)."""
    point = ActionPoint.objects.select_for_update().select_related("meeting").get(pk=point.pk)
    where = point.meeting
    if at_meeting is not None:
        if not (
            at_meeting.working_group_id
            and at_meeting.working_group_id == point.meeting.working_group_id
        ):
            raise PermissionDenied
        where = at_meeting
    if not may_manage_meeting(by, where):
        raise PermissionDenied
    allowed = {"text", "status", "due_on", "responsible_organization", "responsible_person"}
    if at_meeting is None:
        allowed.add("agenda_item")  # where it came from is the origin meeting's to say
    if set(changes) - allowed:
        raise TypeError(f"Cannot change {sorted(set(changes) - allowed)}")
    agenda_item = changes.get("agenda_item")
    if agenda_item is not None and agenda_item.meeting_id != point.meeting_id:
        raise ValidationError({"agenda_item": _("Choose an item of this meeting's agenda.")})
    for name, value in changes.items():
        setattr(point, name, value.strip() if name == "text" else value)
    point.full_clean()
    point.save()
    return point
