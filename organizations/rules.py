"""Who may do what. Predicates are composed per action; views, the API and tasks ask these."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import rules
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q

from gsx_portal.prepared import PLACEHOLDER_ID, PreparedQuery
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
    VisibilityTier,
)

# What a request has learnt of its user's roles. A permission is decided on the roles as they are
# *now*, so nothing outlives the request: the middleware opens a fresh memo for each one, and
# outside a request (tasks, commands, the shell) every question goes to the database again.
_request_memo: ContextVar[dict | None] = ContextVar("gsx_request_memo", default=None)

# The tiers every signed-in user sees (selectors.organizations_visible_to).
NETWORK = (VisibilityTier.PUBLIC, VisibilityTier.NETWORK)


@contextmanager
def memoised_for_this_request() -> Iterator[None]:
    """Lets the role questions below be answered once per request (gsx_portal.middleware)."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


# Roles other apps make privileged, such as a working group's conveners (dialogues): each app
# registers, from its AppConfig.ready(), a function of an ``OuterRef`` to a user's id giving an
# expression true while that user holds the role. The two-factor rule and the shorter sessions
# of privileged people then apply to them, without this app importing the others.
_privileged_roles: dict[str, Callable] = {}


def register_privileged_role(name: str, holds: Callable) -> None:
    """Makes the holders of another app's role privileged (see ``_privileged_roles``)."""
    if not name.isidentifier():
        raise ValueError(f"A privileged role's name must be an identifier: {name!r}")
    _privileged_roles[name] = holds
    _roles_prepared.cache_clear()


def unregister_privileged_role(name: str) -> None:
    _privileged_roles.pop(name, None)
    _roles_prepared.cache_clear()


def privileged_roles() -> tuple[str, ...]:
    return tuple(sorted(_privileged_roles))


def roles_version() -> tuple:
    """What the roles query's SQL depends on besides the code: the privileged groups (which the
    tests change) and the roles other apps registered. Queries built from ``role_annotations``
    are kept per version."""
    return tuple(settings.PRIVILEGED_GROUPS), privileged_roles()


def role_annotations(user) -> dict:
    """The columns of the roles query for the user whose id is ``user`` in the outer query (an
    ``OuterRef``): the roles query's own, and those of the API token's query
    (``selectors.api_token_for_secret``), which reads them with the token in one query."""
    from organizations.selectors import requester_organizations_of

    groups = Group.objects.filter(user=user)
    own = Membership.objects.filter(user=user)
    return {
        "secretariat": Exists(groups.filter(name="secretariat")),
        "conveners_group": Exists(groups.filter(name="convener")),
        "privileged_group": Exists(groups.filter(name__in=settings.PRIVILEGED_GROUPS)),
        "privileged_sector": Exists(own.filter(organization__sector__in=MFA_REQUIRED_SECTORS)),
        "requester": Exists(requester_organizations_of(user)),
        "member_beyond_network": Exists(own.exclude(organization__visibility_tier__in=NETWORK)),
        "organizations": ArraySubquery(own.order_by("organization_id").values("organization_id")),
        **{f"privileged_role_{name}": _privileged_roles[name](user) for name in privileged_roles()},
    }


def _roles_query(*, user_id):
    return User.objects.filter(pk=user_id).values("pk").annotate(**role_annotations(OuterRef("pk")))


@functools.cache
def _roles_prepared(version: tuple) -> PreparedQuery:
    """The roles query, its SQL built once per process (and ``roles_version``): building it
    through the ORM costs about ten times running it, on every signed-in request."""
    return PreparedQuery(_roles_query, user_id=PLACEHOLDER_ID)


def roles_now(user) -> dict:
    """The user's group and sector roles, in one query, asked at most once per request.

    ``secretariat``: in the secretariat group; ``conveners_group``: in the conveners' group;
    ``privileged``: in a privileged group or a member
    of an organization of a sector that must use two-factor authentication; ``requester``: may
    ask for introductions on behalf of at least one organization now
    (``selectors.requester_organizations``); ``member_beyond_network``: a member of an
    organization outside the tiers every signed-in user sees (a restricted one);
    ``organizations``: the ids of the organizations the user is a member of, in order.
    """
    memo = _request_memo.get()
    key = ("roles", user.pk)
    if memo is not None and key in memo:
        return memo[key]
    try:
        row = _roles_prepared(roles_version()).one(user_id=user.pk)
    except LookupError:  # the account was deleted during the request
        row = {}
    return remember_roles(user, row)


def remember_roles(user, row: dict) -> dict:
    """The roles of ``roles_now`` from a row of ``role_annotations``' columns, kept for the rest
    of the request: for a query that read them with something else (the API token)."""
    answer = {
        "secretariat": bool(row.get("secretariat")),
        "conveners_group": bool(row.get("conveners_group")),
        # The groups, the sectors and every role other apps registered.
        "privileged": any(value for name, value in row.items() if name.startswith("privileged_")),
        "requester": bool(row.get("requester")),
        "member_beyond_network": bool(row.get("member_beyond_network")),
        "organizations": tuple(row.get("organizations") or ()),
    }
    memo = _request_memo.get()
    if memo is not None:
        memo[("roles", user.pk)] = answer
    return answer


@rules.predicate
def is_privileged(user) -> bool:
    """Staff, the secretariat, conveners and government/security-sector members (DESIGN.md §4)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return roles_now(user)["privileged"]


@rules.predicate
def has_mfa(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return user.is_authenticated and is_mfa_enabled(user)


def mfa_enrolment_pending(user) -> bool:
    """True while a privileged user has not enrolled a second factor: they may not act yet.

    Asked once per request (the middleware, then the API's authentication).
    """
    memo = _request_memo.get()
    key = ("mfa_pending", user.pk)
    if memo is not None and key in memo:
        return memo[key]
    pending = bool(is_privileged(user) and not has_mfa(user))
    if memo is not None:
        memo[key] = pending
    return pending


@rules.predicate
def is_secretariat(user) -> bool:
    """The secretariat and staff administrators, who see every organization."""
    if not user.is_authenticated:
        return False
    return user.is_staff or roles_now(user)["secretariat"]


def _role(user, organization) -> str | None:
    if not user.is_authenticated or organization is None:
        return None
    # Memoised in the request, not on the user object: a view holds the request's lazy user and
    # has_perm the real one, which would ask twice; and no answer may outlive the request.
    memo = _request_memo.get()
    key = ("membership", user.pk, organization.pk)
    if memo is not None and key in memo:
        return memo[key]
    role = (
        Membership.objects.filter(user=user, organization=organization)
        .values_list("role", flat=True)
        .first()
    )
    if memo is not None:
        memo[key] = role
    return role


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
    return user.is_authenticated and roles_now(user)["secretariat"]


def is_requester(user) -> bool:
    """May ask for introductions on behalf of at least one organization now (the navigation)."""
    return user.is_authenticated and roles_now(user)["requester"]


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
