from collections import defaultdict

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from organizations.models import User


def email_on_commit(template: str, context: dict, recipients: list[str]) -> None:
    """Send ``organizations/email/<template>_{subject,body}.txt`` once the transaction commits,
    so that nothing is announced for a change that rolls back.

    Each recipient who has an account gets the email in their own language; an address without
    one gets it in the language of the person whose action sent it.
    """
    recipients = sorted(set(recipients))
    if not recipients:
        return
    languages = dict(User.objects.filter(email__in=recipients).values_list("email", "language"))
    groups = defaultdict(list)
    for email in recipients:
        groups[languages.get(email) or translation.get_language() or "en"].append(email)
    messages = []
    for language, emails in groups.items():
        with translation.override(language):
            subject = render_to_string(
                f"organizations/email/{template}_subject.txt", context
            ).strip()
            body = render_to_string(f"organizations/email/{template}_body.txt", context)
        messages.append((subject, body, emails))

    def send():
        for subject, body, emails in messages:
            send_mail(subject, body, None, emails)

    transaction.on_commit(send)
