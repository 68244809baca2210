import secrets
import uuid

import pghistory
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models.directory import Criterion, Organization, Sector
from organizations.models.history import audited
from organizations.storage import private_storage_callable, random_document_name

# The same limits as the forms and the API inputs, enforced by the services' full_clean.
EVIDENCE_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 4000
DOCUMENT_DESCRIPTION_MAX_LENGTH = 300


class VettingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class Rating(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


def _verification_code() -> str:
    return secrets.token_urlsafe(18)


@pghistory.track(*audited())
class VettingApplication(models.Model):
    """A civil society organization's application to be vetted against the Better Peace Tool."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="vetting_applications"
    )
    status = models.CharField(
        max_length=20, choices=VettingStatus.choices, default=VettingStatus.DRAFT, db_index=True
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(
        _("message from the secretariat"),
        blank=True,
        validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)],
        help_text=_("Why changes were requested, or why the application was declined."),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    # The identity the secretariat recognised, copied at approval: the letter and /verify/ show
    # these, so renaming the organization later cannot borrow the recognition.
    recognised_name = models.CharField(
        _("recognised name"), max_length=200, blank=True, editable=False
    )
    recognised_sector = models.CharField(
        _("recognised sector"), max_length=20, choices=Sector.choices, blank=True, editable=False
    )
    # Printed on the letter of recognition; anyone holding it can check the letter is genuine.
    verification_code = models.CharField(
        max_length=32, unique=True, default=_verification_code, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vetting application")
        verbose_name_plural = _("vetting applications")
        ordering = ["-created_at"]
        constraints = [
            # One application in progress at a time.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(
                    status__in=["draft", "submitted", "in_review", "changes_requested"]
                ),
                name="one_open_vetting_per_organization",
            )
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_status_display()})"


@pghistory.track(*audited())
class Evidence(models.Model):
    application = models.ForeignKey(
        VettingApplication, on_delete=models.CASCADE, related_name="evidence"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(
        _("evidence"), blank=True, validators=[MaxLengthValidator(EVIDENCE_MAX_LENGTH)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="evidence_unique")
        ]

    def __str__(self):
        return f"{self.application_id}/{self.criterion.code}"


@pghistory.track(*audited())
class Assessment(models.Model):
    """A reviewer's rating of one criterion. Its note is for the secretariat only."""

    application = models.ForeignKey(
        VettingApplication, on_delete=models.CASCADE, related_name="assessments"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField(max_length=10, choices=Rating.choices)
    note = models.TextField(
        _("reviewer note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "reviewer"], name="assessment_unique"
            )
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.rating}"


class EndorsementStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")


class Endorsement(models.Model):
    """An already-vetted organization vouches for an applicant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        VettingApplication, on_delete=models.CASCADE, related_name="endorsements"
    )
    endorser = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=EndorsementStatus.choices, default=EndorsementStatus.REQUESTED
    )
    statement = models.TextField(
        _("statement"), blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "endorser"], name="one_endorsement_per_endorser"
            )
        ]

    def __str__(self):
        return f"{self.endorser} → {self.application}"


class DocumentKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration certificate")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    REFERENCE = "reference", _("Reference letter")
    OTHER = "other", _("Other")


@pghistory.track(*audited())
class VettingDocument(models.Model):
    """A supporting document of an application, stored privately (organizations.storage)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        VettingApplication, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    description = models.CharField(
        _("description"), max_length=DOCUMENT_DESCRIPTION_MAX_LENGTH, blank=True
    )
    file = models.FileField(
        storage=private_storage_callable, upload_to=random_document_name, max_length=200
    )
    # The uploader's file name, shown and offered on download; never used on disk.
    original_name = models.CharField(max_length=200)
    # Found from the content at upload, never from the browser or the name.
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name
