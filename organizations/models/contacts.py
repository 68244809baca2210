import uuid
from datetime import timedelta

import pghistory
from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from organizations.models.directory import Organization
from organizations.models.history import audited

INTRODUCTION_VALID_DAYS = 30


@pghistory.track(*audited())
class Contact(models.Model):
    """A contact person of an organization. Never shown beyond DESIGN.md §4's rules."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    secure_channel = models.CharField(
        _("secure channel"),
        max_length=200,
        blank=True,
        help_text=_("E.g. a Signal number or another channel you trust."),
    )
    shareable = models.BooleanField(
        _("shareable"),
        default=False,
        help_text=_("May be shown to someone whose introduction request you accepted."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


def _introduction_expiry():
    return now() + timedelta(days=INTRODUCTION_VALID_DAYS)


@pghistory.track(*audited())
class IntroductionRequest(models.Model):
    """A government, security-sector or multilateral user asks to be introduced to a CSO."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="introduction_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="introduction_requests"
    )
    requester_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="introductions_requested"
    )
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        max_length=10, choices=IntroductionStatus.choices, default=IntroductionStatus.PENDING
    )
    response_message = models.TextField(_("message"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_introduction_expiry)

    class Meta:
        verbose_name = _("introduction request")
        verbose_name_plural = _("introduction requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "organization"],
                condition=models.Q(status="pending"),
                name="one_pending_introduction_per_requester",
            )
        ]

    def __str__(self):
        return f"{self.requester_organization} → {self.organization}"

    @property
    def is_pending(self) -> bool:
        return self.status == IntroductionStatus.PENDING and self.expires_at > now()


class ContactReveal(models.Model):
    """A record of shareable contacts shown to an introduction's requester: a security event."""

    introduction = models.ForeignKey(
        IntroductionRequest, on_delete=models.CASCADE, related_name="reveals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contacts = models.ManyToManyField(Contact, related_name="reveals")
    channel = models.CharField(max_length=10)  # "page" or "api"
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} · {self.at:%Y-%m-%d %H:%M}"
