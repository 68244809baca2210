"""Meetings: creating, editing and moving them along their workflow."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dialogues.models import (
    MEETING_TRANSITIONS,
    Meeting,
    MeetingStatus,
    ParticipationStatus,
    WorkingGroup,
)
from dialogues.reports import chatham_house_refusal, speakers_named, validate_report
from dialogues.rules import may_manage_meeting
from organizations.services.notify import email_on_commit
from organizations.text import validate_plain_text

# Who is told when a meeting is cancelled: whoever expects to come.
TOLD_OF_CANCELLATION = (ParticipationStatus.ACCEPTED, ParticipationStatus.WAITLISTED)


@transaction.atomic
def meeting_create(*, by, working_group: WorkingGroup | None = None, **fields) -> Meeting:
    """A new meeting, as a draft. In a working group: its conveners or the secretariat; without
    one (the annual convening, outreach events): the conveners' group or the secretariat."""
    host_organizations = fields.pop("host_organizations", ())
    meeting = Meeting(working_group=working_group, created_by=by, **fields)
    meeting.status = MeetingStatus.DRAFT
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    meeting.full_clean()
    meeting.save()
    meeting.host_organizations.set(host_organizations)
    return meeting


@transaction.atomic
def meeting_transition(
    *, meeting: Meeting, to: str, by, reason: str = "", now=None
) -> tuple[Meeting, list[str]]:
    """Move a meeting to status ``to``: the one way its status changes.

    Allowed moves are MEETING_TRANSITIONS (draft → planned → invitations open → confirmed →
    held → report published; cancelled from any status before held), by the meeting's
    conveners or the secretariat. Held needs the meeting to have started; a published report
    needs a report; cancelling needs a reason, and tells every accepted or waitlisted
    participant by email. Leaving the draft with an agenda publishes it (``agenda_published_at``,
    the day of the annual convening's "agenda published" reminder). Returns the meeting and the
    warnings the conveners should see:
    opening invitations or confirming an in-person meeting after its visa deadline.
    Anything else raises PermissionDenied or ValidationError (saying why) and changes nothing.
    """
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    if to not in MeetingStatus.values:
        raise ValidationError(_("%(to)s is not a status of a meeting.") % {"to": to})
    if to == meeting.status or to not in MEETING_TRANSITIONS[meeting.status]:
        raise ValidationError(_refusal(meeting, to))
    reason = reason.strip()
    if to == MeetingStatus.HELD and now < meeting.starts_at:
        raise ValidationError(_("A meeting can be marked as held once it has started."))
    if to == MeetingStatus.REPORT_PUBLISHED and not meeting.report.strip():
        raise ValidationError({"report": _("Write the report before publishing it.")})
    if to == MeetingStatus.REPORT_PUBLISHED:
        try:
            validate_report(meeting.report)
        except ValidationError as error:
            raise ValidationError({"report": error.messages}) from error
    if to == MeetingStatus.REPORT_PUBLISHED and meeting.chatham_house:
        named = speakers_named(meeting, meeting.report)
        if named:
            raise ValidationError({"report": chatham_house_refusal(named)})
    if to == MeetingStatus.CANCELLED and not reason:
        raise ValidationError(
            {"reason": _("Say why the meeting is cancelled: the participants are told.")}
        )
    if to == MeetingStatus.CANCELLED:
        try:
            validate_plain_text(reason)
        except ValidationError as error:
            raise ValidationError({"reason": error.messages}) from error
    warnings = []
    if to in (MeetingStatus.INVITATIONS_OPEN, MeetingStatus.CONFIRMED) and (
        meeting.visa_deadline_passed(now)
    ):
        warnings.append(visa_lateness_warning(meeting))
    if (
        meeting.status == MeetingStatus.DRAFT
        and to == MeetingStatus.PLANNED
        and meeting.agenda_published_at is None
        and meeting.agenda_items.exists()
    ):
        meeting.agenda_published_at = now
    meeting.status = to
    meeting.status_changed_at = now
    if to == MeetingStatus.CANCELLED:
        meeting.cancellation_reason = reason
    meeting.save(
        update_fields=[
            "status",
            "status_changed_at",
            "cancellation_reason",
            "agenda_published_at",
            "updated_at",
        ]
    )
    if to == MeetingStatus.CANCELLED:
        _tell_of_cancellation(meeting)
    return meeting, warnings


def visa_lateness_warning(meeting: Meeting) -> str:
    return _(
        "Invitations and visa letters for this meeting should have been out by %(date)s, "
        "%(weeks)s weeks before it: participants who need a visa may not get one in time."
    ) % {
        "date": formats.date_format(meeting.visa_deadline, "DATE_FORMAT"),
        "weeks": meeting.visa_lead_weeks,
    }


def _refusal(meeting: Meeting, to: str) -> str:
    status = MeetingStatus(meeting.status)
    target = MeetingStatus(to).label
    if meeting.status == MeetingStatus.CANCELLED:
        return _("This meeting was cancelled: it cannot change any more.")
    if meeting.status == MeetingStatus.REPORT_PUBLISHED:
        return _("This meeting's report is published: it cannot change any more.")
    if to == MeetingStatus.CANCELLED:
        return _("A meeting that has been held cannot be cancelled.")
    allowed = ", ".join(str(MeetingStatus(s).label) for s in MEETING_TRANSITIONS[meeting.status])
    return _("A meeting that is %(status)s cannot become %(to)s; next can be: %(allowed)s.") % {
        "status": status.label,
        "to": target,
        "allowed": allowed,
    }


def _tell_of_cancellation(meeting: Meeting) -> None:
    recipients = [
        p.user.email if p.user_id else p.email
        for p in meeting.participations.filter(status__in=TOLD_OF_CANCELLATION).select_related(
            "user"
        )
    ]
    email_on_commit(
        "meeting_cancelled",
        {
            "title": meeting.title,
            "starts_at": meeting.starts_at,
            "zone": meeting.timezone,
            "reason": meeting.cancellation_reason,
        },
        [r for r in recipients if r],
        app="dialogues",
    )


# What the meeting's edit form may change; its status only moves through meeting_transition.
MEETING_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "timezone",
    "format",
    "venue",
    "city",
    "country",
    "languages",
    "chatham_house",
    "capacity",
    "join_url",
    "visa_lead_weeks",
    "participants_published",
)
# Once held, what happened is history: only the report and who sees the participant list change.
AFTER_THE_MEETING = ("participants_published",)


@transaction.atomic
def meeting_update(*, meeting: Meeting, by, **changes) -> Meeting:
    """Change a meeting's details: its conveners or the secretariat, until it is cancelled or
    held (after that, only whether participants see the participant list). Its working group
    does not change: that would hand it to other conveners."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    host_organizations = changes.pop("host_organizations", None)
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)}")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it cannot change any more."))
    if meeting.is_over:
        frozen = [
            name
            for name, value in changes.items()
            if name not in AFTER_THE_MEETING and getattr(meeting, name) != value
        ]
        if frozen or (
            host_organizations is not None
            and set(host_organizations) != set(meeting.host_organizations.all())
        ):
            raise ValidationError(
                _("This meeting has been held: its details cannot change any more.")
            )
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    if host_organizations is not None:
        meeting.host_organizations.set(host_organizations)
    return meeting


@transaction.atomic
def meeting_report_write(*, meeting: Meeting, by, report: str) -> Meeting:
    """The conveners write (and rewrite) the meeting's report, in Markdown, until it is
    published; publishing is a transition (``report_published``)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: it has no report."))
    if meeting.status == MeetingStatus.REPORT_PUBLISHED:
        raise ValidationError(_("This meeting's report is published: it cannot change any more."))
    meeting.report = report.replace("\r\n", "\n").strip()
    try:
        validate_report(meeting.report)
    except ValidationError as error:
        raise ValidationError({"report": error.messages}) from error
    meeting.full_clean()
    meeting.save(update_fields=["report", "updated_at"])
    return meeting
