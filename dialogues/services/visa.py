"""Visa support: the passport facts a letter needs (given by the person, read by the conveners,
erased on time) and the letters the conveners issue and revoke.

The facts are never written to a log, an email, the audit history or a list: logs and emails
name letters by their human reference, and the history of ``VisaDetails`` excludes its sealed
value."""

import json
import logging
import re
import unicodedata
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.models import Participation, VisaDetails, VisaLetter
from dialogues.rules import (
    may_manage_meeting,
    may_see_visa_details,
    visa_details_refusal,
    visa_letter_refusal,
)
from organizations.adapters import field_cipher
from organizations.letters import short_reference
from organizations.services.notify import email_on_commit
from organizations.text import normalise_name, validate_plain_name

security_log = logging.getLogger("gsx.security")

VISA_FACTS = ("full_name", "nationality", "passport_number", "date_of_birth")
# Days after a meeting ends before the passport facts given for it are erased.
VISA_DETAILS_KEPT_DAYS = 30
FACT_MAX_LENGTHS = {"full_name": 200, "nationality": 100, "passport_number": 20}
# Passport numbers are printed in Latin capitals and digits (ICAO 9303), at most 9 characters in
# the machine-readable zone; some countries print longer ones on the data page.
PASSPORT_NUMBER = re.compile(r"[A-Z0-9]{4,20}")


def visa_details_erased_on(meeting) -> datetime:
    """When the passport facts given for ``meeting`` are erased (by the hourly task, within the
    hour after)."""
    return meeting.ends_at + timedelta(days=VISA_DETAILS_KEPT_DAYS)


@transaction.atomic
def visa_details_give(*, participation: Participation, by, **facts) -> VisaDetails:
    """The invited person gives the passport facts a visa letter needs (all four), checked and
    encrypted at rest; giving them again replaces them. Marks the participation as needing a
    visa. Refused (ValidationError saying why) while a letter issued with earlier facts is in
    force, for an online, cancelled or past meeting, or a declined invitation."""
    participation = _locked(participation)
    if by is None or participation.user_id != by.pk:
        raise PermissionDenied
    refusal = visa_details_refusal(participation)
    if refusal:
        raise ValidationError(refusal)
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


@transaction.atomic
def visa_details_withdraw(*, participation: Participation, by) -> VisaDetails:
    """The person erases their passport facts now, whatever the state of the meeting (their
    data is theirs to take back). A letter already issued keeps verifying, but can no longer be
    downloaded. The erasure is recorded like the scheduled one."""
    participation = _locked(participation)
    if by is None or participation.user_id != by.pk:
        raise PermissionDenied
    details = VisaDetails.objects.select_for_update().filter(participation=participation).first()
    if details is None or not details.sealed:
        raise ValidationError(_("There are no passport facts to remove."))
    details.sealed = ""
    details.erased_at = timezone.now()
    details.save(update_fields=["sealed", "erased_at"])
    return details


def visa_details_read(*, participation: Participation, by) -> dict | None:
    """The passport facts, for the person themself and the meeting's conveners only (None if
    none were given, or they were erased)."""
    if by is None or not may_see_visa_details(by, participation):
        raise PermissionDenied
    details = VisaDetails.objects.filter(participation=participation).first()
    if details is None or not details.sealed:
        return None
    return _unsealed(details)


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


@transaction.atomic
def visa_letter_issue(*, participation: Participation, by) -> VisaLetter:
    """The meeting's conveners issue a visa support letter (``visa_letter_refusal`` says when
    they cannot). Keeps the initials of the name in the passport for the verification page,
    emails the participant that the letter is ready (no facts, no link to the letter's
    verification) and records the issue in the security log by the letter's human reference."""
    participation = _locked(participation)
    if by is None or not may_manage_meeting(by, participation.meeting):
        raise PermissionDenied
    refusal = visa_letter_refusal(participation)
    if refusal:
        raise ValidationError(refusal)
    facts = _unsealed(participation.visa_details)
    letter = VisaLetter(
        participation=participation,
        issued_by=by,
        holder_initials=holder_initials(facts["full_name"]),
    )
    letter.full_clean()
    letter.save()
    _tell_participant("visa_letter_issued", participation)
    security_log.info(
        "visa_letter.issued letter=%s meeting=%s by=%s",
        visa_letter_reference(letter),
        participation.meeting.public_id,
        by.pk,
    )
    return letter


@transaction.atomic
def visa_letter_revoke(*, letter: VisaLetter, by) -> VisaLetter:
    """The meeting's conveners revoke a letter: from then on its verification page says so, and
    it can no longer be downloaded. The participant is told by email."""
    letter = (
        VisaLetter.objects.select_for_update(of=("self",))
        .select_related("participation__meeting", "participation__user")
        .get(pk=letter.pk)
    )
    participation = letter.participation
    if by is None or not may_manage_meeting(by, participation.meeting):
        raise PermissionDenied
    if letter.revoked_at is not None:
        raise ValidationError(_("This letter was already revoked."))
    letter.revoked_at = timezone.now()
    letter.save(update_fields=["revoked_at"])
    _tell_participant("visa_letter_revoked", participation)
    security_log.info(
        "visa_letter.revoked letter=%s meeting=%s by=%s",
        visa_letter_reference(letter),
        participation.meeting.public_id,
        by.pk,
    )
    return letter


# What a visa letter's human reference starts with (the home page's verify box tells it apart).
VISA_REFERENCE_PREFIX = "GSX-VISA-"


def visa_letter_reference(letter: VisaLetter) -> str:
    """``GSX-VISA-<year of issue>-<6 characters>``: a reference people can cite and read aloud,
    derived one-way from the letter's verification reference, which it does not reveal."""
    year = (letter.issued_at or timezone.now()).year
    return short_reference(str(letter.reference), year, prefix=VISA_REFERENCE_PREFIX.rstrip("-"))


def holder_initials(full_name: str) -> str:
    """``A. B.``: the first letter of each word of the name (six words at most)."""
    return " ".join(word[0].upper() + "." for word in normalise_name(full_name).split()[:6])


def _locked(participation: Participation) -> Participation:
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("meeting", "meeting__working_group", "user")
        .get(pk=participation.pk)
    )


def _unsealed(details: VisaDetails) -> dict:
    return json.loads(field_cipher().decrypt(details.sealed.encode()))


def _tell_participant(template: str, participation: Participation) -> None:
    meeting = participation.meeting
    email_on_commit(
        template,
        {
            "title": meeting.title,
            "url": settings.SITE_URL + reverse("dialogues:visa_details", args=[meeting.public_id]),
        },
        [participation.user.email],
        app="dialogues",
    )


def _visa_facts(facts: dict) -> dict:
    unknown = set(facts) - set(VISA_FACTS)
    if unknown:
        raise TypeError(f"Unknown visa facts: {sorted(unknown)}")
    errors = {}
    cleaned = {}
    for name in VISA_FACTS:
        try:
            cleaned[name] = visa_fact_clean(name, facts.get(name))
        except ValidationError as error:
            errors[name] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def visa_fact_clean(name: str, value):
    """One passport fact checked and normalised as it is kept (the date of birth as ISO text),
    or a ValidationError saying what is wrong; forms call it to report every field at once."""
    if name == "date_of_birth":
        if not isinstance(value, date):
            raise ValidationError(_("Give the date of birth as in the passport."))
        if not (date(1900, 1, 1) <= value <= date.today()):
            raise ValidationError(_("A date of birth between 1900 and today, as in the passport."))
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("Give this as it is written in the passport."))
    limit = FACT_MAX_LENGTHS[name]
    if len(value) > limit:
        raise ValidationError(
            _("At most %(limit)d characters (this has %(length)d).")
            % {"limit": limit, "length": len(value)}
        )
    if name == "passport_number":
        # Spaces typed for readability go; full-width digits and letters become plain ones.
        number = "".join(unicodedata.normalize("NFKC", value).split()).upper()
        if not PASSPORT_NUMBER.fullmatch(number):
            raise ValidationError(
                _(
                    "A passport number is 4 to 20 letters (A to Z) and digits, as printed in "
                    "the passport."
                )
            )
        return number
    value = normalise_name(value)
    validate_plain_name(value)
    return value
