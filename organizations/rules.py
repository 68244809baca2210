"""Who may do what. Predicates are composed per action; views, the API and tasks ask these."""

import rules
from django.conf import settings
from django.db.models import Q

from organizations.models import (
    MFA_REQUIRED_SECTORS,
    REQUESTER_SECTORS,
    IntroductionBlock,
    IntroductionRequest,
    Membership,
    MembershipRole,
    Organization,
    RequesterVerification,
    User,
)


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
rules.add_perm("organizations.view_contacts", is_member_of | is_secretariat)
rules.add_perm("organizations.decide_introductions", is_admin_of)


@rules.predicate
def is_vetting_reviewer(user) -> bool:
    return user.is_authenticated and user.groups.filter(name="secretariat").exists()


rules.add_perm("organizations.apply_for_vetting", is_editor_of)
rules.add_perm("organizations.view_vetting", is_member_of | is_secretariat)
rules.add_perm("organizations.view_history", is_admin_of | is_secretariat)


# --- Introductions: who may ask for a civil society organization's contacts ------------------
# Every answer is about what is true *now*: a person who left the requesting organization, an
# organization whose verification was revoked or whose sector changed, and a CSO that became
# restricted all stop the flow at once, whatever was consented before.


def is_verified_requester(organization: Organization) -> bool:
    """A government, security-sector or multilateral organization that the secretariat has
    verified, for the sector it has now, and that is not held for a look-alike name."""
    cache = organization.__dict__
    if "_gsx_verified" not in cache:
        cache["_gsx_verified"] = (
            organization.sector in REQUESTER_SECTORS
            and not organization.held_for_review
            and RequesterVerification.objects.filter(
                organization=organization, revoked_at__isnull=True, sector=organization.sector
            ).exists()
        )
    return cache["_gsx_verified"]


@rules.predicate
def may_request_for(user, requester_organization: Organization) -> bool:
    """``user`` may ask for introductions on behalf of ``requester_organization``: a member of
    it now, the organization verified now, and the user's second factor enrolled."""
    return (
        is_member_of(user, requester_organization)
        and is_verified_requester(requester_organization)
        and not mfa_enrolment_pending(user)
    )


def is_blocked(organization: Organization, *, user, requester_organization) -> bool:
    """The CSO refuses requests from this person or from this organization."""
    return IntroductionBlock.objects.filter(
        Q(blocked_user=user) | Q(blocked_organization=requester_organization),
        organization=organization,
    ).exists()


def consent_holds(introduction: IntroductionRequest) -> bool:
    """What the CSO consented to still holds: accepted and not lapsed; the requester's
    membership of that time still there (leaving deletes it; rejoining makes another); the
    verification in force then still in force for the organization's sector; the same name.
    Consent is given once: when this no longer holds it never holds again (the requester must
    ask anew, and the sweep marks it lapsed)."""
    organization = introduction.requester_organization
    return bool(
        introduction.is_consented
        and introduction.requester_membership_id is not None
        and introduction.consented_name == organization.name
        and not organization.held_for_review
        and RequesterVerification.objects.filter(
            pk=introduction.consented_verification_id,
            revoked_at__isnull=True,
            sector=organization.sector,
        ).exists()
    )


@rules.predicate
def may_see_shared_contacts(user, introduction: IntroductionRequest) -> bool:
    """The one check made before each reveal of a CSO's shareable contacts: the introduction
    is the user's and its consent holds (``consent_holds``); the user may still request for the
    organization it was made for (a member now, second factor enrolled); the CSO is still
    visible to them and has not blocked them."""
    from organizations.selectors import organizations_visible_to

    return bool(
        user.is_authenticated
        and introduction.requester_id == user.pk
        and consent_holds(introduction)
        and may_request_for(user, introduction.requester_organization)
        and organizations_visible_to(user).filter(pk=introduction.organization_id).exists()
        and not is_blocked(
            introduction.organization,
            user=user,
            requester_organization=introduction.requester_organization,
        )
    )


rules.add_perm("organizations.verify_requesters", is_secretariat)
