import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organizations.models import (
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Theme,
    User,
)
from organizations.regions import regions_of
from organizations.selectors import api_token_hash
from organizations.services.notify import email_on_commit

# Recording every request's use would write on every API call; once a minute is plenty to show.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


PROFILE_FIELDS = (
    "name",
    "acronym",
    "sector",
    "women_led",
    "youth_led",
    "headquarters_country",
    "countries",
    "website",
    "summary",
    "description",
    "working_languages",
    "year_founded",
    "constituency",
    "networks",
    "visibility_tier",
    "accepts_introductions",
)


# Words the directory's own URLs use after /organizations/.
RESERVED_SLUGS = frozenset({"new", "export"})


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:70] or "organization"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _apply_profile(organization: Organization, profile: dict) -> list[Theme] | None:
    unknown = set(profile) - set(PROFILE_FIELDS) - {"themes"}
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    themes = profile.pop("themes", None)
    for field, value in profile.items():
        setattr(organization, field, value)
    organization.regions = regions_of([organization.headquarters_country, *organization.countries])
    return themes


@transaction.atomic
def organization_register(*, user: User, **profile) -> Organization:
    """Register an organization of any sector; its registrant becomes its first admin."""
    organization = Organization()
    themes = _apply_profile(organization, profile)
    organization.slug = _unique_slug(organization.name)
    organization.full_clean()
    organization.save()
    if themes is not None:
        organization.themes.set(themes)
    Membership.objects.create(user=user, organization=organization, role=MembershipRole.ADMIN)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, user: User, **profile) -> Organization:
    """Change an organization's profile. Only its admins and editors may."""
    if not user.has_perm("organizations.change_profile", organization):
        raise PermissionDenied
    themes = _apply_profile(organization, profile)
    organization.full_clean()
    organization.save()
    if themes is not None:
        organization.themes.set(themes)
    return organization


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


@transaction.atomic
def membership_invite(
    *, organization: Organization, by: User, email: str, role: str = MembershipRole.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and its secret token (sent, not stored).

    Effects: an Invitation row valid for INVITATION_VALID_DAYS; an email with the link to the
    invitee once the transaction commits.
    """
    _require_manager(by, organization)
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
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
    context = {
        "organization": organization.name,
        "inviter": by.get_full_name(),
        "url": f"{settings.SITE_URL}{reverse('organizations:invitation', args=[secret])}",
        "days": settings.INVITATION_VALID_DAYS,
    }
    email_on_commit("invitation", context, [email])
    return invitation, secret


def invitation_for_token(secret: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organization")
        .filter(token_hash=api_token_hash(secret))
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the organization. The invitation must be open and addressed to one of the user's
    verified email addresses; it cannot be used twice."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or has already been used."))
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
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
    """Change a member's role; an organization always keeps at least one admin."""
    _require_manager(by, membership.organization)
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if (
        membership.role == MembershipRole.ADMIN
        and role != MembershipRole.ADMIN
        and _admins_left_after(membership.organization, without=membership) == 0
    ):
        raise ValidationError(_("An organization must keep at least one administrator."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member (admins), or leave (anyone, for themselves); never the last admin."""
    if membership.user_id != by.pk:
        _require_manager(by, membership.organization)
    if (
        membership.role == MembershipRole.ADMIN
        and _admins_left_after(membership.organization, without=membership) == 0
    ):
        raise ValidationError(_("An organization must keep at least one administrator."))
    membership.delete()
