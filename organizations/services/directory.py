"""Registering organizations and changing their profiles (one door for each)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organizations.exceptions import RateLimited
from organizations.models import (
    MFA_REQUIRED_SECTORS,
    REQUESTER_SECTORS,
    Membership,
    MembershipRole,
    Organization,
    OrganizationHold,
    Sector,
    Theme,
    User,
    VisibilityTier,
)
from organizations.regions import regions_of
from organizations.search import name_key
from organizations.selectors import organizations_visible_to
from organizations.services.introductions import (
    introductions_end_consent,
    introductions_lapse_for_requester,
)
from organizations.services.notify import email_on_commit
from organizations.services.vetting import is_vetted
from organizations.text import latin_skeleton, normalise_name

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
    "summary_translations",
    "description",
    "working_languages",
    "year_founded",
    "constituency",
    "networks",
    "visibility_tier",
    "accepts_introductions",
)
# What makes up the identity the secretariat recognises (DESIGN.md, vetting; issue item 8).
IDENTITY_FIELDS = ("name", "sector")

# Words the directory's own URLs use after /organizations/.
RESERVED_SLUGS = frozenset({"new", "export"})
# Unambiguous lower-case letters and digits for the random part of a slug.
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SLUG_SUFFIX_LENGTH = 6


def _random_part(length: int) -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _n in range(length))


def _new_slug(name: str) -> str:
    """A slug that says nothing about other organizations.

    Every slug ends in a random part, so that a slug never tells a registrant that another
    organization (perhaps a hidden one) already has the plain form, and names in scripts that
    do not transliterate to ASCII (Arabic…) get ``org-<random>`` instead of a serial number that
    would count them. Slugs never change afterwards, so links stay valid.
    """
    base = slugify(name, allow_unicode=False)[:60].strip("-")
    while True:
        slug = f"{base}-{_random_part(SLUG_SUFFIX_LENGTH)}" if base else f"org-{_random_part(8)}"
        if slug not in RESERVED_SLUGS and not Organization.objects.filter(slug=slug).exists():
            return slug


def _apply_profile(organization: Organization, profile: dict) -> list[Theme] | None:
    unknown = set(profile) - set(PROFILE_FIELDS) - {"themes"}
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    themes = profile.pop("themes", None)
    for field in ("name", "acronym"):
        if isinstance(profile.get(field), str):
            profile[field] = normalise_name(profile[field])
    if "summary_translations" in profile and profile["summary_translations"] is None:
        profile["summary_translations"] = {}  # an empty JSON box in the admin
    if isinstance(profile.get("summary_translations"), dict):
        # A language left blank has no summary of its own: the original is shown instead.
        profile["summary_translations"] = {
            code: text.strip() if isinstance(text, str) else text
            for code, text in profile["summary_translations"].items()
            if not (isinstance(text, str) and not text.strip())
        }
    for field, value in profile.items():
        setattr(organization, field, value)
    organization.regions = regions_of([organization.headquarters_country, *organization.countries])
    return themes


def similar_organizations(name: str, *, exclude: Organization | None = None):
    """Organizations whose name is identical (without case and accents) or close to ``name``
    (trigram similarity at least ``ORGANIZATION_NAME_SIMILARITY``), closest first."""
    # The name as typed, and as it looks to a reader of Latin script (look-alike letters).
    keys = [name_key(Value(text)) for text in dict.fromkeys([name, latin_skeleton(name)])]
    same, near = Q(), Q()
    for key in keys:
        same |= Q(key=key)
        near |= Q(key__trigram_similar=key)
    similarity = [TrigramSimilarity(name_key(), key) for key in keys]
    found = (
        Organization.objects.alias(key=name_key())
        # The trigram operator (threshold 0.3, served by the index) narrows before the exact score.
        .filter(same | near)
        .annotate(similarity=Greatest(*similarity) if len(similarity) > 1 else similarity[0])
        .filter(same | Q(similarity__gte=settings.ORGANIZATION_NAME_SIMILARITY))
        .order_by("-similarity", "name")
    )
    if exclude is not None and exclude.pk:
        found = found.exclude(pk=exclude.pk)
    return found


def _check_name(organization: Organization, *, user: User) -> list[Organization]:
    """Refuse a name close to an organization the user can see (naming it); return the close
    ones they cannot see, for which the organization is held instead.

    The user is told nothing about organizations hidden from them: a refusal would confirm that
    an at-risk organization exists under that name.
    """
    similar = list(similar_organizations(organization.name, exclude=organization))
    if not similar:
        return []
    visible = set(
        organizations_visible_to(user)
        .filter(pk__in=[o.pk for o in similar])
        .values_list("pk", flat=True)
    )
    for other in similar:
        if other.pk in visible:
            raise ValidationError(
                {
                    "name": _(
                        "“%(name)s” is already registered. If you work there, ask its "
                        "administrators to invite you instead of registering it again."
                    )
                    % {"name": other.name}
                }
            )
    return similar


def _hold(organization: Organization, similar: list[Organization]) -> None:
    organization.held_for_review = True
    organization.save(update_fields=["held_for_review", "updated_at"])
    hold = OrganizationHold.objects.create(organization=organization, name=organization.name)
    hold.similar_to.set(similar)


@transaction.atomic
def _refuse_if_too_many_registrations(user: User) -> None:
    # Each organization is a new voice in everyone's inbox (endorsement requests, invitations):
    # one person registers a few a day at most.
    since = timezone.now() - timedelta(days=1)
    registered = Membership.objects.filter(
        user=user,
        role=MembershipRole.ADMIN,
        created_at__gt=since,
        organization__created_at__gt=since,
    ).count()
    if registered >= settings.ORGANIZATION_REGISTRATIONS_PER_USER_DAY:
        raise RateLimited(
            _("You have registered too many organizations today. Try again tomorrow.")
        )


@transaction.atomic
def organization_register(*, user: User, **profile) -> Organization:
    """Register an organization of any sector; its registrant becomes its first admin.

    Effects: a name close to one the registrant can see is refused; close only to organizations
    hidden from them, the organization is registered but held for the secretariat (an
    OrganizationHold; out of the directory and introductions until cleared) — the registrant is
    not told. The slug carries a random part (see ``_new_slug``).
    """
    _refuse_if_too_many_registrations(user)
    organization = Organization()
    themes = _apply_profile(organization, profile)
    organization.slug = _new_slug(organization.name)
    organization.full_clean()
    similar = _check_name(organization, user=user)
    organization.save()
    if themes is not None:
        organization.themes.set(themes)
    Membership.objects.create(user=user, organization=organization, role=MembershipRole.ADMIN)
    if similar:
        _hold(organization, similar)
    return organization


def _identity_fields_needing_secretariat(stored: Organization, new: Organization) -> list[str]:
    """The fields of this change that only the secretariat may make (item 8): the name or
    sector of an organization vetted now or in a requester sector, and any sector change into
    or out of a requester sector (which changes who must use two-factor and who may request)."""
    renamed = _renamed(stored, new)
    resectored = new.sector != stored.sector
    if not (renamed or resectored):
        return []
    guarded = stored.sector in REQUESTER_SECTORS or is_vetted(stored)
    fields = []
    if renamed and guarded:
        fields.append("name")
    if resectored and (guarded or new.sector in REQUESTER_SECTORS):
        fields.append("sector")
    return fields


def _renamed(stored: Organization, new: Organization) -> bool:
    # Names saved before normalisation must not count as renamed when re-saved unchanged.
    return normalise_name(stored.name) != new.name


def _changed_fields(stored: Organization, new: Organization) -> set[str]:
    def value(organization, field):
        raw = getattr(organization, field)
        if field == "countries":
            return sorted(str(country) for country in raw)
        if field in ("name", "acronym"):
            return normalise_name(raw)
        return str(raw) if field == "headquarters_country" else raw

    return {f for f in PROFILE_FIELDS if value(stored, f) != value(new, f)}


def visibility_change_warning(old: str, new: str) -> str:
    """What a change of visibility tier would show or hide, in words, for the confirmation."""
    profile = _(
        "the profile — name, acronym, summary, description, countries, focus themes, networks, "
        "constituency and vetting status"
    )
    if new == VisibilityTier.PUBLIC:
        effect = _(
            "%(profile)s — will be visible to anyone on the internet without signing in: in the "
            "directory, search results, the API and CSV exports."
        )
    elif new == VisibilityTier.NETWORK and old == VisibilityTier.RESTRICTED:
        effect = _(
            "%(profile)s — will be visible to everyone signed in to the portal, including "
            "government, security-sector and multilateral users: in the directory, search "
            "results, the API and CSV exports."
        )
    elif new == VisibilityTier.NETWORK:
        effect = _("%(profile)s — will no longer be visible to people who are not signed in.")
    else:
        effect = _(
            "%(profile)s — will be visible only to your members and the secretariat. Copies "
            "that others have already made (exports, API clients) cannot be recalled."
        )
    return _(
        "Changing the visibility from “%(old)s” to “%(new)s”: %(effect)s Contacts stay "
        "private whatever the visibility. Confirm the change to apply it."
    ) % {
        "old": VisibilityTier(old).label,
        "new": VisibilityTier(new).label,
        "effect": effect % {"profile": profile},
    }


def _check_update_allowed(
    stored: Organization, organization: Organization, *, user: User, confirmed: bool
) -> list[str]:
    """Raise for a change this user may not make (or has not confirmed); return the identity
    fields the secretariat is changing, whose members are told."""
    changed = _changed_fields(stored, organization)
    identity = _identity_fields_needing_secretariat(stored, organization)
    may_edit = user.has_perm("organizations.change_profile", organization)
    if identity and not user.has_perm("organizations.change_identity", organization):
        message = _(
            "The name and sector of a vetted organization, or of a government, security-sector "
            "or multilateral one, are recognised by the secretariat: ask the secretariat to "
            "change them."
        )
        raise ValidationError(dict.fromkeys(identity, message))
    if not may_edit and changed - set(IDENTITY_FIELDS):
        raise ValidationError(
            _("The secretariat changes only the name and sector; the rest is the organization's.")
        )
    if "visibility_tier" in changed:
        if not user.has_perm("organizations.change_visibility", organization):
            raise ValidationError(
                {
                    "visibility_tier": _(
                        "Only the organization's administrators can change who sees its profile."
                    )
                }
            )
        if not confirmed:
            raise ValidationError(
                {
                    "visibility_tier": visibility_change_warning(
                        stored.visibility_tier, organization.visibility_tier
                    )
                }
            )
    return identity


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    user: User,
    confirm_visibility_change: bool = False,
    **profile,
) -> Organization:
    """Change an organization's profile: its admins and editors; the secretariat for the
    recognised identity.

    Effects and refusals (nothing is saved when refused):
    - the name and sector of a vetted or requester-sector organization, and sector moves into or
      out of a requester sector, only by the secretariat, whose change is emailed to the members
      (with the two-factor requirement when the new sector brings one);
    - the visibility tier only by an admin, and only with ``confirm_visibility_change``;
    - a rename is checked like a registration (refused, or held for the secretariat);
    - becoming restricted withdraws every introduction the organization had accepted; a new
      name or sector (or a hold) lapses every consent given to its members.
    """
    if not (
        user.has_perm("organizations.change_profile", organization)
        or user.has_perm("organizations.change_identity", organization)
    ):
        raise PermissionDenied
    # Compare with the stored row: a bound ModelForm has already written into ``organization``.
    stored = Organization.objects.select_for_update().get(pk=organization.pk)
    themes = _apply_profile(organization, profile)
    identity = _check_update_allowed(
        stored, organization, user=user, confirmed=confirm_visibility_change
    )
    organization.full_clean()
    similar = _check_name(organization, user=user) if _renamed(stored, organization) else []
    organization.save()
    if themes is not None:
        organization.themes.set(themes)
    if similar and not organization.held_for_review:
        _hold(organization, similar)
    if identity:
        _tell_members_of_identity_change(stored, organization)
    if (
        organization.visibility_tier == VisibilityTier.RESTRICTED
        and stored.visibility_tier != VisibilityTier.RESTRICTED
    ):
        introductions_end_consent(organization=organization)
    if (
        stored.name != organization.name
        or stored.sector != organization.sector
        or organization.held_for_review
    ):
        introductions_lapse_for_requester(organization=organization)
    return organization


def _tell_members_of_identity_change(stored: Organization, organization: Organization) -> None:
    needs_two_factor = (
        organization.sector in MFA_REQUIRED_SECTORS and stored.sector not in MFA_REQUIRED_SECTORS
    )
    context = {
        "old_name": stored.name,
        "new_name": organization.name,
        "old_sector": Sector(stored.sector).label,
        "new_sector": Sector(organization.sector).label,
        "needs_two_factor": needs_two_factor,
        "url": f"{settings.SITE_URL}{reverse('organizations:detail', args=[organization.slug])}",
    }
    recipients = list(organization.memberships.values_list("user__email", flat=True))
    email_on_commit("identity_changed", context, recipients)


@transaction.atomic
def organization_clear_hold(*, organization: Organization, by: User) -> Organization:
    """The secretariat clears a name hold: the organization joins the directory and
    introductions by its visibility tier. Records who cleared it and when."""
    if not by.has_perm("organizations.clear_hold", organization):
        raise PermissionDenied
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not organization.held_for_review:
        raise ValidationError(_("This organization is not held."))
    organization.held_for_review = False
    organization.save(update_fields=["held_for_review", "updated_at"])
    organization.holds.filter(cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=by
    )
    return organization
