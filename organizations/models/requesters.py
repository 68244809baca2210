import uuid

import pghistory
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models.directory import Organization, Sector
from organizations.models.history import audited


class VerificationMethod(models.TextChoices):
    OFFICIAL_DOMAIN = "official_domain", _("Official email domain")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    IN_PERSON = "in_person", _("Met in person")
    REFERRAL = "referral", _("Referral by a known partner")
    OTHER = "other", _("Other (described)")


@pghistory.track(*audited())
class RequesterVerification(models.Model):
    """The secretariat's check that a government, security-sector or multilateral organization
    is who it says it is. Only a verified organization's members may ask for introductions.

    A verification holds for the sector it was given for: an organization whose sector changes
    is no longer verified, and revoking keeps the row (and the history) for the record.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="requester_verifications"
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    name = models.CharField(_("verified name"), max_length=200)
    method = models.CharField(_("how"), max_length=20, choices=VerificationMethod.choices)
    evidence = models.TextField(
        _("evidence"),
        validators=[MaxLengthValidator(2000)],
        help_text=_("E.g. the official domain checked, or the reference of the letter."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason"), blank=True, validators=[MaxLengthValidator(2000)])

    class Meta:
        verbose_name = _("requester verification")
        verbose_name_plural = _("requester verifications")
        ordering = ["-verified_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_requester_verification",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_method_display()})"
