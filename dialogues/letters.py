"""The visa support letter: a one-page PDF an embassy reads, made with the recognition letter's
machinery (fonts with Arabic, right-to-left layout, QR code, the letter's language)."""

import io
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from dialogues.models import VisaLetter
from dialogues.services import visa_letter_reference
from organizations.letters import (
    LetterWriter,
    draw_foot_line,
    draw_qr,
    letter_fonts,
    letter_language,
)
from organizations.models import VisibilityTier


def visa_verification_url(letter: VisaLetter) -> str:
    return settings.SITE_URL + reverse("dialogues:verify_visa_letter", args=[letter.reference])


def _day(moment, zone) -> date:
    return moment.astimezone(zone).date()


def _dates(meeting) -> str:
    """The meeting's days in the venue's time zone, in the active language."""
    first, last = _day(meeting.starts_at, meeting.zone), _day(meeting.ends_at, meeting.zone)
    if first == last:
        return _("Date: %(date)s") % {"date": formats.date_format(first, "DATE_FORMAT")}
    return _("Dates: from %(start)s to %(end)s") % {
        "start": formats.date_format(first, "DATE_FORMAT"),
        "end": formats.date_format(last, "DATE_FORMAT"),
    }


def _place(meeting) -> str:
    return ", ".join(part for part in (meeting.city, str(meeting.country.name or "")) if part)


def visa_letter_lines(letter: VisaLetter, facts: dict) -> list[tuple[str, str]]:
    """The letter's body in the active language, as (style, text) pairs: ``title`` for the
    meeting's title, ``strong`` for headings and the signatory, ``text`` otherwise."""
    participation = letter.participation
    meeting = participation.meeting
    # An embassy, and whoever handles the letter, never read a restricted organization's name.
    hosts = ", ".join(
        organization.name
        for organization in meeting.host_organizations.exclude(
            visibility_tier=VisibilityTier.RESTRICTED
        )
    )
    born = date.fromisoformat(facts["date_of_birth"])
    signatory = letter.issued_by.name if letter.issued_by and letter.issued_by.name else ""
    lines = [
        ("text", _("To whom it may concern,")),
        ("text", ""),
        (
            "text",
            _(
                "The Global Solutions Exchange, a network that brings civil society together "
                "with governments and multilateral organizations to prevent violent extremism, "
                "invites the person named below to take part in:"
            ),
        ),
        ("title", meeting.title),
        ("text", _dates(meeting)),
    ]
    if _place(meeting):
        lines.append(("text", _("Place: %(place)s") % {"place": _place(meeting)}))
    if hosts:
        lines.append(("text", _("Hosted by: %(hosts)s") % {"hosts": hosts}))
    if meeting.working_group_id:
        lines.append(
            ("text", _("Working group: %(group)s") % {"group": meeting.working_group.name})
        )
    lines += [
        ("text", ""),
        ("strong", _("Participant")),
        ("text", _("Full name (as in the passport): %(name)s") % {"name": facts["full_name"]}),
        ("text", _("Nationality: %(nationality)s") % {"nationality": facts["nationality"]}),
        ("text", _("Passport number: %(number)s") % {"number": facts["passport_number"]}),
        ("text", _("Date of birth: %(date)s") % {"date": formats.date_format(born, "DATE_FORMAT")}),
        *(
            []
            # A restricted (at-risk) organization is named on no letter: embassies and whoever
            # handles the letter on the way never read it.
            if participation.organization.visibility_tier == VisibilityTier.RESTRICTED
            else [
                (
                    "text",
                    _("Taking part on behalf of: %(organization)s")
                    % {"organization": participation.organization.name},
                )
            ]
        ),
        ("text", ""),
        (
            "text",
            _(
                "The participant's place at the meeting is confirmed. We would be grateful if a "
                "visa could be granted for the duration of the meeting."
            ),
        ),
        ("text", ""),
        ("strong", signatory),
        ("text", _("for the conveners of the meeting, Global Solutions Exchange")),
        ("text", ""),
        ("text", _("Anyone can check that this letter is genuine, and not revoked, at:")),
        ("text", visa_verification_url(letter)),
    ]
    return lines


def visa_letter_pdf(letter: VisaLetter, facts: dict, language: str = "en") -> bytes:
    """A one-page PDF in ``language`` (one of the portal's, else the reader's): the meeting, its
    dates in the venue's time zone and place, its hosts, the participant's passport facts, the
    organization they come for, the issuing convener, the letter's reference and date, and the
    verification link with its QR code. ``facts`` are the passport facts as
    ``visa_details_read`` gives them.

    Its metadata (title, subject) name the meeting and the reference, never the person."""
    language = letter_language(language)
    meeting = letter.participation.meeting
    reference = visa_letter_reference(letter)
    regular, bold = letter_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang=language)
    with translation.override(language):
        pdf.setTitle(_("Visa support letter %(reference)s") % {"reference": reference})
        pdf.setAuthor(_("Global Solutions Exchange"))
        pdf.setSubject(_("Invitation to %(meeting)s") % {"meeting": meeting.title})
        pdf.setCreator("GSX Portal")
        writer = LetterWriter(pdf, rtl=translation.get_language_bidi(), top=A4[1] - 25 * mm)
        writer.write(_("Global Solutions Exchange"), font=bold, size=18)
        writer.write(_("Visa support letter"), font=regular, size=12)
        writer.write(
            _("Reference: %(reference)s") % {"reference": reference}, font=regular, size=10
        )
        writer.write(
            _("Date of issue: %(date)s")
            % {"date": formats.date_format(_day(letter.issued_at, meeting.zone), "DATE_FORMAT")},
            font=regular,
            size=10,
        )
        writer.write("", font=regular, size=10)
        for style, text in visa_letter_lines(letter, facts):
            if style == "title":
                writer.write(text, font=bold, size=13, leading=18)
            else:
                writer.write(text, font=bold if style == "strong" else regular, size=10)
        draw_qr(pdf, visa_verification_url(letter))
        draw_foot_line(
            pdf,
            _("Reference: %(reference)s") % {"reference": reference},
            font=regular,
            rtl=writer.rtl,
        )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
