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
