"""Recommendations, who they address, how each addressee responded and how far each has been
implemented, seen from two sides (DESIGN.md §2, "recommendations").

Every change goes through ``recommendations.services``; reads through
``recommendations.selectors``. This app imports ``organizations`` and ``dialogues``, never the
reverse.
"""

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from dialogues.models import ActionPoint, Meeting, WorkingGroup
from organizations.languages import validate_language_code
from organizations.models import Organization, Theme
from organizations.models.history import audited
from organizations.regions import Region
from organizations.text import validate_plain_name, validate_plain_text

TEXT_MAX_LENGTH = 20_000
SUMMARY_MAX_LENGTH = 5_000
COMMENT_MAX_LENGTH = 5_000
# A stable, human reference: letters, digits and the separators people cite them with
# (PVE-CP-2017/POL-2a).
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,79}$"


class SourceKind(models.TextChoices):
    BRIEF = "brief", _("Brief")
    MEETING_REPORT = "meeting_report", _("Meeting report")
    OUTCOME_DOCUMENT = "outcome_document", _("Outcome document")
    CONCEPT_NOTE = "concept_note", _("Concept note")
    WORKING_PAPER = "working_paper", _("Working paper")


@pghistory.track(*audited())
class SourceDocument(models.Model):
    """A document that carries recommendations: a brief, a meeting's report, an outcome
    document, a concept note or a working paper."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=300, validators=[validate_plain_name])
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    publishers = models.ManyToManyField(
        Organization, blank=True, related_name="published_sources", verbose_name=_("publishers")
    )
    # Publishers that are not organizations of the portal (a ministry abroad, a university).
    other_publishers = models.CharField(
        _("other publishers"), max_length=500, blank=True, validators=[validate_plain_name]
    )
    published_on = models.DateField(_("date of publication"))
    language = models.CharField(
        _("language"), max_length=12, validators=[validate_language_code], default="en"
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_documents",
        verbose_name=_("meeting"),
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_documents",
        verbose_name=_("working group"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["-published_on", "title", "id"]

    def __str__(self):
        return self.title


class Section(models.TextChoices):
    KEY_FINDINGS = "key_findings", _("Key findings")
    POLICY = "policy", _("Policy")
    PROGRAMMING = "programming", _("Programming and technical")
    FINANCIAL = "financial", _("Financial and logistical")
    GENERAL = "general", _("General")


class AddresseeType(models.TextChoices):
    GOVERNMENTS = "governments", _("Governments")
    SECURITY_SECTOR = "security_sector", _("Security sector")
    DONORS = "donors", _("Donors")
    MULTILATERALS = "multilaterals", _("Multilaterals")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ALL = "all", _("All")


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    STALLED = "stalled", _("Stalled")
    NO_LONGER_RELEVANT = "no_longer_relevant", _("No longer relevant")


def _search(config: str) -> SearchVector:
    # The language's stemming: "policing" finds "police", "politiques" finds "politique".
    return SearchVector("reference", "title", "text", config=config)


@pghistory.track(*audited())
class Recommendation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference"),
        max_length=80,
        unique=True,
        help_text=_("Stable and cited by people, e.g. PVE-CP-2017/POL-2a."),
    )
    source = models.ForeignKey(
        SourceDocument,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("source document"),
    )
    section = models.CharField(
        _("section"), max_length=20, choices=Section.choices, default=Section.GENERAL
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_points",
        verbose_name=_("part of"),
    )
    position = models.PositiveIntegerField(_("position in the source"), default=0)
    title = models.CharField(_("title"), max_length=300, validators=[validate_plain_name])
    text = models.TextField(
        _("text"), validators=[MaxLengthValidator(TEXT_MAX_LENGTH), validate_plain_text]
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="recommendations", verbose_name=_("themes")
    )
    addressee_types = ArrayField(
        models.CharField(max_length=20, choices=AddresseeType.choices),
        verbose_name=_("addressed to"),
        default=list,
        blank=True,
    )
    addressed_organizations = models.ManyToManyField(
        Organization,
        through="AddresseeResponse",
        blank=True,
        related_name="addressed_recommendations",
        verbose_name=_("addressed organizations"),
    )
    countries = ArrayField(
        CountryField(), verbose_name=_("countries in scope"), default=list, blank=True
    )
    regions = ArrayField(
        models.CharField(max_length=40, choices=Region.choices),
        verbose_name=_("regions in scope"),
        default=list,
        blank=True,
    )
    published = models.BooleanField(_("published"), default=False)
    # The latest visible update's status from each side, kept by the services that add and
    # hide updates, so that browsing, facets and sorting by status read an indexed column
    # instead of a latest-per-group subquery over hundreds of thousands of updates. Blank:
    # no update yet.
    self_status = models.CharField(
        _("status reported by the addressee"),
        max_length=24,
        choices=ImplementationStatus.choices,
        blank=True,
        editable=False,
    )
    independent_status = models.CharField(
        _("status assessed by civil society"),
        max_length=24,
        choices=ImplementationStatus.choices,
        blank=True,
        editable=False,
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("from meeting"),
    )
    action_points = models.ManyToManyField(
        ActionPoint,
        blank=True,
        related_name="recommendations",
        verbose_name=_("action points it came from or led to"),
    )
    repeats = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="repeated_by",
        verbose_name=_("repeats earlier recommendations"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    search_en = models.GeneratedField(
        expression=_search("english"), output_field=SearchVectorField(), db_persist=True
    )
    search_fr = models.GeneratedField(
        expression=_search("french"), output_field=SearchVectorField(), db_persist=True
    )
    search_ar = models.GeneratedField(
        expression=_search("arabic"), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["reference", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference__regex=REFERENCE_PATTERN), name="recommendation_reference"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="recommendation_not_its_own_parent"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_en"], name="recommendation_search_en"),
            GinIndex(fields=["search_fr"], name="recommendation_search_fr"),
            GinIndex(fields=["search_ar"], name="recommendation_search_ar"),
            GinIndex(fields=["addressee_types"], name="recommendation_addressees"),
            GinIndex(fields=["countries"], name="recommendation_countries"),
            GinIndex(fields=["regions"], name="recommendation_regions"),
            models.Index(fields=["source", "position"], name="recommendation_source"),
            # A reference cited in part ("PRG-8", "pve-cp-2017"), which the text search splits.
            GinIndex(
                OpClass(Upper("reference"), name="gin_trgm_ops"),
                name="recommendation_reference_trgm",
            ),
            models.Index(fields=["self_status"], name="recommendation_self_status"),
            models.Index(fields=["independent_status"], name="recommendation_indep_status"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"


class ResponseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUPPORTED = "supported", _("Supported")
    NOTED = "noted", _("Noted")
    NOT_SUPPORTED = "not_supported", _("Not supported")


@pghistory.track(*audited())
class AddresseeResponse(models.Model):
    """An addressed organization and its response to the recommendation (pending until it
    gives one); its history is kept by the audit trail."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="responses"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="recommendation_responses"
    )
    status = models.CharField(
        _("response"),
        max_length=16,
        choices=ResponseStatus.choices,
        default=ResponseStatus.PENDING,
    )
    comment = models.TextField(
        _("comment"),
        blank=True,
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH), validate_plain_text],
    )
    responded_on = models.DateField(_("date of the response"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("addressee's response")
        verbose_name_plural = _("addressees' responses")
        ordering = ["recommendation", "organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "organization"], name="one_response_per_addressee"
            )
        ]

    def __str__(self):
        return f"{self.organization} on {self.recommendation.reference}: {self.status}"


class Perspective(models.TextChoices):
    SELF_REPORT = "self_report", _("Self-report by the addressee")
    INDEPENDENT = "independent_assessment", _("Independent assessment by civil society")


class CycleState(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


# Cycles move forward only: upcoming → open → closed (services.review_cycle_transition).
CYCLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CycleState.UPCOMING: (CycleState.OPEN,),
    CycleState.OPEN: (CycleState.CLOSED,),
    CycleState.CLOSED: (),
}
DEFAULT_REMINDER_OFFSETS = (60, 30, 14, 7, 1)
# Weeks before the convening by which the update window closes, by default: time for the
# secretariat to prepare what the convening reviews.
DEFAULT_WINDOW_WEEKS_BEFORE = 4


def default_reminder_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


@pghistory.track(*audited())
class ReviewCycle(models.Model):
    """A yearly review (e.g. "GSX 2027") feeding an annual convening: updates are requested in
    its window; closing it freezes a snapshot of every recommendation's status."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(
        _("name"), max_length=120, unique=True, validators=[validate_plain_name]
    )
    convening = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="review_cycles",
        verbose_name=_("annual convening"),
    )
    opens_on = models.DateField(_("the update window opens"))
    closes_on = models.DateField(_("the update window closes"))
    reminder_offsets = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1)]),
        verbose_name=_("reminders, days before the window closes"),
        default=default_reminder_offsets,
        blank=True,
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CycleState.choices, default=CycleState.UPCOMING
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-closes_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gt=models.F("opens_on")), name="cycle_window_has_length"
            ),
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="open"), name="one_open_cycle"
            ),
        ]

    def __str__(self):
        return self.name


@pghistory.track(*audited())
class ImplementationUpdate(models.Model):
    """How far a recommendation has been implemented, as one side sees it: the addressee's own
    report, or a vetted civil society organization's independent assessment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="updates"
    )
    perspective = models.CharField(_("perspective"), max_length=24, choices=Perspective.choices)
    # The addressed organization the update is about (a self-report: the reporting one).
    addressee = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementation_updates_about",
        verbose_name=_("about the addressee"),
    )
    reporting_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="implementation_updates",
        verbose_name=_("reported by (organization)"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=24, choices=ImplementationStatus.choices)
    summary = models.TextField(
        _("summary"), validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH), validate_plain_text]
    )
    evidence_links = ArrayField(
        models.URLField(max_length=500), verbose_name=_("evidence"), default=list, blank=True
    )
    cycle = models.ForeignKey(
        ReviewCycle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("review cycle"),
    )
    reported_on = models.DateField(_("date"))
    # Moderation by the secretariat: hidden from everyone else, with the reason recorded.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(
        _("why it is hidden"), blank=True, validators=[validate_plain_text]
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(
                fields=["recommendation", "perspective", "-reported_on"], name="update_latest"
            ),
            models.Index(fields=["cycle", "perspective"], name="update_cycle"),
        ]

    def __str__(self):
        return f"{self.recommendation.reference} ({self.perspective}): {self.status}"


class CycleSnapshot(models.Model):
    """A recommendation's status per perspective when its cycle closed; written once, at
    closing, and never changed (later updates belong to later cycles)."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="snapshot")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="snapshots"
    )
    perspective = models.CharField(max_length=24, choices=Perspective.choices)
    # Empty: no update from that side by the close.
    status = models.CharField(max_length=24, choices=ImplementationStatus.choices, blank=True)
    update = models.ForeignKey(
        ImplementationUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cycle snapshot row")
        verbose_name_plural = _("cycle snapshot")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "recommendation", "perspective"], name="one_snapshot_row"
            )
        ]

    def __str__(self):
        return f"{self.cycle} {self.recommendation_id} {self.perspective}: {self.status or '-'}"


class Follow(models.Model):
    """A person follows a recommendation, a theme or a working group; what changes is recorded
    for their digest (FollowEvent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(recommendation__isnull=False, theme=None, working_group=None)
                    | Q(recommendation=None, theme__isnull=False, working_group=None)
                    | Q(recommendation=None, theme=None, working_group__isnull=False)
                ),
                name="follow_names_one_thing",
            ),
            models.UniqueConstraint(
                fields=["user", "recommendation"],
                condition=Q(recommendation__isnull=False),
                name="follow_recommendation_once",
            ),
            models.UniqueConstraint(
                fields=["user", "theme"], condition=Q(theme__isnull=False), name="follow_theme_once"
            ),
            models.UniqueConstraint(
                fields=["user", "working_group"],
                condition=Q(working_group__isnull=False),
                name="follow_group_once",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.recommendation or self.theme or self.working_group}"


class FollowEventKind(models.TextChoices):
    RESPONSE = "response", _("A response was recorded")
    UPDATE = "update", _("An implementation update was published")
    PUBLISHED = "published", _("A recommendation was published")


class FollowEvent(models.Model):
    """A change a follower is to hear of in their digest; ``sent_at`` is set when the digest
    that carried it was accepted by the mail backend (the reminders engine)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_events"
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="follow_events"
    )
    kind = models.CharField(max_length=12, choices=FollowEventKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("change for a follower")
        verbose_name_plural = _("changes for followers")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(sent_at__isnull=True),
                name="follow_event_unsent",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.recommendation_id} for {self.user_id}"
