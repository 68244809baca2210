import hashlib

from django.db.models import Prefetch, Q, QuerySet

from organizations.models import (
    ApiToken,
    Membership,
    Organization,
    Theme,
    User,
    VisibilityTier,
)
from organizations.rules import is_secretariat


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
    """
    organizations = Organization.objects.all()
    if not user.is_authenticated:
        return organizations.filter(visibility_tier=VisibilityTier.PUBLIC)
    if is_secretariat(user):
        return organizations
    own = Membership.objects.filter(user=user).values("organization_id")
    return organizations.filter(
        Q(visibility_tier__in=[VisibilityTier.PUBLIC, VisibilityTier.NETWORK]) | Q(pk__in=own)
    )


def organization_list(user) -> QuerySet[Organization]:
    """The directory: visible organizations with what a list row shows, in a fixed query count."""
    return organizations_visible_to(user).prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("order"))
    )


def members_of(organization: Organization) -> QuerySet[Membership]:
    return organization.memberships.select_related("user").order_by("role", "user__email")


def open_invitations_of(organization: Organization):
    from django.utils import timezone

    return organization.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
