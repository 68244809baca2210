"""Visa support pages: a participant's own passport facts, the conveners' letters, the letter's
PDF and its public verification. The services decide; these pages ask and show.

Passport facts appear on two pages only, to two kinds of reader: the person's own page (the
passport number masked) and the letter's PDF (the person and the conveners). Every answer that
carries them is ``no-store``."""

import logging
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialogues.letters import visa_letter_pdf
from dialogues.models import Meeting, Participation, VisaLetter
from dialogues.rules import (
    live_visa_letters,
    may_manage_meeting,
    may_see_visa_details,
    visa_details_of,
    visa_details_refusal,
    visa_letter_refusal,
)
from dialogues.selectors import (
    meetings_visible_to,
    visa_letter_by_reference,
    visa_letter_standing,
    visa_requests_of,
)
from dialogues.services import (
    visa_details_erased_on,
    visa_details_give,
    visa_details_read,
    visa_details_withdraw,
    visa_letter_issue,
    visa_letter_reference,
    visa_letter_revoke,
)
from dialogues.visa_forms import VisaDetailsForm
from organizations.letters import letter_language
from organizations.views.confirm import confirmation

security_log = logging.getLogger("gsx.security")

PRIVATE = "no-store, private"


def _private(response):
    response["Cache-Control"] = PRIVATE
    return response


def _meeting(request, public_id) -> Meeting:
    return get_object_or_404(
        meetings_visible_to(request.user).select_related("working_group"), public_id=public_id
    )


def _mine(request, public_id) -> Participation:
    """The signed-in person's own invitation to the meeting, or 404."""
    meeting = _meeting(request, public_id)
    participation = get_object_or_404(meeting.participations, user=request.user)
    participation.meeting = meeting
    return participation


def _managed(request, public_id) -> Meeting:
    """A meeting the signed-in person convenes, or 404 (to anyone else it might not exist)."""
    meeting = _meeting(request, public_id)
    if not may_manage_meeting(request.user, meeting):
        raise Http404
    return meeting


def masked(number: str) -> str:
    """``•••567``: enough for its owner to recognise, not enough to copy."""
    return "•••" + number[-3:]


# The participant's own page.


@require_http_methods(["GET", "POST"])
def visa_details(request, public_id):
    """GET: what the person gave (the number masked), when it is erased, their letters, and the
    form to give or replace the facts. POST: give them (the service checks everything)."""
    participation = _mine(request, public_id)
    form = VisaDetailsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            visa_details_give(participation=participation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("Your passport facts are saved, encrypted, for the visa letter.")
            )
            return redirect("dialogues:visa_details", public_id=public_id)
    if form.errors:
        form.without_nul_bytes()
    facts = visa_details_read(participation=participation, by=request.user)
    letters = list(participation.visa_letters.order_by("-issued_at"))
    for letter in letters:
        letter.human_reference = visa_letter_reference(letter)
    context = {
        "meeting": participation.meeting,
        "participation": participation,
        "form": form,
        "facts": facts,
        "passport_masked": masked(facts["passport_number"]) if facts else "",
        "born": date.fromisoformat(facts["date_of_birth"]) if facts else None,
        "details": visa_details_of(participation),
        "erased_on": visa_details_erased_on(participation.meeting),
        "refusal": visa_details_refusal(participation),
        "letters": letters,
        "downloadable": bool(facts),
    }
    return _private(
        render(request, "dialogues/visa_details.html", context, status=400 if form.errors else 200)
    )


@require_POST
def visa_details_remove(request, public_id):
    participation = _mine(request, public_id)
    try:
        visa_details_withdraw(participation=participation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your passport facts are erased."))
    return redirect("dialogues:visa_details", public_id=public_id)


# The conveners' page.


@require_GET
def visa_letters(request, public_id):
    """Who needs a letter, whether they gave their passport facts (never the facts), the
    letters issued and revoked, and what can be done about each, or why not."""
    meeting = _managed(request, public_id)
    now = timezone.now()
    rows = list(visa_requests_of(meeting))
    for participation in rows:
        participation.meeting = meeting
        participation.details = visa_details_of(participation)
        participation.letters = list(participation.visa_letters.all())
        for letter in participation.letters:
            letter.human_reference = visa_letter_reference(letter)
        live = live_visa_letters(participation)
        participation.live_letter = live[0] if live else None
        participation.refusal = visa_letter_refusal(participation, now=now)
    context = {
        "meeting": meeting,
        "rows": rows,
        "erased_on": visa_details_erased_on(meeting),
    }
    return _private(render(request, "dialogues/visa_letters.html", context))


@require_POST
def visa_letter_issue_view(request, public_id, participation_id):
    meeting = _managed(request, public_id)
    participation = get_object_or_404(meeting.participations, public_id=participation_id)
    return _letter_step(
        request,
        public_id,
        lambda: visa_letter_issue(participation=participation, by=request.user),
        _("Letter %(reference)s issued; the participant is told by email."),
    )


def _letter_step(request, public_id, act, done: str):
    """Issue or revoke (``act``), then back to the letters page with what happened; someone
    who may not is answered 404."""
    try:
        letter = act()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"reference": visa_letter_reference(letter)})
    return redirect("dialogues:visa_letters", public_id=public_id)


@require_http_methods(["GET", "POST"])
def visa_letter_revoke_view(request, public_id, reference):
    """GET asks first (revoking cannot be undone, and the participant is emailed); POST
    revokes."""
    meeting = _managed(request, public_id)
    letter = get_object_or_404(
        VisaLetter.objects.filter(participation__meeting=meeting), reference=reference
    )
    if request.method == "GET":
        response = confirmation(
            request,
            title=_("Revoke the visa support letter %(reference)s?")
            % {"reference": visa_letter_reference(letter)},
            explanation=_(
                "Its verification page will say it is revoked, an embassy will no longer accept "
                "it, and the participant is told by email. This cannot be undone: a new letter "
                "can be issued afterwards."
            ),
            confirm_label=_("Revoke the letter"),
            cancel_url=reverse("dialogues:visa_letters", args=[public_id]),
        )
        response["Cache-Control"] = "no-store, private"
        return response
    return _letter_step(
        request,
        public_id,
        lambda: visa_letter_revoke(letter=letter, by=request.user),
        _("Letter %(reference)s revoked: its verification page now says so."),
    )


@require_GET
def visa_letter_download(request, public_id, reference):
    """The letter's PDF, for the participant and the meeting's conveners, in the language asked
    for (``?language=``), else the reader's. A revoked letter, or one whose passport facts were
    erased, is not given out again: the page says which."""
    letter = get_object_or_404(
        VisaLetter.objects.select_related(
            "participation__meeting__working_group",
            "participation__organization",
            "issued_by",
        ),
        reference=reference,
        participation__meeting__public_id=public_id,
    )
    participation = letter.participation
    if not may_see_visa_details(request.user, participation):
        raise Http404
    facts = None
    if letter.revoked_at is None:
        facts = visa_details_read(participation=participation, by=request.user)
    if facts is None:
        context = {"meeting": participation.meeting, "letter": letter}
        return _private(
            render(request, "dialogues/visa_letter_unavailable.html", context, status=410)
        )
    human = visa_letter_reference(letter)
    security_log.info("visa_letter.downloaded letter=%s user=%s", human, request.user.pk)
    language = letter_language(request.GET.get("language"))
    response = HttpResponse(
        visa_letter_pdf(letter, facts, language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{human.lower()}-{language}.pdf"'
    return _private(response)


# The public verification page.


@login_not_required
@never_cache
@require_GET
def verify_visa_letter(request, reference):
    """Public: is this visa support letter genuine, and does it still stand? Only what an
    embassy needs to match it with the letter in hand: the meeting, its dates and place, the
    date of issue, the holder's initials and the reference; never the passport facts, the
    holder's name or organization, the venue or the join link. The reference (random, 122
    bits) is in the letter only, so whoever has it has the letter."""
    letter = visa_letter_by_reference(reference)
    context = {
        "letter": letter,
        "standing": visa_letter_standing(letter) if letter else "",
        "meeting": letter.participation.meeting if letter else None,
        "human_reference": visa_letter_reference(letter) if letter else "",
    }
    response = render(
        request, "dialogues/verify_visa_letter.html", context, status=200 if letter else 404
    )
    response["X-Robots-Tag"] = "noindex"
    return response
