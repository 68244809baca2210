import hashlib

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
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
from django.utils.translation import gettext as _

from organizations.models import (
    REQUESTER_SECTORS,
    ApiToken,
    Contact,
    ContactReveal,
    IntroductionBlock,
    IntroductionRequest,
    Membership,
    MembershipRole,
    Organization,
    OrganizationHold,
    RequesterVerification,
    Theme,
    User,
    VettingApplication,
    VettingStatus,
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

    Organizations held for the secretariat (a name close to a hidden one) are seen by their tier
    like any other: hiding them would let their registrant learn, from a second account, that a
    hidden organization with a close name exists. What a hold withholds is introductions, on
    either side (``rules.is_held``).
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
    """The directory: visible organizations with what a list row shows, in a fixed query count.

    ``vetted`` is the outcome anyone may know; ``vetting_status`` (the raw state of the latest
    application) is None on every row the user may not follow the vetting of.
    """
    return (
        organizations_visible_to(user)
        .annotate(
            vetted=ExpressionWrapper(vetted_q(), output_field=BooleanField()),
            vetting_status=vetting_status_annotation(user),
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


def requester_organizations(user) -> QuerySet[Organization]:
    """The user's organizations on whose behalf they may request introductions now: a requester
    sector, verified by the secretariat for that sector. Empty for anyone else."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return (
        # A held organization may not request until the secretariat clears it (rules.is_held).
        Organization.objects.filter(
            memberships__user=user, sector__in=REQUESTER_SECTORS, held_for_review=False
        )
        .filter(
            Exists(
                RequesterVerification.objects.filter(
                    organization=OuterRef("pk"),
                    revoked_at__isnull=True,
                    sector=OuterRef("sector"),
                )
            )
        )
        .order_by("name")
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


def vetting_status_annotation(user):
    """The status of an organization's latest vetting application ("" when it never applied),
    for the secretariat on every row and for members on their own organizations' rows; None on
    every other row, so that no list, export or filter tells outsiders more than "vetted"."""
    if user.is_authenticated and is_secretariat(user):
        return _latest_status()
    if not user.is_authenticated:
        return Value(None, output_field=CharField())
    own = Membership.objects.filter(user=user).values("organization_id")
    return Case(When(pk__in=own, then=_latest_status()), default=None, output_field=CharField())


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


HISTORY_LIMIT = 300


# Reviewers' ratings and notes: who assessed what is for the secretariat (DESIGN.md §4). They
# reference the application, not the organization, so today they do not reach the history;
# this keeps them out should that change.
# The secretariat's checks of requester organizations (how, evidence, by whom) are its own too.
SECRETARIAT_ONLY_EVENTS = (
    "organizations.AssessmentEvent",
    "organizations.RequesterVerificationEvent",
)


def organization_history(organization: Organization, *, viewer) -> list[dict]:
    """What changed on the organization and on everything attached to it (memberships, contacts,
    introductions, vetting), newest first, with who made each change.

    Reviewers are never named to anyone outside the secretariat: their changes read "the
    secretariat", and assessment events (reviewer, rating, note) are left out.
    """
    from pghistory.models import Events

    events = (
        Events.objects.references(organization)
        # An introduction belongs to the history of the CSO that received it; the requesting
        # organization's history would otherwise show the CSO's people and decisions.
        .exclude(
            Q(pgh_model="organizations.IntroductionRequestEvent")
            & ~Q(pgh_data__organization_id=organization.pk)
        )
        .order_by("-pgh_created_at")
    )
    private = not is_secretariat(viewer)
    if private:
        events = events.exclude(pgh_model__in=SECRETARIAT_ONLY_EVENTS)
    events = list(events[:HISTORY_LIMIT])
    user_ids = {_event_user(event) for event in events} - {None}
    users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
    if private:
        secretariat = User.objects.filter(pk__in=user_ids).filter(
            Q(is_staff=True) | Q(groups__name="secretariat")
        )
        users.update(dict.fromkeys(secretariat.values_list("pk", flat=True), _("the secretariat")))
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
        # Serial keys (``*_id``) mean nothing to a reader and would number people and rows.
        if field not in HISTORY_NOISE
        and not field.endswith("_id")
        and not (change[0] in empty and change[1] in empty)
    }


def contact_reveals_of(organization: Organization) -> QuerySet[ContactReveal]:
    """Who was shown this organization's contacts, and when: the organization's right to know.
    Each row carries what was shown, copied at the time (``shown``)."""
    return ContactReveal.objects.filter(introduction__organization=organization)
