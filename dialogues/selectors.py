"""Reads of dialogues shared by pages, the API and tasks: one selector per kind of object decides
who sees what (DESIGN.md §4)."""

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When

from dialogues.models import (
    ActionPoint,
    ActionPointStatus,
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
    VisaLetter,
    WorkingGroup,
)
from dialogues.rules import may_manage_meeting, may_manage_working_group, still_on_behalf
from organizations.models import Membership, Organization, Sector, User
from organizations.rules import is_secretariat, roles_now
from organizations.selectors import organizations_visible_to

# Meetings anonymous visitors may know of (once past their draft).
PUBLIC_KINDS = (MeetingKind.ANNUAL_CONVENING, MeetingKind.OUTREACH_EVENT)
# Who is counted as coming: accepted, and after the meeting those who attended.
COMING = (ParticipationStatus.ACCEPTED, ParticipationStatus.ATTENDED)


def working_groups_visible_to(user) -> QuerySet[WorkingGroup]:
    """Active working groups for everyone; inactive ones for their conveners and the
    secretariat too."""
    groups = WorkingGroup.objects.all()
    if is_secretariat(user):
        return groups
    if user.is_authenticated:
        # An EXISTS rather than a join: no row repeated, so no DISTINCT to sort away.
        convenes = WorkingGroup.conveners.through.objects.filter(
            workinggroup_id=OuterRef("pk"), user_id=user.pk
        )
        return groups.filter(Q(active=True) | Q(Exists(convenes)))
    return groups.filter(active=True)


def working_groups_managed_by(user) -> QuerySet[WorkingGroup]:
    """The groups whose meetings ``user`` may schedule: all for the secretariat, else those they
    convene (inactive ones included: a group winding down still records its last meeting)."""
    if not user.is_authenticated:
        return WorkingGroup.objects.none()
    if is_secretariat(user):
        return WorkingGroup.objects.order_by("name", "id")
    return WorkingGroup.objects.filter(conveners=user).order_by("name", "id")


def meetings_audience(user) -> str | None:
    """Who else sees exactly the meetings and working groups ``user`` sees: "anonymous";
    "network", a signed-in user who may manage no meeting (neither the secretariat nor the
    conveners' group, and privileged by no role, which every working group's convener is:
    dialogues.apps), who sees every meeting past its draft and the active groups; or None when
    the set is the user's own. What is rendered for one "network" reader may be shown to every
    other (``gsx_portal.page_cache.shared_fragment``); a test holds this to
    ``meetings_visible_to``.

    Asked of the roles *now* (read once per request, ``roles_now``), as ``meetings_visible_to``
    reads them: both answer from the same read."""
    if not user.is_authenticated:
        return "anonymous"
    roles = roles_now(user)
    if is_secretariat(user) or roles["conveners_group"] or roles["privileged"]:
        return None
    return "network"


def organizations_to_invite_for(user, *, invitee=None, email: str = "") -> QuerySet:
    """The organizations ``user`` (a convener) may name on an invitation: those they may see,
    and those of the invited account (``invitee``, or the active account with ``email``), so
    that a restricted organization's member is invited on its behalf without its name being
    told to anyone else. The one place both the page and the API ask."""
    candidates = organizations_visible_to(user)
    if invitee is not None:
        candidates = candidates | Organization.objects.filter(memberships__user=invitee)
    elif email:
        candidates = candidates | Organization.objects.filter(
            memberships__user__email__iexact=email, memberships__user__is_active=True
        )
    return candidates.distinct()


def organizations_to_name_at(user, meeting) -> QuerySet:
    """The organizations ``user`` may name as responsible for an action point of ``meeting``:
    those they may see, and those of the meeting's participants (whose names conveners see)."""
    return (
        organizations_visible_to(user)
        | Organization.objects.filter(participations__meeting=meeting)
    ).distinct()


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Meetings ``user`` may know of: for anonymous visitors the public events (the annual
    convening and outreach events) past their draft; for signed-in people every meeting past
    its draft, and the drafts they may manage (their working group's, or for the secretariat
    and the conveners' group, those without one). The one place that decides; what of a
    meeting is shown (venue, join link, participants) is asked of the predicates below.

    Working-group meetings, workshops and consultations are not public: where and when people
    working against violent extremism meet is for the network."""
    meetings = Meeting.objects.all()
    published = ~Q(status=MeetingStatus.DRAFT)
    if not user.is_authenticated:
        return meetings.filter(published, kind__in=PUBLIC_KINDS)
    if is_secretariat(user):
        return meetings
    if meetings_audience(user) == "network":
        return meetings.filter(published)  # manages nothing: no draft to look for
    # The drafts they manage, as an EXISTS: a join on the conveners repeated rows and needed a
    # DISTINCT, which sorted every visible meeting on each list.
    return meetings.filter(published | (Q(status=MeetingStatus.DRAFT) & _managed_q(user)))


def sees_meeting(user: str, meeting: str = "meeting__") -> Q:
    """``meetings_visible_to`` per row, for the account a row names rather than the reader:
    whether the account at ``user`` (a foreign key's name: "user", "responsible_person") may
    see the meeting at ``meeting`` ("meeting__", or "" for meetings themselves) now. Every
    meeting past its draft; a draft for its conveners (its working group's, or the conveners'
    group for one without a group), the secretariat and staff. For work done for many people
    at once (dialogues.reminders); a test holds it to ``meetings_visible_to``."""
    account = OuterRef(f"{user}_id")
    in_group = Group.objects.filter(user=account)
    convenes = WorkingGroup.conveners.through.objects.filter(
        workinggroup_id=OuterRef(f"{meeting}working_group_id"), user_id=account
    )
    return (
        ~Q(**{f"{meeting}status": MeetingStatus.DRAFT})
        | Q(Exists(User.objects.filter(pk=account, is_staff=True)))
        | Q(Exists(in_group.filter(name="secretariat")))
        | Q(Exists(convenes))
        | (
            Q(**{f"{meeting}working_group__isnull": True})
            & Q(Exists(in_group.filter(name="convener")))
        )
    )


def participation_of(user, meeting: Meeting) -> Participation | None:
    if not user.is_authenticated:
        return None
    return meeting.participations.filter(user=user).first()


def may_see_join_link(user, meeting: Meeting) -> bool:
    """The online join link: accepted participants and the meeting's conveners."""
    if not meeting.join_url or meeting.status == MeetingStatus.CANCELLED:
        return False
    if may_manage_meeting(user, meeting):
        return True
    mine = participation_of(user, meeting)
    return mine is not None and mine.status in COMING


def may_see_participants(user, meeting: Meeting) -> bool:
    """The conveners and the secretariat always; accepted participants once the conveners
    publish the list."""
    if may_manage_meeting(user, meeting):
        return True
    if not meeting.participants_published:
        return False
    mine = participation_of(user, meeting)
    return mine is not None and mine.status in COMING


def participants_visible_to(user, meeting: Meeting) -> QuerySet[Participation]:
    """The participations ``user`` may see of ``meeting`` (none unless ``may_see_participants``):
    every invitation for its conveners, those coming for the participants. Each carries
    ``organization_shown``: whether its organization may be named to ``user`` (never a
    restricted organization to anyone outside it, but to the conveners)."""
    if not may_see_participants(user, meeting):
        return Participation.objects.none()
    participations = meeting.participations.select_related("user", "organization")
    managing = may_manage_meeting(user, meeting)
    if not managing:
        participations = participations.filter(status__in=COMING)
    return participations.annotate(
        organization_shown=_organization_shown(user, "organization_id", managing=managing)
    ).order_by("organization__name", "id")


def _organization_shown(user, field: str, *, managing: bool | Q):
    """Whether the organization in ``field`` may be named to ``user``: one it may see (never a
    restricted one outside it and the secretariat), or any to the meeting's conveners.
    ``managing``: whether ``user`` manages the meeting, or a condition saying so per row."""
    visible = organizations_visible_to(user).filter(pk=OuterRef(field))
    if isinstance(managing, Q):
        return Case(When(managing, then=True), When(Exists(visible), then=True), default=False)
    if managing:
        return Value(True)
    return Case(When(Exists(visible), then=True), default=False)


def _managed_q(user, meeting: str = "") -> Q | bool:
    """``rules.may_manage_meeting`` per row, for the meeting at ``meeting`` (a lookup path such
    as "meeting__", or "" for meetings themselves): True for the secretariat, False for
    anonymous visitors, else a condition (an EXISTS, so that no row is repeated)."""
    if not user.is_authenticated:
        return False
    if is_secretariat(user):
        return True
    convenes = WorkingGroup.conveners.through.objects.filter(
        workinggroup_id=OuterRef(f"{meeting}working_group_id"), user_id=user.pk
    )
    managed = Q(Exists(convenes))
    if roles_now(user)["conveners_group"]:
        managed |= Q(**{f"{meeting}working_group__isnull": True})
    return managed


def action_points_of(meeting: Meeting, user) -> QuerySet[ActionPoint]:
    """A meeting's action points, for signed-in readers, each with ``organization_shown``."""
    if not user.is_authenticated:
        return ActionPoint.objects.none()
    return (
        meeting.action_points.select_related("responsible_organization", "responsible_person")
        .annotate(
            organization_shown=_organization_shown(
                user, "responsible_organization_id", managing=may_manage_meeting(user, meeting)
            )
        )
        .order_by("due_on", "id")
    )


@dataclass
class Balance:
    """Who is coming, by sector, region and women-/youth-led organizations, with the warnings
    conveners should see."""

    total: int = 0
    by_sector: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, int] = field(default_factory=dict)
    women_led: int = 0
    youth_led: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def sector_counts(self) -> list[tuple[str, int]]:
        """(sector's name, count), most first."""
        labels = dict(Sector.choices)
        return sorted(
            ((str(labels.get(k, k)), n) for k, n in self.by_sector.items()), key=lambda c: -c[1]
        )

    @property
    def region_counts(self) -> list[tuple[str, int]]:
        """(region's name, count), most first (an organization may work in several)."""
        from organizations.regions import Region

        labels = dict(Region.choices)
        return sorted(
            ((str(labels.get(k, k)), n) for k, n in self.by_region.items()), key=lambda c: -c[1]
        )


def balance_of(meeting: Meeting) -> Balance:
    """The balance panel of the people coming (accepted, then attended). One query."""
    from django.utils.translation import gettext as _

    rows = list(
        meeting.participations.filter(status__in=COMING).values_list(
            "organization__sector",
            "organization__regions",
            "organization__women_led",
            "organization__youth_led",
        )
    )
    balance = Balance(total=len(rows))
    for sector, regions, women_led, youth_led in rows:
        balance.by_sector[sector] = balance.by_sector.get(sector, 0) + 1
        for region in regions or ():
            balance.by_region[region] = balance.by_region.get(region, 0) + 1
        balance.women_led += bool(women_led)
        balance.youth_led += bool(youth_led)
    if not balance.total:
        return balance
    civil_society = balance.by_sector.get(Sector.CIVIL_SOCIETY, 0)
    if not civil_society:
        balance.warnings.append(_("No civil society organization is coming."))
    elif civil_society < balance.total * settings.DIALOGUES_CIVIL_SOCIETY_SHARE:
        balance.warnings.append(
            _("Civil society is less than %(share)s of the participants.")
            % {"share": f"{float(settings.DIALOGUES_CIVIL_SOCIETY_SHARE):.0%}"}
        )
    if not balance.women_led:
        balance.warnings.append(_("No women-led organization is coming."))
    return balance


def action_points_carried_to(meeting: Meeting, user=None) -> QuerySet[ActionPoint]:
    """The open action points of the same working group's earlier meetings, which a meeting
    lists and lets its conveners update; for a reader (``user``), with ``organization_shown``."""
    if meeting.working_group_id is None:
        return ActionPoint.objects.none()
    points = (
        ActionPoint.objects.filter(
            meeting__working_group_id=meeting.working_group_id,
            meeting__starts_at__lt=meeting.starts_at,
            status=ActionPointStatus.OPEN,
        )
        .select_related("meeting", "responsible_organization", "responsible_person")
        .order_by("due_on", "id")
    )
    if user is None:
        return points
    if not user.is_authenticated:
        return ActionPoint.objects.none()
    # Never a point of an earlier meeting the reader may not see (a draft's, to non-conveners).
    points = points.filter(meeting__in=meetings_visible_to(user))
    return points.annotate(
        organization_shown=_organization_shown(
            user, "responsible_organization_id", managing=may_manage_meeting(user, meeting)
        )
    )


def action_points_visible_to(user) -> QuerySet[ActionPoint]:
    """Every action point of the meetings ``user`` may see, for signed-in readers (as on the
    pages), each with ``organization_shown`` (the responsible organization may be named: one
    the reader may see, or any to the conveners of its meeting); soonest due first, those
    without a date last."""
    if not user.is_authenticated:
        return ActionPoint.objects.none()
    return (
        ActionPoint.objects.filter(meeting__in=meetings_visible_to(user))
        .select_related("meeting", "meeting__working_group", "responsible_organization")
        .annotate(
            organization_shown=_organization_shown(
                user, "responsible_organization_id", managing=_managed_q(user, "meeting__")
            )
        )
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def agenda_of(meeting: Meeting, user) -> QuerySet[AgendaItem]:
    """The agenda ``user`` may read of ``meeting`` (which they may see): hidden while the
    meeting is a draft, but from those who manage it."""
    if meeting.is_draft and not may_manage_meeting(user, meeting):
        return AgendaItem.objects.none()
    return meeting.agenda_items.select_related("theme").order_by("position")


def open_action_points_of_group(group: WorkingGroup, user) -> QuerySet[ActionPoint]:
    """A working group's open action points, from the meetings ``user`` may see, for signed-in
    readers, each with ``organization_shown``."""
    if not user.is_authenticated:
        return ActionPoint.objects.none()
    managing = may_manage_working_group(user, group)
    return (
        ActionPoint.objects.filter(
            meeting__in=meetings_visible_to(user).filter(working_group=group),
            status=ActionPointStatus.OPEN,
        )
        .select_related("meeting", "responsible_organization")
        .annotate(
            organization_shown=_organization_shown(
                user, "responsible_organization_id", managing=managing
            )
        )
        .order_by("due_on", "id")
    )


def my_participations(user) -> QuerySet[Participation]:
    """The person's own invitations, to meetings they may see (never a draft's), soonest
    first; each with ``organization_shown`` (they may have left a restricted organization they
    were invited for, or it may have become restricted: then it is not named to them)."""
    if not user.is_authenticated:
        return Participation.objects.none()
    return (
        Participation.objects.filter(user=user, meeting__in=meetings_visible_to(user))
        .exclude(meeting__status=MeetingStatus.DRAFT)
        .select_related("meeting", "meeting__working_group", "organization")
        .annotate(
            organization_shown=_organization_shown(
                user, "organization_id", managing=_managed_q(user, "meeting__")
            )
        )
        .order_by("meeting__starts_at", "id")
    )


@dataclass
class ComingUp:
    """A person's "Coming up" on the home page."""

    to_answer: list = field(default_factory=list)  # invitations waiting for an answer
    next_meetings: list = field(default_factory=list)  # accepted or waiting for a place
    action_points: list = field(default_factory=list)  # open, theirs

    def __bool__(self):
        return bool(self.to_answer or self.next_meetings or self.action_points)


COMING_UP_SHOWN = 5


def coming_up(user, *, now=None) -> ComingUp:
    """What the home page shows a signed-in person of dialogues: invitations to answer, their
    next meetings, their open action points. Two queries."""
    from django.utils import timezone

    now = now or timezone.now()
    coming = ComingUp()
    participations = (
        my_participations(user)
        .filter(
            meeting__ends_at__gte=now,
            status__in=(
                ParticipationStatus.INVITED,
                ParticipationStatus.ACCEPTED,
                ParticipationStatus.WAITLISTED,
            ),
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
    )
    for participation in participations[: COMING_UP_SHOWN * 2]:
        if participation.status == ParticipationStatus.INVITED:
            if participation.meeting.status in (
                MeetingStatus.INVITATIONS_OPEN,
                MeetingStatus.CONFIRMED,
            ):
                coming.to_answer.append(participation)
        else:
            coming.next_meetings.append(participation)
    coming.to_answer = coming.to_answer[:COMING_UP_SHOWN]
    coming.next_meetings = coming.next_meetings[:COMING_UP_SHOWN]
    coming.action_points = list(
        ActionPoint.objects.filter(
            responsible_person=user,
            status=ActionPointStatus.OPEN,
            meeting__in=meetings_visible_to(user),
        )
        .select_related("meeting")
        .order_by(F("due_on").asc(nulls_last=True), "id")[:COMING_UP_SHOWN]
    )
    return coming


# Visa support: what the conveners' visa page lists (never the passport facts themselves) and
# what the public verification page may say of a letter.


def visa_requests_of(meeting: Meeting) -> QuerySet[Participation]:
    """The participants of ``meeting`` who need a visa, for its conveners: their account,
    organization, passport facts' row (to say whether they were given; the page never shows
    them) and letters, newest first. Two queries, whatever their number."""
    return (
        meeting.participations.filter(needs_visa=True)
        .select_related("user", "organization", "visa_details")
        .prefetch_related(
            Prefetch(
                "visa_letters",
                queryset=VisaLetter.objects.select_related("issued_by").order_by("-issued_at"),
            )
        )
        .annotate(on_behalf_now=on_behalf_now())
        .order_by("organization__name", "user__name", "email", "id")
    )


def on_behalf_now():
    """An expression: whether the invited account is still a member of the organization it was
    invited for (``rules.still_on_behalf`` reads it when present, for lists)."""
    return Q(user__isnull=True) | Exists(
        Membership.objects.filter(
            user_id=OuterRef("user_id"), organization_id=OuterRef("organization_id")
        )
    )


def visa_letter_by_reference(reference: str) -> VisaLetter | None:
    """The letter a verification link names, or None (unknown or malformed: both are "not
    known" to the person asking)."""
    try:
        parsed = uuid.UUID(reference)
    except (ValueError, TypeError, AttributeError):
        return None
    return (
        VisaLetter.objects.select_related("participation__meeting__working_group")
        .filter(reference=parsed)
        .first()
    )


class VisaLetterStanding:
    VALID = "valid"
    REVOKED = "revoked"
    MEETING_CANCELLED = "meeting_cancelled"
    WITHDRAWN = "withdrawn"  # the holder declined their place after the letter was issued


def visa_letter_standing(letter: VisaLetter) -> str:
    """What an embassy is told of a genuine letter, derived from the outcome rather than stored:
    revoked, the meeting cancelled, the holder no longer coming, or valid."""
    participation = letter.participation
    if letter.revoked_at is not None:
        return VisaLetterStanding.REVOKED
    if participation.meeting.status == MeetingStatus.CANCELLED:
        return VisaLetterStanding.MEETING_CANCELLED
    if participation.status not in (*COMING, ParticipationStatus.NO_SHOW):
        return VisaLetterStanding.WITHDRAWN
    if not still_on_behalf(participation):
        # The holder left the organization the letter says they come for: it no longer holds.
        return VisaLetterStanding.WITHDRAWN
    return VisaLetterStanding.VALID
