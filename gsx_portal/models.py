import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One message to one address, written in the transaction of the change that caused it.

    A worker sends it (``gsx_portal.outbox``); the periodic sweep sends whatever is still unsent,
    so a mail server or broker that is down delays mail but loses none. The body is emptied once
    the mail server accepted the message: it may carry a one-time link (an invitation) that must
    not outlive its delivery in the database.
    """

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    template = models.CharField(_("kind"), max_length=100, editable=False)
    to = models.EmailField(_("to"), editable=False)
    subject = models.CharField(_("subject"), max_length=300, editable=False)
    body = models.TextField(_("body"), editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [
            # The sweep's question: what is still to send, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbound_email_due",
            )
        ]

    def __str__(self):
        return f"{self.template} → {self.to}"

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        return "failed" if self.failed_at else "pending"


class Notification(models.Model):
    """One event told to one person inside the portal, beside the email that told it.

    Stored as a kind and a few primitive parameters, not as a sentence: the sentence is written
    when it is read (``gsx_portal.notifications.notification_sentence``), in the reader's
    language of that moment. ``link`` is a local path only; secrets (an invitation's one-time
    link) are never stored here. Rows older than ``NOTIFICATION_RETENTION_DAYS`` are deleted by
    the periodic sweep.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=100, editable=False)
    params = models.JSONField(_("parameters"), default=dict, blank=True, editable=False)
    link = models.CharField(_("link"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            # The header's question on every page: how many unread.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["created_at"], name="notification_created"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.user_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting for the next digest")
    SENT = "sent", _("sent")
    WITHDRAWN = "withdrawn", _("no longer due when the digest was sent")
    OPTED_OUT = "opted_out", _("turned off by the recipient")


class ReminderDelivery(models.Model):
    """The ledger: one reminder for one person, claimed before anything is sent.

    The key (user, kind, object_key, occasion) is unique, so a sweep run twice, two beats or a
    retried task claim it once (``INSERT … ON CONFLICT DO NOTHING``). Claimed items wait
    (``pending``) for the recipient's next digest; the digest's worker asks the item's source
    whether it still holds, and marks it ``sent`` in the transaction that records the digest as
    accepted by the mail backend, or ``withdrawn`` / ``opted_out``. ``params`` are the primitive
    values its sentence needs; the sentence is written in the recipient's language when sent.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=100, editable=False)
    object_key = models.CharField(_("object"), max_length=200, editable=False)
    occasion = models.CharField(_("occasion"), max_length=100, editable=False)
    params = models.JSONField(_("parameters"), default=dict, blank=True, editable=False)
    link = models.CharField(_("link"), max_length=500, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now, editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=DeliveryState, default=DeliveryState.PENDING
    )
    digest = models.ForeignKey(
        "ReminderDigest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("digest"),
    )
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_key", "occasion"], name="reminder_delivery_once"
            )
        ]
        indexes = [
            # The digest builder's question: who has items waiting for a digest.
            models.Index(
                fields=["user"],
                condition=Q(state="pending", digest__isnull=True),
                name="reminder_delivery_waiting",
            ),
            models.Index(fields=["-claimed_at", "-id"], name="reminder_delivery_newest"),
            models.Index(fields=["kind", "-claimed_at"], name="reminder_delivery_kind"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_key} {self.occasion} → {self.user_id}"


class DigestState(models.TextChoices):
    PENDING = "pending", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    EMPTY = "empty", _("nothing left to send")
    POSTPONED = "postponed", _("postponed: a reminder email went out less than a day before")


class ReminderDigest(models.Model):
    """One email to one person on one day of theirs (unique), carrying their claimed items.

    Created by the sweep in the recipient's morning; sent by a worker that locks the row
    (``SELECT … FOR UPDATE SKIP LOCKED``), renders it in the recipient's language of that moment,
    and records it sent in the same transaction, after the mail backend accepted it. A failure
    records the attempt and the next one (exponential backoff); after
    ``EMAIL_OUTBOX_MAX_ATTEMPTS`` it is ``failed`` and listed for the secretariat.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_digests",
        verbose_name=_("recipient"),
    )
    day = models.DateField(_("day (recipient's time zone)"), editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=DigestState, default=DigestState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    language = models.CharField(_("language"), max_length=8, blank=True, editable=False)
    subject = models.CharField(_("subject"), max_length=300, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="reminder_digest_one_a_day")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="reminder_digest_due",
            ),
            models.Index(fields=["-created_at", "-id"], name="reminder_digest_newest"),
        ]

    def __str__(self):
        return f"{self.day} → {self.user_id}"


class ReminderOptOut(models.Model):
    """A kind of reminder a person turned off on their account page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    kind = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_opt_out_once")
        ]

    def __str__(self):
        return f"{self.user_id} ✕ {self.kind}"


class ReminderSweepRun(models.Model):
    """When each reminder source last answered a sweep: the next sweep asks it from there."""

    source = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self):
        return f"{self.source} @ {self.last_run_at:%Y-%m-%d %H:%M}"
