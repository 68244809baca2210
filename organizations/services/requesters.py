"""The secretariat verifies government, security-sector and multilateral organizations before
their members may ask civil society for introductions (DESIGN.md §4)."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import (
    REQUESTER_SECTORS,
    MembershipRole,
    Organization,
    RequesterVerification,
    User,
)
from organizations.services.introductions import introductions_lapse_for_requester
from organizations.services.notify import email_on_commit
from organizations.text import quoted_label

security_log = logging.getLogger("gsx.security")


@transaction.atomic
def requester_verify(
    *, organization: Organization, by: User, method: str, evidence: str
) -> RequesterVerification:
    """Record that the secretariat checked who the organization is, and how.

    Effects: a verification for the organization's current sector and name (a later sector
    change voids it); a verification already in force is replaced (revoked, then recorded anew);
    a security log line; an email to the organization's admins.
    """
    if not by.has_perm("organizations.verify_requesters"):
        raise PermissionDenied
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.sector not in REQUESTER_SECTORS:
        raise ValidationError(
            _("Only government, security-sector and multilateral organizations are verified.")
        )
    RequesterVerification.objects.filter(organization=organization, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by, revoke_reason=_("Replaced by a new check.")
    )
    verification = RequesterVerification(
        organization=organization,
        sector=organization.sector,
        name=organization.name,
        method=method,
        evidence=evidence.strip(),
        verified_by=by,
    )
    verification.full_clean()
    verification.save()
    security_log.info(
        "requester.verified organization=%s by=%s method=%s", organization.public_id, by.pk, method
    )
    _tell_admins(organization, "requester_verified")
    return verification


@transaction.atomic
def requester_verification_revoke(
    *, verification: RequesterVerification, by: User, reason: str
) -> RequesterVerification:
    """Take a verification back: from now on the organization's members cannot request
    introductions, and accepted ones stop showing contacts (checked at every reveal) and lapse.
    Its admins are emailed the reason."""
    if not by.has_perm("organizations.verify_requesters"):
        raise PermissionDenied
    verification = RequesterVerification.objects.select_for_update().get(pk=verification.pk)
    if verification.revoked_at is not None:
        raise ValidationError(_("This verification was already revoked."))
    if not reason.strip():
        raise ValidationError({"revoke_reason": _("Say why the verification is revoked.")})
    verification.revoked_at = timezone.now()
    verification.revoked_by = by
    verification.revoke_reason = reason.strip()
    verification.full_clean()
    verification.save()
    security_log.info(
        "requester.revoked organization=%s by=%s",
        verification.organization.public_id,
        by.pk,
    )
    introductions_lapse_for_requester(organization=verification.organization)
    _tell_admins(verification.organization, "requester_revoked", reason=verification.revoke_reason)
    return verification


def _tell_admins(organization: Organization, template: str, **context) -> None:
    email_on_commit(
        template,
        {
            "organization": quoted_label(organization.name),
            "url": settings.SITE_URL + reverse("organizations:detail", args=[organization.slug]),
            **context,
        },
        list(
            organization.memberships.filter(
                role=MembershipRole.ADMIN, user__is_active=True
            ).values_list("user__email", flat=True)
        ),
    )
