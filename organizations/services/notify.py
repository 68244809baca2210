from django.template.loader import render_to_string
from django.utils import translation

from gsx_portal.outbox import Message, outbox_add
from organizations.models import User
from organizations.notifications import notify_accounts


def email_on_commit(
    template: str, context: dict, recipients: list[str], *, app: str = "organizations"
) -> None:
    """Email ``<app>/email/<template>_{subject,body}.txt`` through the outbox.

    One message per recipient (no one sees who else was told), written in the caller's
    transaction so that nothing is announced for a change that rolls back, and sent by a worker
    after commit, with retries; a mail server or broker that is down never fails the change.

    Each recipient who has an account gets the email in their own language; an address without
    one gets it in the language of the person whose action sent it.

    Each recipient with an account also finds the event in their notification list (in the same
    transaction; ``organizations.notifications`` says what each of this app's templates leaves
    there). Other apps (``app``) send their own templates the same way.
    """
    recipients = sorted(set(recipients))
    if not recipients:
        return
    languages = dict(User.objects.filter(email__in=recipients).values_list("email", "language"))
    fallback = translation.get_language() or "en"
    rendered: dict[str, tuple[str, str]] = {}
    messages = []
    for email in recipients:
        language = languages.get(email) or fallback
        if language not in rendered:
            with translation.override(language):
                subject = render_to_string(f"{app}/email/{template}_subject.txt", context)
                body = render_to_string(f"{app}/email/{template}_body.txt", context)
            rendered[language] = (subject.strip(), body)
        subject, body = rendered[language]
        messages.append(Message(to=email, subject=subject, body=body))
    outbox_add(template=f"{app}.{template}", messages=messages)
    if app == "organizations":
        notify_accounts(template, context, recipients)
