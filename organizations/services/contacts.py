"""Contacts and consent-based introductions (DESIGN.md §2 and §4: do no harm).

Security actors reach a civil society organization's contacts only through an introduction
request its admins accepted, see only the contacts marked shareable, and every time they see
them a ContactReveal row and a security log line record it.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import (
    REQUESTER_SECTORS,
    Contact,
    ContactReveal,
    IntroductionRequest,
    IntroductionStatus,
    Membership,
    MembershipRole,
    Organization,
    Sector,
    User,
)
from organizations.services.notify import email_on_commit as _email_on_commit

security_log = logging.getLogger("gsx.security")

CONTACT_FIELDS = ("name", "role", "email", "phone", "secure_channel", "shareable")


@transaction.atomic
def contact_save(
    *, organization: Organization, by: User, contact: Contact | None = None, **fields
) -> Contact:
    if not by.has_perm("organizations.manage_contacts", organization):
        raise PermissionDenied
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not contact fields: {sorted(unknown)}")
    contact = contact or Contact(organization=organization)
    if contact.organization_id != organization.pk:
        raise PermissionDenied
    for field, value in fields.items():
        setattr(contact, field, value)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by: User) -> None:
    if not by.has_perm("organizations.manage_contacts", contact.organization):
        raise PermissionDenied
    contact.delete()


@transaction.atomic
def introduction_request(
    *,
    requester: User,
    requester_organization: Organization,
    organization: Organization,
    purpose: str,
) -> IntroductionRequest:
    """Ask to be introduced to a civil society organization.

    Effects: a pending request valid for 30 days; an email to the CSO's admins (naming the
    requesting organization, not the requester's contacts) once the transaction commits.
    """
    if not (
        requester_organization.sector in REQUESTER_SECTORS
        and Membership.objects.filter(user=requester, organization=requester_organization).exists()
    ):
        raise PermissionDenied
    if organization.sector != Sector.CIVIL_SOCIETY:
        raise ValidationError(_("Introductions can only be requested to civil society."))
    if not organization.accepts_introductions:
        raise ValidationError(_("This organization does not accept introduction requests."))
    if IntroductionRequest.objects.filter(
        requester=requester,
        organization=organization,
        status=IntroductionStatus.PENDING,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError(_("You already have a pending request to this organization."))
    # A pending request that has lapsed must not block a new one (one pending per requester).
    IntroductionRequest.objects.filter(
        requester=requester, organization=organization, status=IntroductionStatus.PENDING
    ).update(status=IntroductionStatus.EXPIRED)
    introduction = IntroductionRequest(
        organization=organization,
        requester=requester,
        requester_organization=requester_organization,
        purpose=purpose.strip(),
    )
    introduction.full_clean()
    introduction.save()
    admins = organization.memberships.filter(role=MembershipRole.ADMIN)
    _email_on_commit(
        "introduction_requested",
        {
            "organization": organization.name,
            "requester_organization": requester_organization.name,
            "url": settings.SITE_URL
            + reverse("organizations:introductions_received", args=[organization.slug]),
        },
        list(admins.values_list("user__email", flat=True)),
    )
    return introduction


@transaction.atomic
def introduction_decide(
    *, introduction: IntroductionRequest, by: User, accept: bool, message: str = ""
) -> IntroductionRequest:
    """Accept or decline a pending request (the CSO's admins only).

    Effects: the status and the optional message; an email to the requester on commit. Only an
    accepted request lets its requester see the organization's shareable contacts.
    """
    if not by.has_perm("organizations.decide_introductions", introduction.organization):
        raise PermissionDenied
    introduction = IntroductionRequest.objects.select_for_update().get(pk=introduction.pk)
    if not introduction.is_pending:
        raise ValidationError(_("This request is no longer pending."))
    introduction.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    introduction.response_message = message.strip()
    introduction.decided_by = by
    introduction.decided_at = timezone.now()
    introduction.save(update_fields=["status", "response_message", "decided_by", "decided_at"])
    _email_on_commit(
        "introduction_decided",
        {
            "organization": introduction.organization.name,
            "accepted": accept,
            "url": settings.SITE_URL
            + reverse("organizations:introduction", args=[introduction.public_id]),
        },
        [introduction.requester.email],
    )
    return introduction


@transaction.atomic
def introduction_withdraw_consent(
    *, introduction: IntroductionRequest, by: User
) -> IntroductionRequest:
    """The CSO takes back an accepted introduction: its contacts are no longer shown."""
    if not by.has_perm("organizations.decide_introductions", introduction.organization):
        raise PermissionDenied
    if introduction.status != IntroductionStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted introduction can be withdrawn."))
    introduction.status = IntroductionStatus.WITHDRAWN
    introduction.decided_by = by
    introduction.decided_at = timezone.now()
    introduction.save(update_fields=["status", "decided_by", "decided_at"])
    security_log.info("introduction.withdrawn introduction=%s by=%s", introduction.public_id, by.pk)
    return introduction


def introductions_expire_due(now) -> int:
    """Mark pending requests older than their validity as expired (a reminder-sweep source)."""
    return IntroductionRequest.objects.filter(
        status=IntroductionStatus.PENDING, expires_at__lte=now
    ).update(status=IntroductionStatus.EXPIRED)


@transaction.atomic
def contacts_reveal(
    *, introduction: IntroductionRequest, user: User, channel: str
) -> list[Contact]:
    """The shareable contacts an accepted introduction opens to its requester, recorded."""
    if introduction.requester_id != user.pk or introduction.status != IntroductionStatus.ACCEPTED:
        raise PermissionDenied
    contacts = list(introduction.organization.contacts.filter(shareable=True))
    reveal = ContactReveal.objects.create(introduction=introduction, user=user, channel=channel)
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
