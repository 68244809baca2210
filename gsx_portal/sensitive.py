"""The model fields no reminder email may carry: contact details, locations, join links and
passport facts (DESIGN.md §3). One list, read by the test that renders every kind of reminder
with each of these fields set to a marker value and asserts that no marker reaches an email.

Entries are ``"app_label.Model.field"``; a passport fact, kept sealed in ``VisaDetails``, is named
by its key in the sealed record (``"dialogues.VisaDetails.sealed:passport_number"``).
"""

SENSITIVE_FIELDS: tuple[str, ...] = (
    # An organization's contact people.
    "organizations.Contact.name",
    "organizations.Contact.email",
    "organizations.Contact.phone",
    "organizations.Contact.secure_channel",
    # Why a security actor asks to be introduced to a civil society organization: for the CSO's
    # admins on the request's page, never in a reminder.
    "organizations.IntroductionRequest.purpose",
    # Where a meeting takes place, and how to join it online.
    "dialogues.Meeting.venue",
    "dialogues.Meeting.city",
    "dialogues.Meeting.join_url",
    # Addresses of people invited without an account.
    "dialogues.Participation.email",
    "organizations.Invitation.email",
    # Passport facts given for a visa letter.
    "dialogues.VisaDetails.sealed:full_name",
    "dialogues.VisaDetails.sealed:nationality",
    "dialogues.VisaDetails.sealed:passport_number",
    "dialogues.VisaDetails.sealed:date_of_birth",
)
