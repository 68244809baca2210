"""Who may do what in dialogues. Pages, the API and tasks ask these predicates."""

import rules
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.rules import is_secretariat, roles_now


def convenes_a_working_group(user_id):
    """An expression true while the user whose id is ``user_id`` (an ``OuterRef``) convenes a
    working group: registered as a privileged role (two-factor, shorter sessions) in apps.py."""
    from dialogues.models import WorkingGroup

    return Exists(WorkingGroup.conveners.through.objects.filter(user=user_id))


@rules.predicate
def is_convener(user) -> bool:
    """In the conveners' group, or a convener of at least one working group, now."""
    if not user.is_authenticated:
        return False
    return _in_conveners_group(user) or user.convened_working_groups.exists()


@rules.predicate
def may_create_working_group(user) -> bool:
    return is_secretariat(user) or _in_conveners_group(user)


@rules.predicate
def may_schedule_meetings(user) -> bool:
    """Open the new-meeting page: the secretariat, the conveners' group (meetings without a
    group) and the conveners of a working group (their group's meetings)."""
    return is_secretariat(user) or is_convener(user)


@rules.predicate
def may_manage_working_group(user, working_group) -> bool:
    """Edit the group, schedule its meetings, invite and record outcomes: its conveners and the
    secretariat."""
    if not user.is_authenticated or working_group is None:
        return False
    if is_secretariat(user):
        return True
    return working_group.conveners.filter(pk=user.pk).exists()


@rules.predicate
def may_manage_meeting(user, meeting) -> bool:
    """A meeting's conveners: those of its working group, or for a meeting without one (the
    annual convening, an outreach event) the conveners' group; and the secretariat."""
    if not user.is_authenticated or meeting is None:
        return False
    if meeting.working_group_id is not None:
        return may_manage_working_group(user, meeting.working_group)
    return is_secretariat(user) or _in_conveners_group(user)


def _in_conveners_group(user) -> bool:
    return user.is_authenticated and roles_now(user)["conveners_group"]


@rules.predicate
def may_see_visa_details(user, participation) -> bool:
    """A participant's passport facts and visa letters: the person themself and the meeting's
    conveners (and the secretariat), no one else (DESIGN.md §4)."""
    if not user.is_authenticated or participation is None:
        return False
    return participation.user_id == user.pk or may_manage_meeting(user, participation.meeting)


# Visa support. Beyond who may act (the person for their facts, the conveners for letters), what
# the participation and the meeting must be for it: each answers why not, in words, or None.


def visa_details_refusal(participation, *, now=None) -> str | None:
    """Why the invited person cannot give (or replace) their passport facts now, or None.
    While a letter issued with them is in force they stay as they are, so that the letter and
    the facts it states never disagree."""
    from dialogues.models import MeetingStatus, ParticipationStatus

    now = now or timezone.now()
    meeting = participation.meeting
    if not meeting.needs_visa_planning:
        return _("An online meeting needs no visa.")
    if meeting.status == MeetingStatus.CANCELLED:
        return _("This meeting was cancelled.")
    if meeting.is_over or now >= meeting.ends_at:
        return _("This meeting is over.")
    if participation.status == ParticipationStatus.DECLINED:
        return _("You declined this invitation.")
    if live_visa_letters(participation):
        return _(
            "A visa support letter issued with your passport facts is in force: ask the "
            "conveners to revoke it before you change them."
        )
    return None


def still_on_behalf(participation) -> bool:
    """Whether the invited account is still a member of the organization it was invited for
    (an invitation by email address, to someone without an account, has no membership to
    lose). Asked now, at each answer and letter: a person who left speaks for it no more."""
    if participation.user_id is None:
        return True
    if hasattr(participation, "on_behalf_now"):  # read with the list (selectors.on_behalf_now)
        return participation.on_behalf_now
    return participation.organization.memberships.filter(user_id=participation.user_id).exists()


def visa_letter_refusal(participation, *, now=None) -> str | None:
    """Why the conveners cannot issue a visa support letter to ``participation`` now, or None.

    A letter goes to a participant whose place is confirmed (accepted: an embassy reads the
    letter as a promise that the person is expected; the waiting list is no such promise), who
    needs a visa and whose passport facts are given and not erased, for an in-person or hybrid
    meeting that is neither cancelled nor started; one letter in force at a time. Reads
    ``visa_details`` and ``visa_letters`` through the participation, so that a list can fetch
    them beforehand."""
    from dialogues.models import MeetingStatus, ParticipationStatus

    now = now or timezone.now()
    meeting = participation.meeting
    if not meeting.needs_visa_planning:
        return _("An online meeting needs no visa letter.")
    if meeting.status == MeetingStatus.CANCELLED:
        return _("The meeting was cancelled.")
    if meeting.is_over or now >= meeting.starts_at:
        return _("The meeting has started: it is too late for a visa letter.")
    if participation.status == ParticipationStatus.WAITLISTED:
        return _("On the waiting list: a letter is issued once the place is confirmed.")
    if participation.status != ParticipationStatus.ACCEPTED:
        return _("Only participants whose place is confirmed get a letter.")
    if not participation.needs_visa:
        return _("This participant has not said they need a visa.")
    if not still_on_behalf(participation):
        return _("This participant is no longer a member of the organization they take part for.")
    details = visa_details_of(participation)
    if details is None:
        return _("The participant has not given their passport facts yet.")
    if not details.sealed:
        return _("The passport facts were erased: the participant must give them again.")
    if live_visa_letters(participation):
        return _("A letter is already in force: revoke it to issue another.")
    return None


def visa_details_of(participation):
    """The participation's ``VisaDetails`` row, or None (fetched beforehand by a list)."""
    from dialogues.models import VisaDetails

    try:
        return participation.visa_details
    except VisaDetails.DoesNotExist:
        return None


def live_visa_letters(participation) -> list:
    """Its letters not revoked (at most one), from ``visa_letters`` (prefetched by a list)."""
    return [letter for letter in participation.visa_letters.all() if letter.revoked_at is None]
