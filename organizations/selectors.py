import hashlib

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from organizations.models import (
    REQUESTER_SECTORS,
    ApiToken,
    ContactReveal,
    IntroductionRequest,
    Membership,
    Organization,
    OrganizationHold,
    Theme,
    User,
    VettingApplication,
    VettingStatus,
    VisibilityTier,
)
from organizations.rules import is_member_of, is_secretariat


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_for_secret(raw: str) -> ApiToken | None:
    """The active token whose secret is ``raw``, with its user, or None."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def memberships_of(user: User):
    return user.memberships.select_related("organization").order_by("organization__name")


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Every organization ``user`` may know exists (DESIGN.md §4). The one place that decides.

    Anonymous visitors see public profiles; signed-in users also network profiles; restricted
    (at-risk) organizations are seen only by their own members and the secretariat.
    Organizations held for the secretariat (a name close to a hidden one) are seen only by their
    own members and the secretariat until cleared.
    """
    organizations = Organization.objects.all()
    if not user.is_authenticated:
        return organizations.filter(visibility_tier=VisibilityTier.PUBLIC, held_for_review=False)
    if is_secretariat(user):
        return organizations
    own = Membership.objects.filter(user=user).values("organization_id")
    return organizations.filter(
        Q(
            visibility_tier__in=[VisibilityTier.PUBLIC, VisibilityTier.NETWORK],
            held_for_review=False,
        )
        | Q(pk__in=own)
    )


def organization_list(user) -> QuerySet[Organization]:
    """The directory: visible organizations with what a list row shows, in a fixed query count."""
    return (
        organizations_visible_to(user)
        .annotate(vetting_status=vetting_status_annotation())
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("order")))
    )


def members_of(organization: Organization) -> QuerySet[Membership]:
    return organization.memberships.select_related("user").order_by("role", "user__email")


def open_invitations_of(organization: Organization):
    return organization.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def held_organizations() -> QuerySet[Organization]:
    """Organizations held for the secretariat, oldest first, with the hold that explains each."""
    open_holds = OrganizationHold.objects.filter(cleared_at__isnull=True).prefetch_related(
        "similar_to"
    )
    return (
        Organization.objects.filter(held_for_review=True)
        .prefetch_related(Prefetch("holds", queryset=open_holds, to_attr="open_holds"))
        .order_by("created_at")
    )


def contacts_of_own_organization(user, organization: Organization):
    """All contacts, for the organization's members and the secretariat; None for anyone else,
    who can only reach shareable contacts through an accepted introduction."""
    if is_member_of(user, organization) or is_secretariat(user):
        return organization.contacts.all()
    return None


def requester_organizations(user) -> QuerySet[Organization]:
    """The user's organizations that may request introductions (government, security, UN…)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    # A held organization may not request until the secretariat clears it (rules.is_held).
    return Organization.objects.filter(
        memberships__user=user, sector__in=REQUESTER_SECTORS, held_for_review=False
    ).order_by("name")


def introductions_sent_by(user) -> QuerySet[IntroductionRequest]:
    return IntroductionRequest.objects.filter(requester=user).select_related(
        "organization", "requester_organization"
    )


def introductions_received_by(organization: Organization) -> QuerySet[IntroductionRequest]:
    return organization.introduction_requests.select_related("requester", "requester_organization")


def introduction_of_requester(user, organization: Organization) -> IntroductionRequest | None:
    """The requester's latest request to ``organization``, if any."""
    if not user.is_authenticated:
        return None
    return introductions_sent_by(user).filter(organization=organization).first()


def vetting_applications_of(organization: Organization) -> QuerySet[VettingApplication]:
    return organization.vetting_applications.all()


def vetting_queue() -> QuerySet[VettingApplication]:
    """Applications waiting for the secretariat, oldest first."""
    return (
        VettingApplication.objects.filter(
            status__in=[VettingStatus.SUBMITTED, VettingStatus.IN_REVIEW]
        )
        .select_related("organization")
        .order_by("submitted_at")
    )


def vetted_organizations_visible_to(user) -> QuerySet[Organization]:
    return (
        organizations_visible_to(user)
        .filter(
            vetting_applications__status=VettingStatus.APPROVED,
            vetting_applications__valid_until__gt=timezone.now(),
        )
        .distinct()
    )


def vetting_status_annotation():
    """The status of an organization's latest vetting application ("" when it never applied)."""
    latest = VettingApplication.objects.filter(organization=OuterRef("pk")).order_by("-created_at")
    return Coalesce(Subquery(latest.values("status")[:1]), Value(""))


def vetting_status_of(organization: Organization) -> str:
    latest = organization.vetting_applications.order_by("-created_at").first()
    return latest.status if latest else ""


HISTORY_LIMIT = 300


def organization_history(organization: Organization) -> list[dict]:
    """What changed on the organization and on everything attached to it (memberships, contacts,
    introductions, vetting), newest first, with who made each change."""
    from pghistory.models import Events

    events = list(
        Events.objects.references(organization).order_by("-pgh_created_at")[:HISTORY_LIMIT]
    )
    user_ids = {_event_user(event) for event in events} - {None}
    users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
    return [
        {
            "at": event.pgh_created_at,
            "what": event.pgh_model.split(".")[-1].removesuffix("Event"),
            "action": event.pgh_label,
            "by": users.get(_event_user(event), ""),
            "changes": _event_changes(event),
        }
        for event in events
    ]


HISTORY_NOISE = frozenset(
    {
        "id",
        "public_id",
        "created_at",
        "updated_at",
        "search_document",
        "verification_code",
        "token_hash",
    }
)


def _event_user(event):
    return (event.pgh_context or {}).get("user")


def _event_changes(event) -> dict:
    """Field → (before, after): the diff of an update, what was set by an insert, what a delete
    removed."""
    if event.pgh_diff:
        changes = event.pgh_diff
    elif event.pgh_label == "delete":
        changes = {field: (value, None) for field, value in (event.pgh_data or {}).items()}
    else:
        changes = {field: (None, value) for field, value in (event.pgh_data or {}).items()}
    empty = (None, "", [], False)
    return {
        field: change
        for field, change in changes.items()
        if field not in HISTORY_NOISE and not (change[0] in empty and change[1] in empty)
    }


def contact_reveals_of(organization: Organization) -> QuerySet[ContactReveal]:
    """Who was shown this organization's contacts, and when: the organization's right to know."""
    return (
        ContactReveal.objects.filter(introduction__organization=organization)
        .select_related("user", "introduction__requester_organization")
        .prefetch_related("contacts")
    )
