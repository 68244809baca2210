"""Reads of introductions and requester verification: who may ask, who may see what."""

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from organizations.models import (
    REQUESTER_SECTORS,
    Contact,
    ContactReveal,
    IntroductionBlock,
    IntroductionRequest,
    Membership,
    MembershipRole,
    Organization,
    RequesterVerification,
)
from organizations.selectors.directory import organizations_visible_to


def requester_organizations(user) -> QuerySet[Organization]:
    """The user's organizations on whose behalf they may request introductions now: a requester
    sector, verified by the secretariat for that sector. Empty for anyone else."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return requester_organizations_of(user.pk).order_by("name")


def requester_organizations_of(user) -> QuerySet[Organization]:
    """``requester_organizations`` of the user whose id is ``user`` (a value or an ``OuterRef``,
    as in the roles query), unordered."""
    # A held organization may not request until the secretariat clears it (rules.is_held).
    return Organization.objects.filter(
        memberships__user=user, sector__in=REQUESTER_SECTORS, held_for_review=False
    ).filter(
        Exists(
            RequesterVerification.objects.filter(
                organization=OuterRef("pk"), revoked_at__isnull=True, sector=OuterRef("sector")
            )
        )
    )


def unverified_requester_organizations(user) -> QuerySet[Organization]:
    """The user's requester-sector organizations that the secretariat has not verified."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return (
        Organization.objects.filter(memberships__user=user, sector__in=REQUESTER_SECTORS)
        .exclude(pk__in=requester_organizations(user).values("pk"))
        .order_by("name")
    )


def requester_verification_of(organization: Organization) -> RequesterVerification | None:
    """The verification in force for the organization's current sector, if any."""
    if organization.sector not in REQUESTER_SECTORS:
        return None
    return RequesterVerification.objects.filter(
        organization=organization, revoked_at__isnull=True, sector=organization.sector
    ).first()


def requester_organizations_for_secretariat() -> QuerySet[Organization]:
    """Every organization of a requester sector, unverified first, with its verification."""
    current = RequesterVerification.objects.filter(
        organization=OuterRef("pk"), revoked_at__isnull=True, sector=OuterRef("sector")
    )
    return (
        Organization.objects.filter(sector__in=REQUESTER_SECTORS)
        .annotate(
            verified_at=Subquery(current.values("verified_at")[:1]),
            verification_method=Subquery(current.values("method")[:1]),
            verification_id=Subquery(current.values("public_id")[:1]),
        )
        .order_by(F("verified_at").asc(nulls_first=True), "name")
    )


def _requester_verified_at():
    """When the requesting organization's verification in force was given (None: unverified)."""
    return Subquery(
        RequesterVerification.objects.filter(
            organization=OuterRef("requester_organization"),
            revoked_at__isnull=True,
            sector=OuterRef("requester_organization__sector"),
        ).values("verified_at")[:1]
    )


def introductions_visible_to(user) -> QuerySet[IntroductionRequest]:
    """Introduction requests the user may know of: their own, while they still belong to the
    organization they asked for and may still see the CSO; and those received by a CSO they
    administer now. One row each (subqueries, not joins). Empty for anyone else."""
    if not user.is_authenticated:
        return IntroductionRequest.objects.none()
    own = Membership.objects.filter(user=user)
    administered = own.filter(role=MembershipRole.ADMIN).values("organization_id")
    return (
        IntroductionRequest.objects.filter(
            Q(
                requester=user,
                requester_organization__in=own.values("organization_id"),
                organization__in=organizations_visible_to(user).values("pk"),
            )
            | Q(organization__in=administered)
        )
        .select_related("organization", "requester_organization", "requester")
        .annotate(requester_verified_at=_requester_verified_at())
        .order_by("-created_at")
    )


def introductions_sent_by(user) -> QuerySet[IntroductionRequest]:
    if not user.is_authenticated:
        return IntroductionRequest.objects.none()
    return introductions_visible_to(user).filter(requester=user)


def introductions_received_by(organization: Organization) -> QuerySet[IntroductionRequest]:
    return organization.introduction_requests.select_related(
        "requester", "requester_organization"
    ).annotate(requester_verified_at=_requester_verified_at())


def introduction_of_requester(user, organization: Organization) -> IntroductionRequest | None:
    """The requester's latest request to ``organization`` that they may still see, if any."""
    return introductions_sent_by(user).filter(organization=organization).first()


def introduction_ask_again_from(introduction: IntroductionRequest):
    """When the requester may ask this CSO again after a decline or a withdrawal (None: now)."""
    from datetime import timedelta

    from django.conf import settings

    if introduction.status not in ("declined", "withdrawn") or introduction.decided_at is None:
        return None
    date = introduction.decided_at + timedelta(days=settings.INTRODUCTION_DECLINE_COOLDOWN_DAYS)
    return date if date > timezone.now() else None


def introduction_blocks_of(organization: Organization) -> QuerySet[IntroductionBlock]:
    return organization.introduction_blocks.all()


def shareable_contacts_of(organization: Organization) -> QuerySet[Contact]:
    return organization.contacts.filter(shareable=True)


def contact_reveals_of(organization: Organization) -> QuerySet[ContactReveal]:
    """Who was shown this organization's contacts, and when: the organization's right to know.
    Each row carries what was shown, copied at the time (``shown``)."""
    return ContactReveal.objects.filter(introduction__organization=organization)


def requester_verifications_of(organization: Organization) -> QuerySet[RequesterVerification]:
    """Every verification of the organization, newest first, revoked ones included."""
    return RequesterVerification.objects.filter(organization=organization)


def organizations_of(user) -> QuerySet[Organization]:
    """The organizations the user belongs to now (on whose behalf they might ask)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)
