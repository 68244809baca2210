"""Reads of the directory: organizations, members, tokens and vetting outcomes."""

import functools
import hashlib
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from gsx_portal import page_cache
from gsx_portal.prepared import PreparedQuery
from organizations.models import (
    ApiToken,
    Contact,
    Membership,
    Organization,
    OrganizationHold,
    Theme,
    User,
    VettingApplication,
    VettingStatus,
    VisibilityTier,
)
from organizations.rules import (
    is_secretariat,
    remember_roles,
    role_annotations,
    roles_now,
    roles_version,
)


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


_TOKEN_COLUMNS = tuple(field.attname for field in ApiToken._meta.concrete_fields)
_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)


def _active_token(*, key_hash):
    """The active token with ``key_hash``, its user's columns and the user's roles
    (``rules.role_annotations``), as one row: every token request asks all three; and the page
    cache's generation, which every token request that may be answered from a shared answer
    asks too (``gsx_portal.api_conditional``)."""
    roles = role_annotations(OuterRef("user_id"))
    return ApiToken.objects.filter(
        key_hash=key_hash, revoked_at__isnull=True, user__is_active=True
    ).values(
        **{f"t_{name}": F(name) for name in _TOKEN_COLUMNS},
        **{f"u_{name}": F(f"user__{name}") for name in _USER_COLUMNS},
        **{f"r_{name}": expression for name, expression in roles.items()},
        generation=page_cache.generation_column(),
    )


@functools.cache
def _active_token_prepared(roles_version: tuple) -> PreparedQuery:
    # Asked on every API request with a token: built once per process (and per version of the
    # roles query, rules.roles_version), planned once per connection.
    return PreparedQuery(_active_token, key_hash=("not a key hash (1)", "not a key hash (2)"))


def api_token_for_secret(raw: str) -> ApiToken | None:
    """The active token whose secret is ``raw``, with its user, or None. The user's roles, read
    in the same query, are kept for the request (``rules.remember_roles``), and the page cache's
    generation as ``page_cache_generation``."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 200:
        return None
    try:
        row = _active_token_prepared(roles_version()).one(key_hash=api_token_hash(raw))
    except LookupError:
        return None
    user = User.from_db("default", _USER_COLUMNS, [row[f"u_{n}"] for n in _USER_COLUMNS])
    token = ApiToken.from_db("default", _TOKEN_COLUMNS, [row[f"t_{n}"] for n in _TOKEN_COLUMNS])
    token.user = user
    token.page_cache_generation = row["generation"]
    remember_roles(user, {name[2:]: value for name, value in row.items() if name[:2] == "r_"})
    return token


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def memberships_of(user: User):
    return user.memberships.select_related("organization").order_by("organization__name")


@dataclass(frozen=True)
class Reader:
    """Who reads, as far as which organizations they see and whose vetting they follow: the
    secretariat, anonymous, or a member of ``organizations`` (none for most signed-in users).

    Read once per request from the user's roles (``reader_of``), so that everything a request
    shows of the directory, and the key it is shared under, come from the same read: a
    membership that changes during the request changes the next one, never half of this one.
    """

    kind: str  # "anonymous", "secretariat" or "member"
    organizations: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """Readers with the same key get the same rows for the same query."""
        if self.kind == "member":
            return "member-of:" + ",".join(str(pk) for pk in self.organizations)
        return self.kind


ANONYMOUS = Reader("anonymous")
# A signed-in user who belongs to no organization beyond the public and network tiers sees
# exactly what one who belongs to none sees: public and network profiles.
NETWORK_READER = Reader("member")


def reader_of(user) -> Reader:
    """``user`` as a reader, from their roles *now* (one memoised query per request)."""
    if not user.is_authenticated:
        return ANONYMOUS
    if is_secretariat(user):
        return Reader("secretariat")
    return Reader("member", tuple(roles_now(user)["organizations"]))


def organizations_visible_to(user, *, reader: Reader | None = None) -> QuerySet[Organization]:
    """Every organization ``user`` may know exists (DESIGN.md §4). The one place that decides.

    Anonymous visitors see public profiles; signed-in users also network profiles; restricted
    (at-risk) organizations are seen only by their own members and the secretariat.

    Organizations held for the secretariat (a name close to a hidden one) are seen by their tier
    like any other: hiding them would let their registrant learn, from a second account, that a
    hidden organization with a close name exists. What a hold withholds is introductions, on
    either side (``rules.is_held``).

    ``reader``: the user as read earlier in the request (``reader_of``), or a narrower one
    (``NETWORK_READER``) for what is shared between readers.
    """
    reader = reader or reader_of(user)
    organizations = Organization.objects.all()
    if reader.kind == "anonymous":
        return organizations.filter(visibility_tier=VisibilityTier.PUBLIC)
    if reader.kind == "secretariat":
        return organizations
    network = Q(visibility_tier__in=[VisibilityTier.PUBLIC, VisibilityTier.NETWORK])
    if not reader.organizations:
        return organizations.filter(network)
    return organizations.filter(network | Q(pk__in=reader.organizations))


def visibility_audience(user) -> str | None:
    """Who else sees exactly the organizations ``user`` sees: "anonymous" (public profiles),
    "network" (a signed-in user who is neither the secretariat nor a member of an organization
    beyond the public and network tiers: public and network profiles, the rows of
    ``NETWORK_READER``),
    or None when the set is the user's own. What is rendered for ``NETWORK_READER`` may be shown to
    every "network" reader (``gsx_portal.page_cache.shared_fragment``); a test holds this to
    ``organizations_visible_to``.

    Asked of the roles *now*: joining a restricted organization or the secretariat takes the
    user out of "network" on their next request.
    """
    if not user.is_authenticated:
        return "anonymous"
    if is_secretariat(user) or roles_now(user)["member_beyond_network"]:
        return None
    return "network"


def reader_key(user) -> str:
    """The key of ``reader_of(user)``: readers with the same key get the same rows, in the
    directory and the API, so an answer made for one may be given to another
    (``gsx_portal.api_conditional``)."""
    return reader_of(user).key


def organization_list(user, *, reader: Reader | None = None) -> QuerySet[Organization]:
    """The directory: visible organizations with what a list row shows, in a fixed query count.

    ``vetted`` is the outcome anyone may know; ``vetting_status`` (the raw state of the latest
    application) is None on every row the user may not follow the vetting of. ``reader`` as for
    ``organizations_visible_to``.
    """
    reader = reader or reader_of(user)
    return (
        organizations_visible_to(user, reader=reader)
        .annotate(
            vetted=ExpressionWrapper(vetted_q(), output_field=BooleanField()),
            vetting_status=vetting_status_annotation(user, reader=reader),
        )
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


def contacts_of_own_organization(user, organization: Organization) -> QuerySet[Contact]:
    """All contacts, for those with ``organizations.view_contacts`` (the organization's members
    and the secretariat); none for anyone else, who can only reach shareable contacts through
    ``services.contacts_reveal``."""
    if user.has_perm("organizations.view_contacts", organization):
        return organization.contacts.all()
    return Contact.objects.none()


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


def vetted_q(*, at=None) -> Q:
    """ "Vetted" in SQL: a valid approval lasts beyond ``at`` (now). Its twin is ``is_vetted``."""
    return Q(vetted_until__gt=at or timezone.now())


def is_vetted(organization: Organization, *, at=None) -> bool:
    """The one definition of "vetted", for one organization: ``vetted_q`` in Python.

    Derived from the approval (``vetted_until``), never from the latest application, so an
    application in progress, declined or sent back does not hide a valid approval.
    """
    until = organization.vetted_until
    return until is not None and until > (at or timezone.now())


def vetted_until_of(organization: Organization):
    """What anyone may learn of an organization's vetting: until when it is vetted, or None."""
    return organization.vetted_until if is_vetted(organization) else None


def vetted_organizations_visible_to(user) -> QuerySet[Organization]:
    return organizations_visible_to(user).filter(vetted_q())


def may_follow_vetting(user, organization: Organization) -> bool:
    """Raw vetting states are for the organization's members and the secretariat only."""
    return user.has_perm("organizations.view_vetting", organization)


def _latest_status():
    latest = VettingApplication.objects.filter(organization=OuterRef("pk")).order_by("-created_at")
    return Coalesce(Subquery(latest.values("status")[:1]), Value(""))


def vetting_status_annotation(user, *, reader: Reader | None = None):
    """The status of an organization's latest vetting application ("" when it never applied),
    for the secretariat on every row and for members on their own organizations' rows; None on
    every other row, so that no list, export or filter tells outsiders more than "vetted"."""
    reader = reader or reader_of(user)
    if reader.kind == "secretariat":
        return _latest_status()
    if not reader.organizations:
        return Value(None, output_field=CharField())
    return Case(
        When(pk__in=reader.organizations, then=_latest_status()),
        default=None,
        output_field=CharField(),
    )


def vetting_status_of(user, organization: Organization) -> str | None:
    """The latest application's status for those who may follow the vetting, else None."""
    if not may_follow_vetting(user, organization):
        return None
    latest = organization.vetting_applications.order_by("-created_at").first()
    return latest.status if latest else ""


def current_approval_of(organization: Organization) -> VettingApplication | None:
    """The approval that makes the organization vetted now (the latest, if several overlap)."""
    if not is_vetted(organization):
        return None
    return (
        organization.vetting_applications.filter(
            status=VettingStatus.APPROVED, valid_until__gt=timezone.now()
        )
        .order_by("-decided_at")
        .first()
    )
