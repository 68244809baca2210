"""Who may do what. Predicates are composed per action; views, the API and tasks ask these."""

import rules
from django.conf import settings
from django.db.models import Q

from organizations.models import MFA_REQUIRED_SECTORS, Membership, MembershipRole, User


@rules.predicate
def is_privileged(user) -> bool:
    """Staff, the secretariat, conveners and government/security-sector members (DESIGN.md §4)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Q(groups__name__in=settings.PRIVILEGED_GROUPS)
            | Q(memberships__organization__sector__in=MFA_REQUIRED_SECTORS)
        )
        .exists()
    )


@rules.predicate
def has_mfa(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return user.is_authenticated and is_mfa_enabled(user)


def mfa_enrolment_pending(user) -> bool:
    """True while a privileged user has not enrolled a second factor: they may not act yet.

    Cached on the user object, which lives for one request.
    """
    cached = getattr(user, "_gsx_mfa_pending", None)
    if cached is None:
        cached = bool(is_privileged(user) and not has_mfa(user))
        user._gsx_mfa_pending = cached
    return cached


@rules.predicate
def is_secretariat(user) -> bool:
    """The secretariat and staff administrators, who see every organization."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_gsx_secretariat", None)
    if cached is None:
        cached = user.is_staff or user.groups.filter(name="secretariat").exists()
        user._gsx_secretariat = cached
    return cached


def _role(user, organization) -> str | None:
    if not user.is_authenticated or organization is None:
        return None
    cache = user.__dict__.setdefault("_gsx_roles", {})
    if organization.pk not in cache:
        cache[organization.pk] = (
            Membership.objects.filter(user=user, organization=organization)
            .values_list("role", flat=True)
            .first()
        )
    return cache[organization.pk]


@rules.predicate
def is_member_of(user, organization) -> bool:
    return _role(user, organization) is not None


@rules.predicate
def is_admin_of(user, organization) -> bool:
    return _role(user, organization) == MembershipRole.ADMIN


@rules.predicate
def is_editor_of(user, organization) -> bool:
    return _role(user, organization) in (MembershipRole.ADMIN, MembershipRole.EDITOR)


@rules.predicate
def is_staff(user) -> bool:
    return user.is_authenticated and user.is_staff


@rules.predicate
def is_held(organization) -> bool:
    """Held for the secretariat after registering a name close to one its registrant could not
    see: hidden from everyone but its members and the secretariat, and out of introductions (it
    may neither be asked nor ask) until the secretariat clears it."""
    return bool(organization is not None and organization.held_for_review)


# Staff administrators act through the Django admin, which calls the same services.
rules.add_perm("organizations.change_profile", is_editor_of | is_staff)
# The recognised identity (name, sector) of a vetted or requester organization, and sector moves
# into or out of the requester sectors, are the secretariat's to change (services.directory).
rules.add_perm("organizations.change_identity", is_secretariat)
# Who may see the profile is a decision for its administrators, not its editors.
rules.add_perm("organizations.change_visibility", is_admin_of | is_staff)
rules.add_perm("organizations.clear_hold", is_secretariat)
rules.add_perm("organizations.manage_members", is_admin_of | is_staff)
rules.add_perm("organizations.view_members", is_member_of | is_secretariat)
rules.add_perm("organizations.manage_contacts", is_editor_of | is_staff)
rules.add_perm("organizations.decide_introductions", is_admin_of)


@rules.predicate
def is_vetting_reviewer(user) -> bool:
    return user.is_authenticated and user.groups.filter(name="secretariat").exists()


rules.add_perm("organizations.apply_for_vetting", is_editor_of)
rules.add_perm("organizations.view_vetting", is_member_of | is_secretariat)
rules.add_perm("organizations.view_history", is_admin_of | is_secretariat)
