"""Invitations, answers (by link or from the account), the waiting list and attendance."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.models import (
    Meeting,
    MeetingStatus,
    Participation,
    ParticipationStatus,
)
from dialogues.rules import may_manage_meeting, still_on_behalf
from dialogues.selectors import on_behalf_now
from organizations.models import User
from organizations.services.notify import email_on_commit

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
    if accept and not still_on_behalf(participation):
        raise ValidationError(
            _(
                "You are no longer a member of the organization you were invited for: ask the "
                "conveners to invite you again."
            )
        )
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
    # The emailed link works once, and not after an answer from the account either.
    participation.rsvp_token_hash = ""
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
        # Those who left the organization they were invited for are not given its place.
        .filter(on_behalf_now())
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
    if meeting.status == MeetingStatus.REPORT_PUBLISHED:
        raise ValidationError(
            _("This meeting's report is published: its attendance cannot change any more.")
        )
    if participation.status not in (
        ParticipationStatus.ACCEPTED,
        ParticipationStatus.ATTENDED,
        ParticipationStatus.NO_SHOW,
    ):
        raise ValidationError(_("Only accepted participants can attend."))
    participation.status = ParticipationStatus.ATTENDED if attended else ParticipationStatus.NO_SHOW
    participation.save(update_fields=["status", "updated_at"])
    return participation
