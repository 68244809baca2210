"""Consent-based introductions (DESIGN.md §2 and §4: do no harm).

A member of a government, security-sector or multilateral organization that the secretariat has
verified asks to be introduced to a civil society organization; the CSO's admins decide. Only an
accepted introduction whose consent has not lapsed shows the requester the CSO's shareable
contacts, and only while ``organizations.rules.may_see_shared_contacts`` holds at that moment.
``introduction_set_state`` is the one transition of the workflow; ``contacts_reveal`` is the one
path from a requester to a CSO's contacts.
"""

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from organizations.exceptions import RateLimited
from organizations.models import (
    Contact,
    ContactReveal,
    IntroductionRequest,
    IntroductionStatus,
    MembershipRole,
    Organization,
    Sector,
    User,
)
from organizations.rules import (
    consent_holds,
    is_blocked,
    is_held,
    is_verified_requester,
    may_request_for,
    may_see_shared_contacts,
)
from organizations.selectors import requester_verification_of
from organizations.services.notify import email_on_commit
from organizations.text import quoted_label

security_log = logging.getLogger("gsx.security")

CSO_ADMIN, SYSTEM = "cso_admin", "system"
TRANSITIONS = {
    (IntroductionStatus.PENDING, IntroductionStatus.ACCEPTED): {CSO_ADMIN},
    (IntroductionStatus.PENDING, IntroductionStatus.DECLINED): {CSO_ADMIN},
    (IntroductionStatus.PENDING, IntroductionStatus.EXPIRED): {SYSTEM},
    (IntroductionStatus.ACCEPTED, IntroductionStatus.WITHDRAWN): {CSO_ADMIN, SYSTEM},
    (IntroductionStatus.ACCEPTED, IntroductionStatus.LAPSED): {SYSTEM},
}
# What a shared contact may show; the reveal record keeps which of these were shown.
SHARED_CONTACT_FIELDS = ("email", "phone", "secure_channel")


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _admin_emails(organization: Organization) -> list[str]:
    return list(
        organization.memberships.filter(
            role=MembershipRole.ADMIN, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _consent_end(now):
    return now + relativedelta(months=settings.INTRODUCTION_CONSENT_MONTHS)


@transaction.atomic
def introduction_set_state(
    *, introduction: IntroductionRequest, to: str, by: User | None, message: str = ""
) -> IntroductionRequest:
    """Move an introduction request to ``to``. Effects, by transition:

    - pending → accepted (an admin of the CSO, while the request is pending and the requester
      may still request for their organization and is not blocked): ``consent_until`` = now +
      INTRODUCTION_CONSENT_MONTHS, the verification in force and the requesting organization's
      name (what the CSO consented to), the optional message; email to the requester.
    - pending → declined (an admin of the CSO): the optional message; email to the requester.
      Requests from the same person or organization are refused for
      INTRODUCTION_DECLINE_COOLDOWN_DAYS (after a withdrawal too).
    - pending → expired (the sweep, ``by`` is None, once ``expires_at`` has passed).
    - accepted → withdrawn (an admin of the CSO, or the system when the CSO becomes restricted):
      contacts no longer shown; security log line; email to the requester.
    - accepted → lapsed (the system: once ``consent_until`` has passed or what the CSO consented
      to no longer holds, see ``rules.consent_holds``): email to the CSO's admins.
    Anything else raises PermissionDenied or ValidationError and changes nothing.
    """
    introduction = (
        IntroductionRequest.objects.select_for_update()
        .select_related("organization", "requester", "requester_organization")
        .get(pk=introduction.pk)
    )
    allowed = TRANSITIONS.get((introduction.status, to), set())
    actor = SYSTEM if by is None else CSO_ADMIN
    if allowed and actor not in allowed:
        raise PermissionDenied
    if actor == CSO_ADMIN and not by.has_perm(
        "organizations.decide_introductions", introduction.organization
    ):
        raise PermissionDenied
    if not allowed or (
        introduction.status == IntroductionStatus.PENDING
        and actor == CSO_ADMIN
        and not introduction.is_pending
    ):
        raise ValidationError(_("This request is no longer pending."))
    now = timezone.now()
    if to == IntroductionStatus.ACCEPTED:
        requester, on_behalf_of = introduction.requester, introduction.requester_organization
        if not may_request_for(requester, on_behalf_of) or is_blocked(
            introduction.organization, user=requester, requester_organization=on_behalf_of
        ):
            raise ValidationError(
                _(
                    "This request cannot be accepted: the person no longer belongs to a "
                    "verified organization, or you have blocked them."
                )
            )
        introduction.consent_until = _consent_end(now)
        introduction.consented_verification = requester_verification_of(on_behalf_of)
        introduction.consented_name = on_behalf_of.name
    if actor == CSO_ADMIN or to == IntroductionStatus.WITHDRAWN:
        # A withdrawal starts the cooldown, whoever made it (the CSO, or its turning restricted).
        introduction.decided_by = by
        introduction.decided_at = now
    if to in (IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED):
        introduction.response_message = message.strip()
    introduction.status = to
    introduction.full_clean()
    introduction.save()
    _announce(introduction, to)
    return introduction


def _announce(introduction: IntroductionRequest, to: str) -> None:
    organization = introduction.organization
    if to in (
        IntroductionStatus.ACCEPTED,
        IntroductionStatus.DECLINED,
        IntroductionStatus.WITHDRAWN,
    ):
        email_on_commit(
            "introduction_decided",
            {
                "organization": quoted_label(organization.name),
                "status": to,
                "url": _url("organizations:introduction", introduction.public_id),
            },
            [introduction.requester.email],
        )
    if to == IntroductionStatus.WITHDRAWN:
        security_log.info(
            "introduction.withdrawn introduction=%s by=%s",
            introduction.public_id,
            introduction.decided_by_id,
        )
    if to == IntroductionStatus.LAPSED:
        email_on_commit(
            "introduction_lapsed",
            {
                "organization": quoted_label(organization.name),
                "requester_organization": quoted_label(introduction.requester_organization.name),
                "url": _url("organizations:introductions_received", organization.slug),
            },
            _admin_emails(organization),
        )


def _refuse_if_too_many(requester: User, requester_organization: Organization, now) -> None:
    since = now - timedelta(days=1)
    recent = IntroductionRequest.objects.filter(created_at__gt=since)
    if recent.filter(requester=requester).count() >= settings.INTRODUCTION_REQUESTS_PER_USER_DAY:
        raise RateLimited(_("You have sent too many introduction requests today. Try tomorrow."))
    if (
        recent.filter(requester_organization=requester_organization).count()
        >= settings.INTRODUCTION_REQUESTS_PER_ORGANIZATION_DAY
    ):
        raise RateLimited(
            _("Your organization has sent too many introduction requests today. Try tomorrow.")
        )


def _refuse_if_declined_lately(
    requester: User, requester_organization: Organization, organization: Organization, now
) -> None:
    cooldown = timedelta(days=settings.INTRODUCTION_DECLINE_COOLDOWN_DAYS)
    declined = (
        IntroductionRequest.objects.filter(
            Q(requester=requester) | Q(requester_organization=requester_organization),
            organization=organization,
            status__in=[IntroductionStatus.DECLINED, IntroductionStatus.WITHDRAWN],
            decided_at__gt=now - cooldown,
        )
        .order_by("-decided_at")
        .first()
    )
    if declined is not None:
        raise ValidationError(
            _(
                "This organization declined a recent request or withdrew its consent. You may "
                "ask again from %(date)s."
            )
            % {"date": formats.date_format(declined.decided_at + cooldown, "SHORT_DATE_FORMAT")}
        )


@transaction.atomic
def introduction_request(
    *,
    requester: User,
    requester_organization: Organization,
    organization: Organization,
    purpose: str,
) -> IntroductionRequest:
    """Ask to be introduced to a civil society organization.

    Refused unless the requester may request for ``requester_organization`` now (a member of
    it, verified by the secretariat, second factor enrolled), the CSO is visible to them,
    accepts requests and has not blocked them, and no request of theirs or their
    organization's was declined lately; limited per person and per organization per day.
    Effects: a pending request valid for INTRODUCTION_VALID_DAYS; an email to the CSO's admins
    saying who asks, for which organization, whether the secretariat verified it, and which
    contacts acceptance would share.
    """
    from organizations.selectors import organizations_visible_to

    if not may_request_for(requester, requester_organization):
        raise PermissionDenied(
            _("Only members of an organization verified by the secretariat can ask.")
        )
    if not organizations_visible_to(requester).filter(pk=organization.pk).exists():
        raise PermissionDenied
    if organization.sector != Sector.CIVIL_SOCIETY:
        raise ValidationError(_("Introductions can only be requested to civil society."))
    if (
        not organization.accepts_introductions
        or is_held(organization)
        or is_blocked(organization, user=requester, requester_organization=requester_organization)
    ):
        # One message for all three: neither a block nor a hold is announced.
        raise ValidationError(_("This organization does not accept introduction requests."))
    # Serialise requests from one requesting organization (its daily limits, and its members'
    # — who act only through it) and to one CSO, so that two at once cannot both pass the
    # checks below. Locked in key order, so that two such requests never wait on each other.
    list(
        Organization.objects.select_for_update()
        .filter(pk__in=[requester_organization.pk, organization.pk])
        .order_by("pk")
    )
    now = timezone.now()
    _refuse_if_declined_lately(requester, requester_organization, organization, now)
    mine = IntroductionRequest.objects.select_for_update().filter(
        requester=requester, organization=organization
    )
    for stale in mine.filter(status=IntroductionStatus.PENDING, expires_at__lte=now):
        # A lapsed pending request must not block a new one (one pending per requester).
        introduction_set_state(introduction=stale, to=IntroductionStatus.EXPIRED, by=None)
    if mine.filter(status=IntroductionStatus.PENDING).exists():
        raise ValidationError(_("You already have a pending request to this organization."))
    for consented in mine.filter(status=IntroductionStatus.ACCEPTED):
        if consent_holds(consented):
            raise ValidationError(_("This organization has already accepted your request."))
        # What the CSO consented to no longer holds: that consent ends, and this is a new ask.
        introduction_set_state(introduction=consented, to=IntroductionStatus.LAPSED, by=None)
    _refuse_if_too_many(requester, requester_organization, now)
    introduction = IntroductionRequest(
        organization=organization,
        requester=requester,
        requester_organization=requester_organization,
        requester_membership=requester_organization.memberships.get(user=requester),
        purpose=purpose.strip(),
    )
    introduction.full_clean()
    introduction.save()
    email_on_commit(
        "introduction_requested",
        {
            # Names are typed by people: shown as data, never as the portal's own words.
            "organization": quoted_label(organization.name),
            "requester_organization": quoted_label(requester_organization.name),
            "requester_sector": requester_organization.get_sector_display(),
            "requester_name": quoted_label(requester.get_full_name()),
            "requester_email": requester.email,
            "verified": is_verified_requester(requester_organization),
            "purpose": introduction.purpose,
            "shared_contacts": list(
                organization.contacts.filter(shareable=True).values_list("name", flat=True)
            ),
            "url": _url(
                "organizations:introduction_received", organization.slug, introduction.public_id
            ),
        },
        _admin_emails(organization),
    )
    return introduction


@transaction.atomic
def introduction_renew_consent(
    *, introduction: IntroductionRequest, by: User
) -> IntroductionRequest:
    """The CSO extends an accepted introduction for another INTRODUCTION_CONSENT_MONTHS."""
    if not by.has_perm("organizations.decide_introductions", introduction.organization):
        raise PermissionDenied
    introduction = IntroductionRequest.objects.select_for_update().get(pk=introduction.pk)
    if not consent_holds(introduction):
        raise ValidationError(
            _(
                "This consent no longer holds (it lapsed, or the person left the organization, "
                "or its name or verification changed): they must ask again."
            )
        )
    introduction.consent_until = _consent_end(timezone.now())
    introduction.save(update_fields=["consent_until"])
    return introduction


def introductions_end_consent(*, organization: Organization) -> int:
    """Withdraw every consent the organization gave (when it becomes restricted: whoever it let
    see its contacts must not keep them if it later becomes visible again)."""
    accepted = organization.introduction_requests.filter(status=IntroductionStatus.ACCEPTED)
    for introduction in accepted:
        introduction_set_state(introduction=introduction, to=IntroductionStatus.WITHDRAWN, by=None)
    return len(accepted)


def introductions_lapse_for_requester(*, organization: Organization) -> int:
    """End at once every consent given to ``organization``'s members, when what the CSOs
    consented to changed (its name, its sector, its verification, a hold): waiting for the
    sweep would let a change made and undone in between bring a consent back."""
    accepted = IntroductionRequest.objects.filter(
        requester_organization=organization, status=IntroductionStatus.ACCEPTED
    )
    for introduction in accepted:
        introduction_set_state(introduction=introduction, to=IntroductionStatus.LAPSED, by=None)
    return len(accepted)


def introductions_expire_due(now) -> int:
    """Pending requests past ``expires_at`` expire; accepted ones lapse, and the CSO is told,
    once ``consent_until`` has passed or what the CSO consented to no longer holds (a
    periodic-sweep source)."""
    count = 0
    expired = IntroductionRequest.objects.filter(
        status=IntroductionStatus.PENDING, expires_at__lte=now
    )
    for introduction in expired:
        introduction_set_state(introduction=introduction, to=IntroductionStatus.EXPIRED, by=None)
        count += 1
    accepted = IntroductionRequest.objects.filter(
        status=IntroductionStatus.ACCEPTED
    ).select_related("requester_organization")
    for introduction in accepted:
        ended = introduction.consent_until is None or introduction.consent_until <= now
        if ended or not consent_holds(introduction):
            introduction_set_state(introduction=introduction, to=IntroductionStatus.LAPSED, by=None)
            count += 1
    return count


@transaction.atomic
def contacts_reveal(
    *, introduction: IntroductionRequest, user: User, channel: str
) -> list[Contact]:
    """The one path from a requester to a CSO's contacts: the shareable contacts an accepted
    introduction opens, if ``may_see_shared_contacts`` holds now; recorded with a copy of what
    was shown, and logged."""
    if not may_see_shared_contacts(user, introduction):
        raise PermissionDenied
    contacts = list(introduction.organization.contacts.filter(shareable=True))
    reveal = ContactReveal.objects.create(
        introduction=introduction,
        user=user,
        user_email=user.email,
        requester_organization_name=introduction.requester_organization.name,
        channel=channel,
        shown=[
            {
                "id": str(contact.public_id),
                "name": contact.name,
                "role": contact.role,
                "fields": [field for field in SHARED_CONTACT_FIELDS if getattr(contact, field)],
            }
            for contact in contacts
        ],
    )
    reveal.contacts.set(contacts)
    security_log.info(
        "contacts.revealed introduction=%s organization=%s user=%s count=%d channel=%s",
        introduction.public_id,
        introduction.organization.public_id,
        user.pk,
        len(contacts),
        channel,
    )
    return contacts
