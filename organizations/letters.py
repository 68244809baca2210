"""The letter of recognition an approved organization can download, with a verification link."""

import hashlib
import io
import logging
from functools import cache
from pathlib import Path

import arabic_reshaper
import segno
from bidi import get_display
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from organizations.models import Sector, VettingApplication

logger = logging.getLogger(__name__)


@cache
def letter_fonts() -> tuple[str, str]:
    """A TrueType font with Arabic and Latin glyphs when one is installed (LETTER_FONT, or
    DejaVu Sans from the system), else PDF's built-in Helvetica, which has Latin glyphs only."""
    candidates = [getattr(settings, "LETTER_FONT", ""), *LETTER_FONT_CANDIDATES]
    for path in filter(None, candidates):
        regular = Path(path)
        bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
        if regular.is_file():
            pdfmetrics.registerFont(TTFont("Letter", str(regular)))
            pdfmetrics.registerFont(TTFont("Letter-Bold", str(bold if bold.is_file() else regular)))
            return "Letter", "Letter-Bold"
    logger.warning("No TrueType font for letters; names outside Latin script will not render.")
    return "Helvetica", "Helvetica-Bold"


LETTER_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
]


def visual_text(text: str) -> str:
    """Arabic letters joined and right-to-left runs put in display order, for the PDF."""
    return get_display(arabic_reshaper.reshape(text))


def verification_url(application: VettingApplication) -> str:
    return settings.SITE_URL + reverse(
        "organizations:verify_letter", args=[application.verification_code]
    )


LETTER_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
# Unambiguous capitals and digits (no 0/O, 1/I) for the reference's random-looking part.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def letter_language(requested: str | None) -> str:
    """The language asked for when it is one of the portal's, else the reader's own."""
    if requested in LETTER_LANGUAGES:
        return requested
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in LETTER_LANGUAGES else settings.LANGUAGE_CODE


def letter_reference(application: VettingApplication) -> str:
    """``GSX-<year of approval>-<6 characters>``, the same every time the letter is downloaded:
    derived from the application's public id (not from the verification code, which it must not
    reveal), so that a letter can be cited and matched on the verification page."""
    year = (application.decided_at or application.created_at or timezone.now()).year
    return short_reference(str(application.public_id), year)


def short_reference(seed: str, year: int, *, prefix: str = "GSX") -> str:
    """``<prefix>-<year>-<6 characters>``, the characters derived from ``seed`` (a public id)
    by a one-way hash: stable, easy to read aloud, and revealing nothing of the seed."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8])
    part = ""
    for _n in range(6):
        digest, index = divmod(digest, len(REFERENCE_ALPHABET))
        part += REFERENCE_ALPHABET[index]
    return f"{prefix}-{year}-{part}"


def recognition_letter_lines(application: VettingApplication, language: str = "en") -> list[str]:
    """The letter's body in ``language``: the identity recognised at approval, never the live
    profile, so a renamed organization cannot present the recognition under its new name.

    The third line is the recognised name (drawn larger and bold)."""
    with translation.override(language):
        sector = (
            str(Sector(application.recognised_sector).label)
            if application.recognised_sector
            else ""
        )
        return [
            _("The secretariat of the Global Solutions Exchange confirms that"),
            "",
            application.recognised_name,
            _("Sector: %(sector)s") % {"sector": sector} if sector else "",
            "",
            _(
                "has been vetted against the criteria of the Better Peace Tool (core values and "
                "commitments, competencies and nature of constituency) and is recognised as a "
                "civil society partner."
            ),
            "",
            _("Approved on: %(date)s")
            % {"date": formats.date_format(application.decided_at, "DATE_FORMAT")},
            _("Valid until: %(date)s")
            % {"date": formats.date_format(application.valid_until, "DATE_FORMAT")},
            "",
            _("Anyone can check that this letter is genuine and still valid at:"),
            verification_url(application),
        ]


NAME_LINE = 2
PAGE_MARGIN = 25 * mm


class LetterWriter:
    """Lines written down the page, wrapped to its width, right-aligned for a right-to-left
    language; Arabic shaped and put in display order line by line, after wrapping."""

    def __init__(self, pdf: canvas.Canvas, *, rtl: bool, top: float):
        self.pdf, self.rtl, self.y = pdf, rtl, top
        self.width = A4[0] - 2 * PAGE_MARGIN

    def write(self, text: str, *, font: str, size: float, leading: float | None = None):
        leading = leading or size * 1.45
        if not text:
            self.y -= leading
            return
        self.pdf.setFont(font, size)
        for line in simpleSplit(text, font, size, self.width) or [""]:
            shown = visual_text(line)
            if self.rtl:
                self.pdf.drawRightString(A4[0] - PAGE_MARGIN, self.y, shown)
            else:
                self.pdf.drawString(PAGE_MARGIN, self.y, shown)
            self.y -= leading


def draw_qr(pdf: canvas.Canvas, url: str) -> None:
    """The verification link as a QR code, at the foot of the page on the left."""
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.drawImage(ImageReader(qr), PAGE_MARGIN, 40 * mm, width=40 * mm, height=40 * mm)


def draw_foot_line(pdf: canvas.Canvas, text: str, *, font: str, rtl: bool) -> None:
    """One small line under the QR code, on the side the letter's language starts from."""
    pdf.setFont(font, 8)
    line = visual_text(text)
    if rtl:
        pdf.drawRightString(A4[0] - PAGE_MARGIN, 32 * mm, line)
    else:
        pdf.drawString(PAGE_MARGIN, 32 * mm, line)


def recognition_letter_pdf(application: VettingApplication, language: str = "en") -> bytes:
    """A one-page PDF in ``language``: who is recognised, since when and until when, who signs,
    and how to verify it; with the document's title, author, subject and language set.

    ReportLab writes no structure tree, so the PDF is not tagged; its text is real text (not an
    image), in reading order, and can be selected, searched and read aloud."""
    language = letter_language(language)
    url = verification_url(application)
    reference = letter_reference(application)
    regular, bold = letter_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang=language)
    with translation.override(language):
        pdf.setTitle(_("Letter of recognition: %(name)s") % {"name": application.recognised_name})
        pdf.setAuthor(
            _("%(name)s, %(title)s")
            % {"name": settings.LETTER_SIGNATORY_NAME, "title": settings.LETTER_SIGNATORY_TITLE}
        )
        pdf.setSubject(
            _("Recognition of a vetted civil society organization, reference %(reference)s")
            % {"reference": reference}
        )
        pdf.setCreator("GSX Portal")
        writer = LetterWriter(pdf, rtl=translation.get_language_bidi(), top=A4[1] - 35 * mm)
        writer.write(_("Global Solutions Exchange"), font=bold, size=18)
        writer.write(_("Letter of recognition"), font=regular, size=12)
        writer.write(
            _("Reference: %(reference)s") % {"reference": reference}, font=regular, size=10
        )
        writer.write("", font=regular, size=11)
        for number, line in enumerate(recognition_letter_lines(application, language)):
            if number == NAME_LINE:
                # The recognised name stands out: larger, bold, with room around it.
                writer.write(line, font=bold, size=16, leading=24)
            else:
                writer.write(line, font=regular, size=11)
        writer.write("", font=regular, size=11)
        writer.write(settings.LETTER_SIGNATORY_NAME, font=bold, size=11)
        writer.write(settings.LETTER_SIGNATORY_TITLE, font=regular, size=11)
        draw_qr(pdf, url)
        draw_foot_line(
            pdf,
            _("Verification code: %(code)s") % {"code": application.verification_code},
            font=regular,
            rtl=writer.rtl,
        )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
