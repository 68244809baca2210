"""The letter of recognition an approved organization can download, with a verification link."""

import io
import logging
from functools import cache
from pathlib import Path

import arabic_reshaper
import segno
from bidi import get_display
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from organizations.models import Sector, VettingApplication

logger = logging.getLogger(__name__)


@cache
def _fonts() -> tuple[str, str]:
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


def _visual(text: str) -> str:
    """Arabic letters joined and right-to-left runs put in display order, for the PDF."""
    return get_display(arabic_reshaper.reshape(text))


def verification_url(application: VettingApplication) -> str:
    return settings.SITE_URL + reverse(
        "organizations:verify_letter", args=[application.verification_code]
    )


def recognition_letter_lines(application: VettingApplication) -> list[str]:
    """The letter's text: the identity recognised at approval, never the live profile, so a
    renamed organization cannot present the recognition under its new name."""
    sector = ""
    if application.recognised_sector:
        with translation.override("en"):  # the letter is in English throughout
            sector = str(Sector(application.recognised_sector).label)
    return [
        "The secretariat of the Global Solutions Exchange confirms that",
        "",
        _visual(application.recognised_name),
        f"Sector: {sector}" if sector else "",
        "",
        "has been vetted against the criteria of the Better Peace Tool (core values,",
        "competencies and nature of constituency) and recognised as a civil society partner.",
        "",
        f"Approved on: {formats.date_format(application.decided_at, 'DATE_FORMAT')}",
        f"Valid until: {formats.date_format(application.valid_until, 'DATE_FORMAT')}",
        "",
        "Anyone can check that this letter is genuine and still valid at:",
        verification_url(application),
    ]


def recognition_letter_pdf(application: VettingApplication) -> bytes:
    """A one-page PDF: who is recognised, since when and until when, and how to verify it."""
    url = verification_url(application)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Letter of recognition: {application.recognised_name}")
    _width, height = A4
    left, y = 25 * mm, height - 35 * mm
    regular, bold = _fonts()
    pdf.setFont(bold, 18)
    pdf.drawString(left, y, "Global Solutions Exchange")
    pdf.setFont(regular, 12)
    pdf.drawString(left, y - 8 * mm, "Letter of recognition")
    lines = recognition_letter_lines(application)
    text = pdf.beginText(left, y - 30 * mm)
    text.setFont(regular, 11)
    text.setLeading(16)
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.drawImage(ImageReader(qr), left, 40 * mm, width=40 * mm, height=40 * mm)
    pdf.setFont(regular, 8)
    pdf.drawString(left, 32 * mm, f"Verification code: {application.verification_code}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
