"""Memberships and invitations (one door for each change)."""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Invitation, Membership, MembershipRole, Organization, User
from organizations.selectors import api_token_hash
from organizations.services.notify import email_on_commit
from organizations.text import masked_email, quoted_label

RATE_WINDOW = timedelta(hours=24)


class InvitationLimitReached(ValidationError):
    """Too many invitations in the last 24 hours (the API answers 429)."""


def _admins_left_after(organization: Organization, *, without: Membership) -> int:
    # Lock the organization's memberships so that two admins cannot demote each other at once.
    admins = list(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=MembershipRole.ADMIN)
        .values_list("pk", flat=True)
    )
    return len([pk for pk in admins if pk != without.pk])


def _require_manager(user: User, organization: Organization) -> None:
    if not user.has_perm("organizations.manage_members", organization):
        raise PermissionDenied


def _check_invitation_limits(organization: Organization, by: User) -> None:
    """Counted from the Invitation rows of the last 24 hours, revoked ones included, so that
    revoking does not reset the count."""
    # Serialise the invitations of one organization so that parallel requests cannot overshoot.
    Organization.objects.select_for_update().filter(pk=organization.pk).exists()
    since = timezone.now() - RATE_WINDOW
    recent = Invitation.objects.filter(created_at__gt=since)
    if recent.filter(invited_by=by).count() >= settings.INVITATIONS_PER_USER_PER_DAY:
        raise InvitationLimitReached(
            _("You have sent %(limit)d invitations in the last 24 hours. Try again tomorrow.")
            % {"limit": settings.INVITATIONS_PER_USER_PER_DAY}
        )
    if (
        recent.filter(organization=organization).count()
        >= settings.INVITATIONS_PER_ORGANIZATION_PER_DAY
    ):
        raise InvitationLimitReached(
            _(
                "%(limit)d invitations to this organization were sent in the last 24 hours. "
                "Try again tomorrow."
            )
            % {"limit": settings.INVITATIONS_PER_ORGANIZATION_PER_DAY}
        )


def _invitation_email_context(organization: Organization, by: User, secret: str) -> dict:
    # The names are the inviter's own words: quoted as data, links defused, one line, and never
    # in the From header (send_mail uses DEFAULT_FROM_EMAIL), so that nobody can dress an
    # invitation up as a message from the portal itself.
    inviter_name = quoted_label(by.get_full_name(), 60)
    return {
        "organization": quoted_label(organization.name, 80),
        "inviter": f"{inviter_name} ({by.email})" if inviter_name else by.email,
        "url": f"{settings.SITE_URL}{reverse('organizations:invitation', args=[secret])}",
        "days": settings.INVITATION_VALID_DAYS,
    }


@transaction.atomic
def membership_invite(
    *, organization: Organization, by: User, email: str, role: str = MembershipRole.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and its secret token (sent, not stored).

    Effects: an Invitation row valid for INVITATION_VALID_DAYS; an email with the link to the
    invitee once the transaction commits. Refused beyond INVITATIONS_PER_USER_PER_DAY or
    INVITATIONS_PER_ORGANIZATION_PER_DAY (InvitationLimitReached).
    """
    _require_manager(by, organization)
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    _check_invitation_limits(organization, by)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        token_hash=api_token_hash(secret),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    email_on_commit("invitation", _invitation_email_context(organization, by, secret), [email])
    return invitation, secret


def invitation_for_token(secret: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=api_token_hash(secret))
        .first()
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Revoke an open invitation (the organization's admins, staff): its link stops working."""
    _require_manager(by, invitation.organization)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or has already been used."))
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation


def _revoke_invitations_sent_by(user: User, organization: Organization, *, by: User) -> None:
    # An admin who loses the role takes back what they sent: their invitations must not outlive
    # their authority (acceptance checks it again in any case).
    Invitation.objects.filter(
        organization=organization,
        invited_by=user,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now(), revoked_by=by)


def _inviter_may_still_invite(invitation: Invitation) -> bool:
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active:
        return False
    inviter = User.objects.get(pk=inviter.pk)  # a fresh object: no cached roles
    return inviter.has_perm("organizations.manage_members", invitation.organization)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the organization. The invitation must be open and addressed to one of the user's
    verified email addresses, its sender must still be allowed to invite (an admin of the
    organization), and it cannot be used twice."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or has already been used."))
    if not _inviter_may_still_invite(invitation):
        raise ValidationError(
            _(
                "This invitation is no longer valid: the person who sent it can no longer invite "
                "people to %(organization)s. Ask one of its administrators for a new invitation."
            )
            % {"organization": invitation.organization.name}
        )
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            # Masked: a forwarded link must not tell its holder whom it was sent to.
            % {"email": masked_email(invitation.email)}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, by: User, role: str) -> Membership:
    """Change a member's role; an organization always keeps at least one admin. Demoting an
    admin revokes the open invitations they sent."""
    _require_manager(by, membership.organization)
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    demoted = membership.role == MembershipRole.ADMIN and role != MembershipRole.ADMIN
    if demoted and _admins_left_after(membership.organization, without=membership) == 0:
        raise ValidationError(_("An organization must keep at least one administrator."))
    membership.role = role
    membership.save(update_fields=["role"])
    if demoted:
        _revoke_invitations_sent_by(membership.user, membership.organization, by=by)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member (admins), or leave (anyone, for themselves); never the last admin.
    The open invitations the person sent to this organization are revoked."""
    if membership.user_id != by.pk:
        _require_manager(by, membership.organization)
    if (
        membership.role == MembershipRole.ADMIN
        and _admins_left_after(membership.organization, without=membership) == 0
    ):
        raise ValidationError(_("An organization must keep at least one administrator."))
    _revoke_invitations_sent_by(membership.user, membership.organization, by=by)
    membership.delete()
