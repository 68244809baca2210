"""The letter of recognition an approved organization can download, with a verification link."""

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import formats
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from organizations.models import VettingApplication


def verification_url(application: VettingApplication) -> str:
    return settings.SITE_URL + reverse(
        "organizations:verify_letter", args=[application.verification_code]
    )


def recognition_letter_pdf(application: VettingApplication) -> bytes:
    """A one-page PDF: who is recognised, since when and until when, and how to verify it."""
    url = verification_url(application)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Letter of recognition: {application.organization.name}")
    _width, height = A4
    left, y = 25 * mm, height - 35 * mm
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(left, y, "Global Solutions Exchange")
    pdf.setFont("Helvetica", 12)
    pdf.drawString(left, y - 8 * mm, "Letter of recognition")
    lines = [
        "The secretariat of the Global Solutions Exchange confirms that",
        "",
        application.organization.name,
        "",
        "has been vetted against the criteria of the Better Peace Tool (core values,",
        "competencies and nature of constituency) and recognised as a civil society partner.",
        "",
        f"Approved on: {formats.date_format(application.decided_at, 'DATE_FORMAT')}",
        f"Valid until: {formats.date_format(application.valid_until, 'DATE_FORMAT')}",
        "",
        "Anyone can check that this letter is genuine and still valid at:",
        url,
    ]
    text = pdf.beginText(left, y - 30 * mm)
    text.setFont("Helvetica", 11)
    text.setLeading(16)
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.drawImage(ImageReader(qr), left, 40 * mm, width=40 * mm, height=40 * mm)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(left, 32 * mm, f"Verification code: {application.verification_code}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
