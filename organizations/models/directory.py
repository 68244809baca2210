import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.utils.timezone import now
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from organizations.languages import validate_language_code
from organizations.models.history import audited
from organizations.regions import Region
from organizations.search import name_key_expression, search_document_expression
from organizations.text import validate_plain_name


class Sector(models.TextChoices):
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    GOVERNMENT = "government", _("Government")
    SECURITY_SECTOR = "security_sector", _("Security sector")
    MULTILATERAL = "multilateral", _("Multilateral")
    RESEARCH = "research", _("Research")
    DONOR = "donor", _("Donor")
    PRIVATE = "private", _("Private sector")
    MEDIA = "media", _("Media")


_SECTOR_NAMES = dict(Sector.choices)  # value -> lazy label, translated when shown

# Users of these sectors reach civil society only through consent-based introductions.
REQUESTER_SECTORS = (Sector.GOVERNMENT, Sector.SECURITY_SECTOR, Sector.MULTILATERAL)
# ... and so must use two-factor authentication before they can act (DESIGN.md §4): whoever may
# ask for a civil society organization's contacts.
MFA_REQUIRED_SECTORS = REQUESTER_SECTORS


# Longest free texts a profile keeps (item 14): long enough for a real description, short enough
# that a profile cannot be used to store or smuggle documents.
DESCRIPTION_MAX_LENGTH = 10_000
CONSTITUENCY_MAX_LENGTH = 4_000
NETWORKS_MAX_COUNT = 30
NETWORK_NAME_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 500
# The portal's languages a summary can be given in besides its original (item 10).
SUMMARY_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def validate_summary_translations(value) -> None:
    """``{language code: text}`` for the portal's languages, each text held to the summary's
    own rules (length; no NUL, which PostgreSQL's jsonb cannot store anyway)."""
    if not isinstance(value, dict):
        # Codes other than "invalid", which the field would replace with its own message.
        raise ValidationError(_("Give the summaries as language code → text."), code="not_object")
    unknown = sorted(str(code) for code in value if code not in SUMMARY_LANGUAGES)
    if unknown:
        raise ValidationError(
            _("Summaries can be given in %(known)s only, not %(unknown)s."),
            code="unknown_language",
            params={"known": ", ".join(SUMMARY_LANGUAGES), "unknown": ", ".join(unknown)},
        )
    for text in value.values():
        if not isinstance(text, str):
            raise ValidationError(_("Each summary must be text."), code="not_text")
        MaxLengthValidator(SUMMARY_MAX_LENGTH)(text)
        ProhibitNullCharactersValidator()(text)


class VisibilityTier(models.TextChoices):
    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Network members")
    RESTRICTED = "restricted", _("Restricted (at-risk organization)")


def translated(values: dict) -> str:
    """The entry of ``values`` (language code → text) for the active language, else English."""
    language = (get_language() or "en").split("-")[0]
    return values.get(language) or values.get("en") or ""


class Theme(models.Model):
    """A focus area shared by organizations, working groups and recommendations."""

    slug = models.SlugField(max_length=60, unique=True)
    names = models.JSONField(default=dict, help_text=_("Name per language code."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "slug"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return translated(self.names)


class CriterionGroup(models.TextChoices):
    CORE_VALUE = "core_value", _("Core values and commitments")
    COMPETENCY = "competency", _("Competencies")
    CONSTITUENCY = "constituency", _("Nature of constituency")


class Criterion(models.Model):
    """One criterion of the Better Peace Tool, against which civil society is vetted."""

    code = models.SlugField(max_length=60, unique=True)
    group = models.CharField(max_length=20, choices=CriterionGroup.choices)
    order = models.PositiveSmallIntegerField(default=0)
    titles = models.JSONField(default=dict, help_text=_("Title per language code."))

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return translated(self.titles)


class CountryCodes(models.Transform):
    """``countries__codes``: the comma-joined codes of a multiple ``CountryField`` ("NE,TD",
    "" for none: how django-countries stores them) as a text array, so that
    ``countries__codes__contains=["NE"]`` is answered by the GIN index on the same expression
    (``organization_country_codes``), where ``countries__contains="NE"`` scanned every row."""

    lookup_name = "codes"
    template = "string_to_array(%(expressions)s, ',')"
    output_field = ArrayField(models.TextField())


def validate_year_founded(value: int) -> None:
    if value > now().year:
        raise ValidationError(_("The year founded cannot be in the future."))


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["search_document", "name_key"],
)
class Organization(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_name])
    acronym = models.CharField(
        _("acronym"), max_length=30, blank=True, validators=[validate_plain_name]
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    visibility_tier = models.CharField(
        _("visibility"),
        max_length=12,
        choices=VisibilityTier.choices,
        default=VisibilityTier.NETWORK,
    )
    women_led = models.BooleanField(_("women-led"), default=False)
    youth_led = models.BooleanField(_("youth-led"), default=False)
    headquarters_country = CountryField(_("headquarters country"), blank=True)
    countries = CountryField(_("countries of operation"), multiple=True, blank=True)
    # Derived from the headquarters and the countries of operation by the services.
    regions = ArrayField(
        models.CharField(max_length=30, choices=Region.choices),
        blank=True,
        default=list,
        editable=False,
        verbose_name=_("regions"),
    )
    website = models.URLField(_("website"), blank=True)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    # The same summary in other portal languages, written by the organization; ``summary``
    # stays the original (and the one search indexes).
    summary_translations = models.JSONField(
        _("summary in other languages"),
        default=dict,
        blank=True,
        validators=[validate_summary_translations],
    )
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="organizations", verbose_name=_("focus themes")
    )
    working_languages = ArrayField(
        # Validated rather than given choices: the language list grows without migrations.
        models.CharField(max_length=8, validators=[validate_language_code]),
        blank=True,
        default=list,
        verbose_name=_("working languages"),
    )
    year_founded = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), validate_year_founded],
    )
    constituency = models.TextField(
        _("constituency"),
        blank=True,
        max_length=CONSTITUENCY_MAX_LENGTH,
        validators=[MaxLengthValidator(CONSTITUENCY_MAX_LENGTH)],
    )
    networks = ArrayField(
        models.CharField(max_length=NETWORK_NAME_MAX_LENGTH),
        size=NETWORKS_MAX_COUNT,
        blank=True,
        default=list,
        verbose_name=_("networks it belongs to"),
    )
    accepts_introductions = models.BooleanField(
        _("accepts introduction requests"),
        default=True,
        help_text=_(
            "Government, security-sector and multilateral users may ask to be introduced. "
            "Turn off to refuse all such requests."
        ),
    )
    # Until when the latest valid approval lasts; written only by vetting_set_state. "Vetted"
    # means this is in the future (selectors.is_vetted), whatever the latest application says.
    vetted_until = models.DateTimeField(
        _("vetted until"), null=True, blank=True, editable=False, db_index=True
    )
    # Set by registration (or a rename) when the name is close to one the registrant cannot see;
    # hides the organization from everyone but its members and the secretariat until the
    # secretariat clears it (services.organization_clear_hold). See OrganizationHold.
    held_for_review = models.BooleanField(_("held for review"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    search_document = models.GeneratedField(
        expression=search_document_expression(),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The normalised name (organizations.search), stored so that neither the trigram index's
    # recheck nor the ranking normalises a name per row.
    name_key = models.GeneratedField(
        expression=name_key_expression(), output_field=models.TextField(), db_persist=True
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        # Names repeat (at 100,000, many times): without the id, the order of equal names is
        # the plan's, and a page could repeat or skip an organization of the one before.
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(fields=["search_document"], name="organization_search"),
            GinIndex(
                fields=["name_key"], opclasses=["gin_trgm_ops"], name="organization_name_trgm"
            ),
            GinIndex(fields=["regions"], name="organization_regions"),
            # The directory's orders and filters (checked with EXPLAIN in the tests,
            # tests/organizations/test_directory_plans.py). Every reader's list by name: the
            # index is read in order and the tier, included, filters it (public profiles are
            # over half of the directory, so the first page is found at once), and the capped
            # count and the ids of a deep page come from the index alone. No index leads with
            # the tier: the planner would take one as the cheapest way to every public row and
            # filter a search's matches out of them instead of reading the search indexes.
            models.Index(
                fields=["name", "id"], include=["visibility_tier"], name="organization_name"
            ),
            # ?sector=: the sectors other than civil society are a few percent each; with
            # the tier and ``id`` included (not keys, for the reason above), their capped counts
            # come from the index alone.
            models.Index(
                fields=["sector"], include=["visibility_tier", "id"], name="organization_sector"
            ),
            # ?country=: headquarters or countries of operation (a BitmapOr of the two).
            models.Index(fields=["headquarters_country"], name="organization_headquarters"),
            GinIndex(CountryCodes("countries"), name="organization_country_codes"),
            GinIndex(fields=["working_languages"], name="organization_languages"),
        ]

    def __str__(self):
        return self.name

    @property
    def sector_name(self) -> str:
        """``get_sector_display()`` for lists: Django's rebuilds a dict of every choice, hashing
        each translated label, on every call (a tenth of a millisecond per row)."""
        return _SECTOR_NAMES.get(self.sector, self.sector)

    def summary_for(self, language: str) -> tuple[str, str]:
        """The summary to show a reader of ``language`` and its language code ("" for the
        original, whose language is not recorded)."""
        language = (language or "").split("-")[0]
        if self.summary_translations.get(language):
            return self.summary_translations[language], language
        return self.summary, ""

    def summary_languages(self) -> list[str]:
        return [code for code in SUMMARY_LANGUAGES if self.summary_translations.get(code)]


Organization._meta.get_field("countries").register_lookup(CountryCodes)


class OrganizationHold(models.Model):
    """Why an organization was held for the secretariat: the name it had, the organizations it
    resembled, and when and by whom the hold was cleared. Seen by the secretariat only."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="holds")
    name = models.CharField(_("name when held"), max_length=200)
    similar_to = models.ManyToManyField(
        Organization, related_name="+", verbose_name=_("similar organizations")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("name hold")
        verbose_name_plural = _("name holds")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    MEMBER = "member", _("Member")


@pghistory.track(*audited())
class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"


class Invitation(models.Model):
    """An invitation by email to join an organization. Only a hash of its token is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now()
