"""The signed-in home: my organizations, and what waits for me. Read by the home page and, for
its counts, by the header on every page (``gsx_portal.context_processors``).

Everything here is drawn from what the user may already see elsewhere (their memberships, their
organizations' requests, their own requests, the vetting queue for reviewers); nothing widens
visibility. The query count depends on the user's roles, never on how many rows there are.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db.models import Exists, IntegerField, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gsx_portal.notifications import notifications_of
from gsx_portal.prepared import PLACEHOLDER_ID, PLACEHOLDER_TIME, PreparedQuery
from organizations.models import (
    Assessment,
    Contact,
    Endorsement,
    EndorsementStatus,
    IntroductionRequest,
    IntroductionStatus,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    User,
    VettingApplication,
    VettingStatus,
)
from organizations.rules import is_vetting_reviewer
from organizations.selectors.directory import vetting_queue
from organizations.selectors.introductions import introductions_sent_by

# Each list on the home page is cut here; the page it links to shows them all.
DASHBOARD_LIMIT = 20
OPEN_VETTING = (
    VettingStatus.DRAFT,
    VettingStatus.SUBMITTED,
    VettingStatus.IN_REVIEW,
    VettingStatus.CHANGES_REQUESTED,
)

# What a complete profile has, in the order the edit form asks for it.
PROFILE_ITEMS = (
    ("summary", _("a summary")),
    ("description", _("a description")),
    ("headquarters_country", _("the headquarters country")),
    ("countries", _("the countries of operation")),
    ("working_languages", _("the working languages")),
    ("themes", _("focus themes")),
    ("website", _("a website")),
    ("year_founded", _("the year founded")),
    ("constituency", _("who you work with")),
    ("contacts", _("a contact")),
)


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]


def profile_completeness(organization: Organization) -> Completeness:
    """How complete a profile is, and what is missing (in the reader's language).

    ``organization`` must come from ``organizations_with_completeness`` (themes and contacts are
    annotated, not queried per row)."""
    present = {
        "summary": bool(organization.summary.strip()),
        "description": bool(organization.description.strip()),
        "headquarters_country": bool(organization.headquarters_country),
        "countries": bool(organization.countries),
        "working_languages": bool(organization.working_languages),
        "themes": organization.has_themes,
        "website": bool(organization.website),
        "year_founded": organization.year_founded is not None,
        "constituency": bool(organization.constituency.strip()),
        "contacts": organization.has_contacts,
    }
    missing = [str(label) for key, label in PROFILE_ITEMS if not present[key]]
    done = len(PROFILE_ITEMS) - len(missing)
    return Completeness(percent=round(100 * done / len(PROFILE_ITEMS)), missing=missing)


def _latest_application():
    return VettingApplication.objects.filter(organization=OuterRef("organization_id")).order_by(
        "-created_at"
    )


def my_memberships(user):
    """The user's memberships with what the home shows of each organization, in one query."""
    themes = Organization.themes.through.objects.filter(organization_id=OuterRef("organization_id"))
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .annotate(
            organization_has_themes=Exists(themes),
            organization_has_contacts=Exists(
                Contact.objects.filter(organization_id=OuterRef("organization_id"))
            ),
            vetting_status=Subquery(_latest_application().values("status")[:1]),
        )
        .order_by("organization__name")
    )


@dataclass
class Dashboard:
    memberships: list = field(default_factory=list)
    endorsements: list = field(default_factory=list)
    introductions: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    vetting_steps: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    sent_introductions: list = field(default_factory=list)
    reviewer: bool = False

    @property
    def waiting_count(self) -> int:
        """What waits for the user to act: the header's count."""
        return (
            len(self.endorsements)
            + len(self.introductions)
            + len(self.invitations)
            + len(self.vetting_steps)
            + len(self.reviews)
        )


def _endorsements_for(admin_of: list[int]) -> list:
    return list(
        Endorsement.objects.filter(
            endorser_id__in=admin_of,
            status=EndorsementStatus.REQUESTED,
            application__status__in=OPEN_VETTING,
        )
        .select_related("endorser", "application__organization")
        .order_by("created_at")[:DASHBOARD_LIMIT]
    )


def _introductions_for(admin_of: list[int]) -> list:
    return list(
        IntroductionRequest.objects.filter(
            organization_id__in=admin_of,
            status=IntroductionStatus.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("organization", "requester_organization")
        .order_by("created_at")[:DASHBOARD_LIMIT]
    )


def invitations_addressed_to(user, *, now=None):
    """Open invitations to one of the user's verified addresses (an unverified address may not
    be theirs), to organizations they have not joined yet."""
    verified = EmailAddress.objects.filter(
        user=user, verified=True, email__iexact=OuterRef("email")
    )
    return (
        Invitation.objects.filter(
            Exists(verified),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .exclude(organization__memberships__user=user)
        .select_related("organization")
        .order_by("expires_at")
    )


def _reviews_for(user) -> list:
    mine = Assessment.objects.filter(application=OuterRef("pk"), reviewer=user)
    own = Membership.objects.filter(user=user).values("organization_id")
    return list(
        vetting_queue().exclude(organization_id__in=own).exclude(Exists(mine))[:DASHBOARD_LIMIT]
    )


def dashboard_of(user) -> Dashboard:
    """What the signed-in home shows ``user``; computed once per request (cached on the user)."""
    cached = getattr(user, "_gsx_dashboard", None)
    if cached is not None:
        return cached
    board = Dashboard()
    if not user.is_authenticated:
        return board
    board.memberships = list(my_memberships(user))
    for membership in board.memberships:
        organization = membership.organization
        organization.has_themes = membership.organization_has_themes
        organization.has_contacts = membership.organization_has_contacts
        membership.completeness = profile_completeness(organization)
        membership.vetting_status_label = (
            VettingStatus(membership.vetting_status).label if membership.vetting_status else ""
        )
    admin_of = [m.organization_id for m in board.memberships if m.role == MembershipRole.ADMIN]
    if admin_of:
        board.endorsements = _endorsements_for(admin_of)
        board.introductions = _introductions_for(admin_of)
    board.vetting_steps = [
        m
        for m in board.memberships
        if m.role in (MembershipRole.ADMIN, MembershipRole.EDITOR)
        and m.vetting_status in (VettingStatus.DRAFT, VettingStatus.CHANGES_REQUESTED)
    ]
    board.invitations = list(invitations_addressed_to(user)[:DASHBOARD_LIMIT])
    board.reviewer = is_vetting_reviewer(user)
    if board.reviewer:
        board.reviews = _reviews_for(user)
    board.sent_introductions = list(
        introductions_sent_by(user)
        .select_related("organization", "requester_organization")
        .order_by("-created_at")[:DASHBOARD_LIMIT]
    )
    user._gsx_dashboard = board
    return board


class _Count(Subquery):
    """How many rows a queryset has, as a scalar subquery of a larger query."""

    template = "(SELECT count(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _header_counts(*, user_id, now):
    """The query behind ``header_counts_of``, one row of counts; see there."""
    user = User(pk=user_id)
    admin_of = Membership.objects.filter(user=user, role=MembershipRole.ADMIN).values(
        "organization_id"
    )
    endorsements = Endorsement.objects.filter(
        endorser_id__in=admin_of,
        status=EndorsementStatus.REQUESTED,
        application__status__in=OPEN_VETTING,
    )
    introductions = IntroductionRequest.objects.filter(
        organization_id__in=admin_of, status=IntroductionStatus.PENDING, expires_at__gt=now
    )
    vetting_steps = (
        Membership.objects.filter(user=user, role__in=[MembershipRole.ADMIN, MembershipRole.EDITOR])
        .annotate(vetting_status=Subquery(_latest_application().values("status")[:1]))
        .filter(vetting_status__in=[VettingStatus.DRAFT, VettingStatus.CHANGES_REQUESTED])
    )
    mine = Assessment.objects.filter(application=OuterRef("pk"), reviewer=user)
    own = Membership.objects.filter(user=user).values("organization_id")
    reviews = (
        vetting_queue()
        .filter(Exists(Group.objects.filter(name="secretariat", user=user)))
        .exclude(organization_id__in=own)
        .exclude(Exists(mine))
    )
    unread = notifications_of(user).filter(read_at__isnull=True).order_by()
    parts = [
        endorsements,
        introductions,
        vetting_steps,
        invitations_addressed_to(user, now=now),
        reviews,
    ]
    counts = {f"waiting_{n}": _Count(part.order_by().values("pk")) for n, part in enumerate(parts)}
    return User.objects.filter(pk=user.pk).values(**counts, unread=_Count(unread.values("pk")))


# Eight subqueries: building them cost more CPU than PostgreSQL spends answering (7 ms against
# well under 1, at 100,000 organizations), on every signed-in page. Built once per process.
HEADER_COUNTS = PreparedQuery(_header_counts, user_id=PLACEHOLDER_ID, now=PLACEHOLDER_TIME)


def header_counts_of(user) -> dict[str, int]:
    """The header's two counts on every signed-in page, in one query: what waits for the user
    (the same items as the home's "Waiting for me", uncut) and unread notifications.

    Each count repeats the condition of the home's list it stands for; a test compares them.
    """
    row = HEADER_COUNTS.one(user_id=user.pk, now=timezone.now())
    unread_count = row.pop("unread")
    return {"waiting": sum(row.values()), "unread": unread_count}


__all__ = [
    "DASHBOARD_LIMIT",
    "Dashboard",
    "dashboard_of",
    "header_counts_of",
    "invitations_addressed_to",
    "my_memberships",
    "profile_completeness",
]
