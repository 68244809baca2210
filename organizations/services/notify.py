from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def email_on_commit(template: str, context: dict, recipients: list[str]) -> None:
    """Send ``organizations/email/<template>_{subject,body}.txt`` once the transaction commits,
    so that nothing is announced for a change that rolls back."""
    recipients = sorted(set(recipients))
    if not recipients:
        return
    subject = render_to_string(f"organizations/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"organizations/email/{template}_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
