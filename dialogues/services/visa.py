"""Passport facts for visa letters: given by the person, read by conveners, erased on time."""

import json
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.models import Participation, VisaDetails
from dialogues.rules import may_manage_meeting
from organizations.adapters import field_cipher

VISA_FACTS = ("full_name", "nationality", "passport_number", "date_of_birth")
# Days after a meeting ends before the passport facts given for it are erased.
VISA_DETAILS_KEPT_DAYS = 30


@transaction.atomic
def visa_details_give(*, participation: Participation, by, **facts) -> VisaDetails:
    """The invited person gives the passport facts a visa letter needs (all four), encrypted
    at rest; giving them again replaces them."""
    if by is None or participation.user_id != by.pk:
        raise PermissionDenied
    cleaned = _visa_facts(facts)
    details = VisaDetails.objects.select_for_update().filter(participation=participation).first()
    if details is None:
        details = VisaDetails(participation=participation)
    details.sealed = field_cipher().encrypt(json.dumps(cleaned).encode()).decode()
    details.given_at = timezone.now()
    details.erased_at = None
    details.save()
    if not participation.needs_visa:
        participation.needs_visa = True
        participation.save(update_fields=["needs_visa", "updated_at"])
    return details


def visa_details_read(*, participation: Participation, by) -> dict | None:
    """The passport facts, for the person themself and the meeting's conveners only (None if
    none were given, or they were erased)."""
    if by is None or not (
        participation.user_id == by.pk or may_manage_meeting(by, participation.meeting)
    ):
        raise PermissionDenied
    details = VisaDetails.objects.filter(participation=participation).first()
    if details is None or not details.sealed:
        return None
    return json.loads(field_cipher().decrypt(details.sealed.encode()))


def visa_details_erase_due(*, now=None) -> int:
    """Erase the passport facts given for meetings that ended more than
    VISA_DETAILS_KEPT_DAYS ago (a periodic task); the erasure is recorded (``erased_at`` and
    the audit history, which never holds the facts). Returns how many were erased."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=VISA_DETAILS_KEPT_DAYS)
    return (
        VisaDetails.objects.filter(participation__meeting__ends_at__lt=cutoff)
        .exclude(sealed="")
        .update(sealed="", erased_at=now)
    )


def _visa_facts(facts: dict) -> dict:
    unknown = set(facts) - set(VISA_FACTS)
    if unknown:
        raise TypeError(f"Unknown visa facts: {sorted(unknown)}")
    errors = {}
    cleaned = {}
    for name in VISA_FACTS:
        value = facts.get(name)
        if name == "date_of_birth":
            if not isinstance(value, date) or not (date(1900, 1, 1) <= value <= date.today()):
                errors[name] = _("Give the date of birth as in the passport.")
            else:
                cleaned[name] = value.isoformat()
            continue
        value = (value or "").strip() if isinstance(value, str) else ""
        if not value or len(value) > 200 or "\x00" in value:
            errors[name] = _("Give this as it is written in the passport.")
        else:
            cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned
