import uuid
from datetime import timedelta

import pghistory
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from organizations.models.directory import Organization
from organizations.models.history import audited

INTRODUCTION_VALID_DAYS = 30
PURPOSE_MAX_LENGTH = 4000
MESSAGE_MAX_LENGTH = 2000


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
    LAPSED = "lapsed", _("Consent lapsed")


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
    purpose = models.TextField(_("purpose"), validators=[MaxLengthValidator(PURPOSE_MAX_LENGTH)])
    status = models.CharField(
        max_length=10, choices=IntroductionStatus.choices, default=IntroductionStatus.PENDING
    )
    response_message = models.TextField(
        _("message"), blank=True, validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)]
    )
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
    # Set on acceptance and on each renewal; the sweep lets the consent lapse after it.
    consent_until = models.DateTimeField(null=True, blank=True)
    # What the CSO consented to: this person's membership (gone if they leave; a later
    # membership is another row), the verification in force and the requesting organization's
    # name at acceptance. Consent never revives once any of them no longer holds.
    requester_membership = models.ForeignKey(
        "organizations.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consented_verification = models.ForeignKey(
        "organizations.RequesterVerification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consented_name = models.CharField(max_length=200, blank=True)

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

    @property
    def is_consented(self) -> bool:
        """Accepted and not lapsed. Whether it grants anything *now* is for
        ``organizations.rules.may_see_shared_contacts`` to say."""
        return (
            self.status == IntroductionStatus.ACCEPTED
            and self.consent_until is not None
            and self.consent_until > now()
        )


class IntroductionBlock(models.Model):
    """A civil society organization refuses all requests from a person or an organization."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="introduction_blocks"
    )
    blocked_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    blocked_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Kept so that the block list still says whom it blocks if the account is deleted.
    label = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("introduction block")
        verbose_name_plural = _("introduction blocks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(blocked_user__isnull=False)
                ^ models.Q(blocked_organization__isnull=False),
                name="introduction_block_one_target",
            ),
            models.UniqueConstraint(
                fields=["organization", "blocked_user"], name="introduction_block_user_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "blocked_organization"],
                name="introduction_block_organization_unique",
            ),
        ]

    def __str__(self):
        return f"{self.organization} ⊘ {self.label}"


class ContactReveal(models.Model):
    """A record of shareable contacts shown to an introduction's requester: a security event.

    ``shown`` copies, at the moment of the reveal, each contact's name and role and which of its
    fields were shown (not their values), so that deleting a contact later does not erase the
    record of its disclosure; the viewer's address and organization are copied for the same
    reason.
    """

    introduction = models.ForeignKey(
        IntroductionRequest, on_delete=models.CASCADE, related_name="reveals"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user_email = models.EmailField(blank=True)
    requester_organization_name = models.CharField(max_length=200, blank=True)
    contacts = models.ManyToManyField(Contact, related_name="reveals")
    shown = models.JSONField(default=list)
    channel = models.CharField(max_length=10)  # "page" or "api"
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} · {self.at:%Y-%m-%d %H:%M}"
