"""Every change to dialogues, one function per change (STYLE.md: one door per change)."""

import hashlib
import json
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dialogues.models import (
    MEETING_TRANSITIONS,
    ActionPoint,
    Meeting,
    MeetingStatus,
    Participation,
    ParticipationStatus,
    VisaDetails,
    WorkingGroup,
)
from dialogues.rules import may_create_working_group, may_manage_meeting
from organizations.adapters import field_cipher
from organizations.models import User
from organizations.services.notify import email_on_commit

# Who is told when a meeting is cancelled: whoever expects to come.
TOLD_OF_CANCELLATION = (ParticipationStatus.ACCEPTED, ParticipationStatus.WAITLISTED)


@transaction.atomic
def working_group_create(
    *,
    by,
    name: str,
    slug: str,
    description: str = "",
    themes=(),
    convening_organizations=(),
    conveners=(),
    members=(),
    active: bool = True,
) -> WorkingGroup:
    if not may_create_working_group(by):
        raise PermissionDenied
    group = WorkingGroup(name=name, slug=slug, description=description, active=active)
    group.full_clean()
    group.save()
    group.themes.set(themes)
    group.convening_organizations.set(convening_organizations)
    group.conveners.set(conveners)
    group.members.set(members)
    return group


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
    participant by email. Returns the meeting and the warnings the conveners should see:
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
    if to == MeetingStatus.CANCELLED and not reason:
        raise ValidationError(
            {"reason": _("Say why the meeting is cancelled: the participants are told.")}
        )
    warnings = []
    if to in (MeetingStatus.INVITATIONS_OPEN, MeetingStatus.CONFIRMED) and (
        meeting.visa_deadline_passed(now)
    ):
        warnings.append(visa_lateness_warning(meeting))
    meeting.status = to
    meeting.status_changed_at = now
    if to == MeetingStatus.CANCELLED:
        meeting.cancellation_reason = reason
    meeting.save(update_fields=["status", "status_changed_at", "cancellation_reason", "updated_at"])
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


# --- Invitations and answers ----------------------------------------------------------------

# Invitations go out, and are answered, while the meeting takes them.
OPEN_FOR_ANSWERS = (MeetingStatus.INVITATIONS_OPEN, MeetingStatus.CONFIRMED)


def rsvp_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def participation_invite(
    *, meeting: Meeting, by, organization, user=None, email: str = "", needs_visa: bool = False
) -> tuple[Participation, str]:
    """Invite a person (an account, or an email address) on behalf of ``organization``: the
    meeting's conveners, while invitations are open. Returns the participation and the raw
    one-click answer token (only its hash is kept), which the invitation email carries."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status not in OPEN_FOR_ANSWERS:
        raise ValidationError(_("Open the invitations before inviting anyone."))
    email = (email or "").strip().lower()
    if user is None and email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None and not email:
        raise ValidationError({"email": _("Invite an account or an email address.")})
    if user is not None:
        email = ""
        if not user.memberships.filter(organization=organization).exists():
            raise ValidationError(
                {"organization": _("The person invited must be a member of that organization.")}
            )
    already = meeting.participations.filter(
        Q(user=user) if user is not None else Q(email__iexact=email)
    )
    if already.exists():
        raise ValidationError(_("This person is already invited to this meeting."))
    raw = secrets.token_urlsafe(32)
    participation = Participation(
        meeting=meeting,
        user=user,
        email=email,
        organization=organization,
        needs_visa=needs_visa,
        invited_by=by,
        rsvp_token_hash=rsvp_token_hash(raw),
    )
    participation.full_clean()
    participation.save()
    email_on_commit(
        "invitation",
        {
            "title": meeting.title,
            "starts_at": meeting.starts_at,
            "zone": meeting.timezone,
            "organization": organization.name,
            "accept_url": settings.SITE_URL + reverse("dialogues:rsvp", args=[raw, "accept"]),
            "decline_url": settings.SITE_URL + reverse("dialogues:rsvp", args=[raw, "decline"]),
        },
        [user.email if user is not None else email],
        app="dialogues",
    )
    return participation, raw


def participation_for_token(raw: str) -> Participation | None:
    """The participation an answer link names, or None (unknown, or already used)."""
    if not raw or len(raw) > 200:
        return None
    return (
        Participation.objects.select_related("meeting")
        .filter(rsvp_token_hash=rsvp_token_hash(raw))
        .first()
    )


@transaction.atomic
def participation_respond(
    *, participation: Participation, accept: bool, by=None, token: str = "", now=None
) -> Participation:
    """Accept or decline an invitation: by its one-click link (``token``, signed out, once,
    until the meeting ends) or as the invited account (``by``). Beyond the meeting's capacity
    an acceptance joins the waiting list; a declined place goes to whoever has waited
    longest, who is told by email."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=participation.meeting_id)
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    if token:
        if participation.rsvp_token_hash != rsvp_token_hash(token) or not token:
            raise PermissionDenied
    elif by is None or participation.user_id != by.pk:
        raise PermissionDenied
    if meeting.status not in OPEN_FOR_ANSWERS or now >= meeting.ends_at:
        raise ValidationError(_("This meeting no longer takes answers."))
    was_accepted = participation.status == ParticipationStatus.ACCEPTED
    if accept:
        if participation.status in (ParticipationStatus.ACCEPTED, ParticipationStatus.WAITLISTED):
            target = participation.status
        elif meeting.capacity is not None and _accepted(meeting) >= meeting.capacity:
            target = ParticipationStatus.WAITLISTED
        else:
            target = ParticipationStatus.ACCEPTED
    else:
        target = ParticipationStatus.DECLINED
    if target == ParticipationStatus.WAITLISTED and participation.waitlisted_at is None:
        participation.waitlisted_at = now
    if target != ParticipationStatus.WAITLISTED:
        participation.waitlisted_at = None
    participation.status = target
    participation.responded_at = now
    if token:
        participation.rsvp_token_hash = ""  # the link works once
    participation.save()
    if was_accepted and target == ParticipationStatus.DECLINED:
        _promote_from_waitlist(meeting)
    return participation


def _accepted(meeting: Meeting) -> int:
    return meeting.participations.filter(status=ParticipationStatus.ACCEPTED).count()


def _promote_from_waitlist(meeting: Meeting) -> None:
    if meeting.capacity is not None and _accepted(meeting) >= meeting.capacity:
        return
    waiting = (
        meeting.participations.select_for_update(of=("self",))
        .filter(status=ParticipationStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .select_related("user")
        .first()
    )
    if waiting is None:
        return
    waiting.status = ParticipationStatus.ACCEPTED
    waiting.waitlisted_at = None
    waiting.save(update_fields=["status", "waitlisted_at", "updated_at"])
    email_on_commit(
        "waitlist_promoted",
        {"title": meeting.title, "starts_at": meeting.starts_at, "zone": meeting.timezone},
        [waiting.user.email if waiting.user_id else waiting.email],
        app="dialogues",
    )


@transaction.atomic
def participation_record_attendance(
    *, participation: Participation, attended: bool, by, now=None
) -> Participation:
    """After the meeting has started, its conveners record whether an accepted participant
    came (attended / no-show)."""
    now = now or timezone.now()
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    meeting = participation.meeting
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
    if now < meeting.starts_at or meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("Attendance is recorded once the meeting has started."))
    if participation.status not in (
        ParticipationStatus.ACCEPTED,
        ParticipationStatus.ATTENDED,
        ParticipationStatus.NO_SHOW,
    ):
        raise ValidationError(_("Only accepted participants can attend."))
    participation.status = ParticipationStatus.ATTENDED if attended else ParticipationStatus.NO_SHOW
    participation.save(update_fields=["status", "updated_at"])
    return participation


# --- Passport facts for visa letters ---------------------------------------------------------

VISA_FACTS = ("full_name", "nationality", "passport_number", "date_of_birth")
# Days after a meeting ends before the passport facts given for it are erased.
VISA_DETAILS_KEPT_DAYS = 30


@transaction.atomic
def visa_details_give(*, participation: Participation, by, **facts) -> VisaDetails:
    """The invited person gives the passport facts a visa letter needs (all four), encrypted
    at rest; giving them again replaces them."""
    if by is None or participation.user_id != by.pk:
        raise PermissionDenied
    cleaned = _visa_facts(facts)
    details = VisaDetails.objects.select_for_update().filter(participation=participation).first()
    if details is None:
        details = VisaDetails(participation=participation)
    details.sealed = field_cipher().encrypt(json.dumps(cleaned).encode()).decode()
    details.given_at = timezone.now()
    details.erased_at = None
    details.save()
    if not participation.needs_visa:
        participation.needs_visa = True
        participation.save(update_fields=["needs_visa", "updated_at"])
    return details


def visa_details_read(*, participation: Participation, by) -> dict | None:
    """The passport facts, for the person themself and the meeting's conveners only (None if
    none were given, or they were erased)."""
    if by is None or not (
        participation.user_id == by.pk or may_manage_meeting(by, participation.meeting)
    ):
        raise PermissionDenied
    details = VisaDetails.objects.filter(participation=participation).first()
    if details is None or not details.sealed:
        return None
    return json.loads(field_cipher().decrypt(details.sealed.encode()))


def visa_details_erase_due(*, now=None) -> int:
    """Erase the passport facts given for meetings that ended more than
    VISA_DETAILS_KEPT_DAYS ago (a periodic task); the erasure is recorded (``erased_at`` and
    the audit history, which never holds the facts). Returns how many were erased."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=VISA_DETAILS_KEPT_DAYS)
    return (
        VisaDetails.objects.filter(participation__meeting__ends_at__lt=cutoff)
        .exclude(sealed="")
        .update(sealed="", erased_at=now)
    )


def _visa_facts(facts: dict) -> dict:
    unknown = set(facts) - set(VISA_FACTS)
    if unknown:
        raise TypeError(f"Unknown visa facts: {sorted(unknown)}")
    errors = {}
    cleaned = {}
    for name in VISA_FACTS:
        value = facts.get(name)
        if name == "date_of_birth":
            if not isinstance(value, date) or not (date(1900, 1, 1) <= value <= date.today()):
                errors[name] = _("Give the date of birth as in the passport.")
            else:
                cleaned[name] = value.isoformat()
            continue
        value = (value or "").strip() if isinstance(value, str) else ""
        if not value or len(value) > 200 or "\x00" in value:
            errors[name] = _("Give this as it is written in the passport.")
        else:
            cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Action points ---------------------------------------------------------------------------


@transaction.atomic
def action_point_add(*, meeting: Meeting, by, text: str, **fields) -> ActionPoint:
    """A meeting's conveners record an action point (its text, the responsible organization
    and person, the due date, the agenda item it came from)."""
    if not may_manage_meeting(by, meeting):
        raise PermissionDenied
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
    if set(changes) - allowed:
        raise TypeError(f"Cannot change {sorted(set(changes) - allowed)}")
    for name, value in changes.items():
        setattr(point, name, value.strip() if name == "text" else value)
    point.full_clean()
    point.save()
    return point
