"""Working groups, meetings and what happens around them (DESIGN.md §2, "dialogues").

Every change goes through ``dialogues.services``; reads through ``dialogues.selectors``.
"""

import uuid
import zoneinfo
from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from organizations.languages import validate_language_code
from organizations.models import Organization, Theme, validate_timezone
from organizations.models.history import audited
from organizations.text import validate_plain_name, validate_plain_text

DESCRIPTION_MAX_LENGTH = 10_000
REPORT_MAX_LENGTH = 100_000
ACTION_TEXT_MAX_LENGTH = 2_000
DESCRIPTION_VALIDATORS = [MaxLengthValidator(DESCRIPTION_MAX_LENGTH), validate_plain_text]
# Weeks before an in-person meeting by which invitations and visa letters must be out: embassies
# take weeks to decide, and participants from the Global South need visas most often.
DEFAULT_VISA_LEAD_WEEKS = 12


@pghistory.track(*audited())
class WorkingGroup(models.Model):
    """A thematic working group of the network (e.g. Security Interventions)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_name])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(
        _("description"),
        blank=True,
        validators=DESCRIPTION_VALIDATORS,
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="working_groups", verbose_name=_("themes")
    )
    convening_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="convened_working_groups",
        verbose_name=_("convening organizations"),
    )
    conveners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="convened_working_groups",
        verbose_name=_("conveners"),
        help_text=_("People who schedule its meetings, invite and record outcomes."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="working_groups",
        verbose_name=_("members"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class MeetingKind(models.TextChoices):
    WORKING_GROUP_MEETING = "working_group_meeting", _("Working-group meeting")
    ANNUAL_CONVENING = "annual_convening", _("Annual convening")
    OUTREACH_EVENT = "outreach_event", _("Outreach event")
    WORKSHOP = "workshop", _("Workshop")
    CONSULTATION = "consultation", _("Consultation")


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid")
    ONLINE = "online", _("Online")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    INVITATIONS_OPEN = "invitations_open", _("Invitations open")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    REPORT_PUBLISHED = "report_published", _("Report published")
    CANCELLED = "cancelled", _("Cancelled")


# Where each status may go next (services.meeting_transition is the one door). Cancelling is
# possible from any state before the meeting is held.
MEETING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    MeetingStatus.DRAFT: (MeetingStatus.PLANNED, MeetingStatus.CANCELLED),
    MeetingStatus.PLANNED: (MeetingStatus.INVITATIONS_OPEN, MeetingStatus.CANCELLED),
    MeetingStatus.INVITATIONS_OPEN: (MeetingStatus.CONFIRMED, MeetingStatus.CANCELLED),
    MeetingStatus.CONFIRMED: (MeetingStatus.HELD, MeetingStatus.CANCELLED),
    MeetingStatus.HELD: (MeetingStatus.REPORT_PUBLISHED,),
    MeetingStatus.REPORT_PUBLISHED: (),
    MeetingStatus.CANCELLED: (),
}


@pghistory.track(*audited())
class Meeting(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("working group"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_name])
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(
        _("venue's time zone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("The IANA time zone of the venue, e.g. Europe/London."),
    )
    format = models.CharField(_("format"), max_length=12, choices=MeetingFormat.choices)
    venue = models.CharField(
        _("venue"), max_length=200, blank=True, validators=[validate_plain_name]
    )
    city = models.CharField(_("city"), max_length=120, blank=True, validators=[validate_plain_name])
    country = CountryField(_("country"), blank=True)
    host_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host organizations"),
    )
    languages = ArrayField(
        models.CharField(max_length=12, validators=[validate_language_code]),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    chatham_house = models.BooleanField(
        _("Chatham House rule"),
        default=False,
        help_text=_(
            "What is said may be used, but no one may say who said it: the report names no speaker."
        ),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Accepted participants at most; further acceptances join the waiting list."),
    )
    join_url = models.URLField(
        _("online join link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to accepted participants and the conveners."),
    )
    visa_lead_weeks = models.PositiveSmallIntegerField(
        _("visa lead time (weeks)"),
        default=DEFAULT_VISA_LEAD_WEEKS,
        validators=[MinValueValidator(1)],
    )
    participants_published = models.BooleanField(
        _("participant list shown to participants"), default=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # When the agenda was first shown beyond the conveners (the meeting past its draft with an
    # item on it): the day the annual convening's "agenda published" reminder goes out. Set by
    # the services (meeting_transition, agenda_item_add), never changed afterwards.
    agenda_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(
        _("why it was cancelled"),
        blank=True,
        validators=[MaxLengthValidator(2_000), validate_plain_text],
    )
    report = models.TextField(
        _("report (Markdown)"), blank=True, validators=[MaxLengthValidator(REPORT_MAX_LENGTH)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MeetingKind.WORKING_GROUP_MEETING)
                | Q(working_group__isnull=False),
                name="working_group_meeting_has_a_group",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at", "id"], name="meeting_start"),
            models.Index(fields=["working_group", "starts_at"], name="meeting_group_start"),
            models.Index(fields=["updated_at"], name="meeting_updated"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("A meeting must end after it starts.")
        if self.kind == MeetingKind.WORKING_GROUP_MEETING and not self.working_group_id:
            errors["working_group"] = _("A working-group meeting belongs to a working group.")
        if self.format == MeetingFormat.IN_PERSON and self.join_url:
            errors["join_url"] = _("An in-person meeting has no online join link.")
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def ends_on_another_day(self) -> bool:
        """Whether it ends on a later day than it starts, in the venue's time zone."""
        zone = self.zone
        return self.ends_at.astimezone(zone).date() > self.starts_at.astimezone(zone).date()

    @property
    def needs_visa_planning(self) -> bool:
        """Whether people travel to it (in person or hybrid)."""
        return self.format != MeetingFormat.ONLINE

    @property
    def visa_deadline(self):
        """The day, in the venue's time zone, by which invitations and visa letters must be out;
        None for an online meeting."""
        if not self.needs_visa_planning:
            return None
        return (self.starts_at.astimezone(self.zone) - timedelta(weeks=self.visa_lead_weeks)).date()

    def visa_deadline_passed(self, now) -> bool:
        """Whether, at ``now``, the day by which invitations and letters had to be out is past
        (in the venue's time zone)."""
        deadline = self.visa_deadline
        return deadline is not None and now.astimezone(self.zone).date() > deadline

    @property
    def is_draft(self) -> bool:
        return self.status == MeetingStatus.DRAFT

    @property
    def is_over(self) -> bool:
        return self.status in (MeetingStatus.HELD, MeetingStatus.REPORT_PUBLISHED)


class AgendaItemKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    SESSION = "session", _("Session")
    BREAKOUT = "breakout", _("Break-out")


@pghistory.track(*audited())
class AgendaItem(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(_("position"))
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=AgendaItemKind.choices, default=AgendaItemKind.SESSION
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_name])
    description = models.TextField(
        _("description"),
        blank=True,
        validators=DESCRIPTION_VALIDATORS,
    )
    speakers = models.ManyToManyField(
        "Participation", blank=True, related_name="agenda_items", verbose_name=_("speakers")
    )
    other_speakers = models.CharField(
        _("other speakers"),
        max_length=500,
        blank=True,
        validators=[validate_plain_name],
        help_text=_("Speakers who are not invited participants, as free text."),
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="agenda_item_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.title


class ParticipationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")


@pghistory.track(*audited(), exclude=["rsvp_token_hash"])
class Participation(models.Model):
    """An invitation to a meeting and what became of it: a person (an account, or an email
    address not registered yet) on behalf of an organization."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participations",
    )
    email = models.EmailField(_("email"), blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("on behalf of"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ParticipationStatus.choices,
        default=ParticipationStatus.INVITED,
    )
    needs_visa = models.BooleanField(_("needs a visa"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # When it joined the waiting list: the longest waiting moves up first.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    # The one-click answer link's token, hashed (SHA-256); the link works signed out, once.
    rsvp_token_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["meeting", "invited_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="participation_names_someone"
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="participation_user_once",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "meeting",
                condition=~Q(email=""),
                name="participation_email_once",
            ),
            models.UniqueConstraint(
                fields=["rsvp_token_hash"],
                condition=~Q(rsvp_token_hash=""),
                name="participation_rsvp_token_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "status"], name="participation_status"),
            # The reminder of invitations still unanswered a week on (dialogues.reminders).
            models.Index(
                fields=["invited_at"],
                condition=Q(status=ParticipationStatus.INVITED, user__isnull=False),
                name="participation_unanswered",
            ),
        ]

    def __str__(self):
        return f"{self.user or self.email} @ {self.meeting}"


@pghistory.track(*audited(), exclude=["sealed"])
class VisaDetails(models.Model):
    """The few passport facts a visa support letter needs, encrypted at rest (Fernet, the keys
    of FIELD_ENCRYPTION_KEYS), shown only to the person and the meeting's conveners, and erased
    30 days after the meeting ends. Audited without the sealed value: its history records that
    facts were given or erased, never what they were."""

    participation = models.OneToOneField(
        Participation, on_delete=models.CASCADE, related_name="visa_details"
    )
    sealed = models.TextField(blank=True)  # the facts as encrypted JSON; empty once erased
    given_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("visa details")
        verbose_name_plural = _("visa details")

    def __str__(self):
        return f"visa details of {self.participation_id}"


@pghistory.track(*audited())
class VisaLetter(models.Model):
    """A visa support letter issued to a participant; ``/verify/<reference>`` tells an embassy
    whether it is genuine, for which meeting and dates, without the passport facts."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="visa_letters"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The initials of the name in the passport ("A. B."), kept when the letter is issued so that
    # the verification page can tell an embassy whose letter it is after the passport facts
    # are erased, without naming the person to whoever holds the link.
    holder_initials = models.CharField(max_length=24, blank=True)

    class Meta:
        verbose_name = _("visa support letter")
        verbose_name_plural = _("visa support letters")
        ordering = ["-issued_at"]
        constraints = [
            # One letter in force per participant: an embassy's check can never meet two that
            # disagree; correcting a letter means revoking it and issuing another.
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_visa_letter",
            )
        ]

    def __str__(self):
        return f"visa letter {self.reference}"


class ActionPointStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


@pghistory.track(*audited())
class ActionPoint(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_points")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_points",
        verbose_name=_("from agenda item"),
    )
    text = models.TextField(
        _("action"),
        validators=[MaxLengthValidator(ACTION_TEXT_MAX_LENGTH), validate_plain_text],
    )
    responsible_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_points",
        verbose_name=_("responsible organization"),
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_points",
        verbose_name=_("responsible person"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ActionPointStatus.choices,
        default=ActionPointStatus.OPEN,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action point")
        verbose_name_plural = _("action points")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="action_point_status_due"),
            models.Index(fields=["meeting", "status"], name="action_point_meeting"),
        ]

    def __str__(self):
        return self.text[:80]


class CalendarFeed(models.Model):
    """A person's calendar feed (webcal): the meetings they are invited to or whose working
    group they belong to, at a URL with its own token, only its hash kept; revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_user"
            )
        ]

    def __str__(self):
        return f"calendar feed of {self.user_id}"
