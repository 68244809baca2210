"""What each email of the organizations app leaves in the recipient's notification list.

``notify.email_on_commit`` calls ``notify_accounts`` with the email's template and context. For
each template, a ``Kind`` says which context values the sentence needs (no more than the email's
subject told: never a purpose, a message, an address or a one-time link), where the notification
leads, and how the sentence reads. The sentence is rendered at read time in the reader's
language; a status is stored as its code for that reason, never as a translated label.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from gsx_portal.notifications import notification_add, register_kind
from organizations.models import IntroductionStatus, User, VettingStatus

PREFIX = "organizations."


def _local(url: str) -> str:
    """The site-relative part of a URL the email carried ("" when it points elsewhere)."""
    url = str(url or "")
    if url.startswith(settings.SITE_URL + "/"):
        return url[len(settings.SITE_URL) :]
    return url if url.startswith("/") and not url.startswith("//") else ""


def _status_code(value, choices) -> str:
    """The code of a status the email context may carry as a label already translated in the
    sender's language (``get_status_display()``): matched under that same language, which is
    still active when the email is written."""
    value = str(value or "")
    if value in choices.values:
        return value
    labels = {str(label): code for code, label in choices.choices}
    return labels.get(value, "")


@dataclass(frozen=True)
class Kind:
    keys: tuple[str, ...]
    render: Callable[[dict], str]
    link: Callable[[dict], str] = lambda context: _local(context.get("url"))
    codes: dict | None = None  # context key -> choices whose code is stored instead of a label
    audience: Callable[[], Q] | None = None  # who may still read it (gsx_portal.notifications)

    def params(self, context: dict) -> dict:
        params = {key: str(context.get(key, "")) for key in self.keys}
        for key, choices in (self.codes or {}).items():
            params[key] = _status_code(context.get(key), choices)
        return params


def _secretariat_now() -> Q:
    """The recipient is in the secretariat (or staff) at the time of reading: a reviewer who
    has left it no longer reads which organizations, restricted ones included, applied."""
    in_group = Group.objects.filter(name="secretariat", user=OuterRef("user_id"))
    return Q(user__is_staff=True) | Q(Exists(in_group))


def _introduction_decided(p: dict) -> str:
    if p["status"] == IntroductionStatus.ACCEPTED:
        return _("«%(organization)s» accepted your introduction request.") % p
    if p["status"] == IntroductionStatus.WITHDRAWN:
        return _("«%(organization)s» withdrew its consent.") % p
    return _("«%(organization)s» declined your introduction request.") % p


def _vetting_decided(p: dict) -> str:
    if p["status"] == VettingStatus.APPROVED:
        return _("The vetting application of «%(organization)s» was approved.") % p
    if p["status"] == VettingStatus.DECLINED:
        return _("The vetting application of «%(organization)s» was declined.") % p
    if p["status"] == VettingStatus.CHANGES_REQUESTED:
        return _("Changes were requested to the vetting application of «%(organization)s».") % p
    label = VettingStatus(p["status"]).label if p["status"] in VettingStatus.values else ""
    return _("The vetting application of «%(organization)s» is now: %(status)s.") % {
        "organization": p["organization"],
        "status": label,
    }


KINDS: dict[str, Kind] = {
    "endorsement_requested": Kind(
        ("organization", "endorser"),
        lambda p: _("«%(organization)s» asks «%(endorser)s» for an endorsement.") % p,
    ),
    "identity_changed": Kind(
        ("new_name",),
        lambda p: _("The secretariat changed the recognised name or sector of «%(new_name)s».") % p,
    ),
    "introduction_decided": Kind(
        ("organization", "status"), _introduction_decided, codes={"status": IntroductionStatus}
    ),
    "introduction_lapsed": Kind(
        ("requester_organization",),
        lambda p: _("Your consent to «%(requester_organization)s» has lapsed.") % p,
    ),
    "introduction_requested": Kind(
        ("organization", "requester_organization"),
        lambda p: (
            _("«%(requester_organization)s» asks «%(organization)s» for an introduction.") % p
        ),
    ),
    # The email's link carries the invitation's secret: the notification leads to the home page,
    # which lists invitations addressed to the user's verified address.
    "invitation": Kind(
        ("organization",),
        lambda p: _("You are invited to join «%(organization)s».") % p,
        link=lambda context: reverse("home"),
    ),
    "requester_revoked": Kind(
        ("organization",),
        lambda p: _("The verification of «%(organization)s» was revoked.") % p,
    ),
    "requester_verified": Kind(
        ("organization",),
        lambda p: _("«%(organization)s» is verified by the secretariat.") % p,
    ),
    "vetting_decided": Kind(
        ("organization", "status"), _vetting_decided, codes={"status": VettingStatus}
    ),
    "vetting_submitted": Kind(
        ("organization",),
        lambda p: _("«%(organization)s» submitted a vetting application.") % p,
        audience=_secretariat_now,
    ),
}


def register_kinds() -> None:
    for template, kind in KINDS.items():
        names = tuple(key for key in kind.keys if key not in (kind.codes or {}))
        register_kind(PREFIX + template, kind.render, names=names, audience=kind.audience)


def notify_accounts(template: str, context: dict, recipients: list[str]) -> None:
    """Leave a notification for each recipient who has an active account whose address is
    verified (an unverified account could belong to someone else than the address's owner)."""
    kind = KINDS.get(template)
    if kind is None or not recipients:
        return
    users = User.objects.filter(
        email__in=recipients,
        is_active=True,
        emailaddress__email__iexact=F("email"),
        emailaddress__verified=True,
    ).distinct()
    notification_add(
        users=users, kind=PREFIX + template, params=kind.params(context), link=kind.link(context)
    )
