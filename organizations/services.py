import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from organizations.models import ApiToken, Membership, MembershipRole, Organization, Theme, User
from organizations.regions import regions_of
from organizations.selectors import api_token_hash

# Recording every request's use would write on every API call; once a minute is plenty to show.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def user_update_preferences(*, user: User, name: str, language: str, timezone: str) -> User:
    user.name = name.strip()
    user.language = language
    user.timezone = timezone
    user.full_clean()
    user.save(update_fields=["name", "language", "timezone"])
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, can_write: bool = False) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is not stored and cannot be shown again."""
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        hint=raw[: len(ApiToken.PREFIX) + 6],
        key_hash=api_token_hash(raw),
        can_write=can_write,
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_record_use(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


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
