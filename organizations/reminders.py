"""The organizations app's reminders (DESIGN.md §3), a source of the reminder engine.

Three kinds, every day counted in UTC:

- ``organizations.vetting_expiring``: an approval expires in 60 and in 14 days; to the
  organization's admins, until a later approval replaces it.
- ``organizations.application_waiting``: a submitted application has waited 7 days for a
  reviewer, and again every 7 days while it waits; to whoever may review it.
- ``organizations.introduction_waiting``: an introduction request waits for the CSO's answer,
  3 days after it was made and 3 days before it expires; to the CSO's admins.

``due`` and ``still_due`` ask the same querysets (``_approvals_in_force``,
``_applications_waiting``, ``_introductions_answerable``), so that what is claimed and what is
sent obey one rule. Each kind is one query, whatever the number of rows: recipients come as
arrays of user ids (``_admins``, ``_reviewers``), the SQL twins of the rules the pages ask
(``rules.is_admin_of``, ``services.vetting.may_review``). Parameters carry names and dates only:
never a contact, a purpose or the requester's person.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gsx_portal.reminders import Due, Kind, Source, date_span, falls_due, local_date
from organizations.models import (
    IntroductionBlock,
    IntroductionRequest,
    IntroductionStatus,
    Membership,
    MembershipRole,
    User,
    VettingApplication,
    VettingStatus,
)
from organizations.rules import NETWORK
from organizations.selectors import requester_organizations_of

VETTING_EXPIRING = "organizations.vetting_expiring"
APPLICATION_WAITING = "organizations.application_waiting"
INTRODUCTION_WAITING = "organizations.introduction_waiting"

ZONE = ZoneInfo("UTC")  # the zone every day of these reminders is counted in
EXPIRY_OFFSETS = (60, 14)  # days before an approval expires
WAITING_EVERY = 7  # days an application waits for a reviewer, between reminders
INTRODUCTION_DAYS = 3  # days after a request was made, and before it expires


# --- Who, now -----------------------------------------------------------------------------


def _admins(organization):
    """The ids of the active admins of the organization ``organization`` refers to (an
    ``OuterRef``): ``rules.is_admin_of`` for every admin at once."""
    return ArraySubquery(
        Membership.objects.filter(
            organization=organization, role=MembershipRole.ADMIN, user__is_active=True
        )
        .order_by("user_id")
        .values("user_id")
    )


def _reviewers():
    """The ids of the people who may review the application of the outer query: in the
    secretariat (``rules.is_vetting_reviewer``) and not members of the applicant
    (``services.vetting.may_review``)."""
    member = Membership.objects.filter(
        user=OuterRef("pk"), organization=OuterRef(OuterRef("organization_id"))
    )
    return ArraySubquery(
        User.objects.filter(
            Exists(Group.objects.filter(name="secretariat", user=OuterRef("pk"))),
            ~Exists(member),
            is_active=True,
        )
        .order_by("pk")
        .values("pk")
    )


def _admins_beyond_network():
    """The admins of the outer request's CSO who see its requesting organization even when it
    is not in the tiers every signed-in user sees: its own members and the secretariat
    (``selectors.organizations_visible_to``)."""
    sees = Q(user__is_staff=True) | Q(
        Exists(Group.objects.filter(name="secretariat", user=OuterRef("user_id")))
    )
    sees |= Q(
        Exists(
            Membership.objects.filter(
                user=OuterRef("user_id"),
                organization=OuterRef(OuterRef("requester_organization_id")),
            )
        )
    )
    return ArraySubquery(
        Membership.objects.filter(
            sees,
            organization=OuterRef("organization_id"),
            role=MembershipRole.ADMIN,
            user__is_active=True,
        )
        .order_by("user_id")
        .values("user_id")
    )


# --- What, now ------------------------------------------------------------------------------


def _approvals_in_force(now):
    """Approvals valid beyond ``now`` that no later approval of the organization outlasts (a
    renewal replaces the approval it renews)."""
    later = VettingApplication.objects.filter(
        organization=OuterRef("organization_id"),
        status=VettingStatus.APPROVED,
        valid_until__gt=OuterRef("valid_until"),
    )
    return VettingApplication.objects.filter(
        ~Exists(later), status=VettingStatus.APPROVED, valid_until__gt=now
    )


def _applications_waiting():
    """Submitted applications no reviewer has taken up yet (the first assessment moves one to
    "in review"; a request for changes or a decision ends the wait)."""
    return VettingApplication.objects.filter(
        status=VettingStatus.SUBMITTED, submitted_at__isnull=False
    )


def _introductions_answerable(now):
    """Pending requests the CSO could still accept now (``introduction_set_state``): not
    expired, the requester still able to ask for the organization they asked for
    (``selectors.requester_organizations_of``: a member of it, verified for its sector, not
    held), and neither the person nor that organization blocked by the CSO."""
    may_ask = requester_organizations_of(OuterRef("requester_id")).filter(
        pk=OuterRef("requester_organization_id")
    )
    blocked = IntroductionBlock.objects.filter(
        Q(blocked_user=OuterRef("requester_id"))
        | Q(blocked_organization=OuterRef("requester_organization_id")),
        organization=OuterRef("organization_id"),
    )
    return IntroductionRequest.objects.filter(
        Exists(may_ask),
        ~Exists(blocked),
        status=IntroductionStatus.PENDING,
        expires_at__gt=now,
    )


# --- Days -----------------------------------------------------------------------------------


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _between(field: str, first: date, last: date, shift: int) -> Q:
    """``field``'s UTC date, shifted by ``shift`` days, falls from ``first`` to ``last``."""
    return Q(
        **{
            f"{field}__gte": _utc_start(first - timedelta(days=shift)),
            f"{field}__lt": _utc_start(last - timedelta(days=shift - 1)),
        }
    )


def _days(since: datetime, now: datetime) -> Iterator[date]:
    day, last = local_date(since, ZONE), local_date(now, ZONE)
    while day <= last:
        yield day
        day += timedelta(days=1)


def _key_ids(items) -> dict[str, uuid.UUID]:
    """The public ids ending each item's object key, by key (a malformed key is left out)."""
    ids = {}
    for item in items:
        try:
            ids[item.object_key] = uuid.UUID(item.object_key.rsplit(":", 1)[-1])
        except ValueError:
            continue
    return ids


# --- organizations.vetting_expiring ---------------------------------------------------------


def _approval_key(row) -> str:
    return f"organization:{row['organization__public_id']}:approval:{row['public_id']}"


def _vetting_expiring_due(since: datetime, now: datetime) -> Iterator[Due]:
    first, last = date_span(since, now)
    window = Q()
    for offset in EXPIRY_OFFSETS:
        window |= _between("valid_until", first, last, -offset)
    rows = (
        _approvals_in_force(now)
        .filter(window)
        .annotate(admins=_admins(OuterRef("organization_id")))
        .values(
            "public_id",
            "valid_until",
            "organization__public_id",
            "organization__name",
            "organization__slug",
            "admins",
        )
    )
    for row in rows:
        expiry = _utc_day(row["valid_until"])
        link = reverse("organizations:vetting", args=[row["organization__slug"]])
        params = {
            "organization": row["organization__name"],
            "expires_at": row["valid_until"].isoformat(),
        }
        for offset in EXPIRY_OFFSETS:
            if falls_due(expiry - timedelta(days=offset), ZONE, since, now):
                for user_id in row["admins"]:
                    yield Due(
                        user_id=user_id,
                        kind=VETTING_EXPIRING,
                        object_key=_approval_key(row),
                        occasion=f"expires-{offset}",
                        params=params,
                        link=link,
                    )


def _vetting_expiring_still_due(items, now) -> set[int]:
    keys = _key_ids(items)
    admins = dict(
        _approvals_in_force(now)
        .filter(public_id__in=set(keys.values()))
        .annotate(admins=_admins(OuterRef("organization_id")))
        .values_list("public_id", "admins")
    )
    # An admin is a member, and members see their organization whatever its tier (DESIGN.md
    # §4): an erased organization took its approvals with it.
    return {item.pk for item in items if item.user_id in admins.get(keys.get(item.object_key), ())}


def _vetting_expiring_sentence(p: dict) -> str:
    expires = datetime.fromisoformat(p["expires_at"])
    days = (timezone.localdate(expires) - timezone.localdate()).days
    values = {"organization": p["organization"], "date": _date(expires), "days": days}
    if days < 1:
        return _("The vetting of «%(organization)s» expires on %(date)s.") % values
    return (
        ngettext(
            "The vetting of «%(organization)s» expires on %(date)s (in %(days)d day): apply "
            "again to stay vetted.",
            "The vetting of «%(organization)s» expires on %(date)s (in %(days)d days): apply "
            "again to stay vetted.",
            days,
        )
        % values
    )


# --- organizations.application_waiting ------------------------------------------------------


def _application_waiting_due(since: datetime, now: datetime) -> Iterator[Due]:
    _first, last = date_span(since, now)
    rows = (
        _applications_waiting()
        .filter(submitted_at__lt=_utc_start(last - timedelta(days=WAITING_EVERY - 1)))
        .annotate(reviewers=_reviewers())
        .values(
            "public_id", "submitted_at", "organization__name", "organization__slug", "reviewers"
        )
    )
    days = list(_days(since, now))
    for row in rows:
        submitted = _utc_day(row["submitted_at"])
        link = reverse("organizations:vetting", args=[row["organization__slug"]])
        params = {
            "organization": row["organization__name"],
            "submitted_at": row["submitted_at"].isoformat(),
        }
        for day in days:
            if _is_waiting_day(day, submitted):
                for user_id in row["reviewers"]:
                    yield Due(
                        user_id=user_id,
                        kind=APPLICATION_WAITING,
                        object_key=f"vetting-application:{row['public_id']}",
                        occasion=day.isoformat(),
                        params=params,
                        link=link,
                    )


def _is_waiting_day(day: date, submitted: date) -> bool:
    waited = (day - submitted).days
    return waited >= WAITING_EVERY and waited % WAITING_EVERY == 0


def _application_waiting_still_due(items, now) -> set[int]:
    keys = _key_ids(items)
    rows = {
        row["public_id"]: row
        for row in _applications_waiting()
        .filter(public_id__in=set(keys.values()))
        .annotate(reviewers=_reviewers())
        .values("public_id", "submitted_at", "reviewers")
    }
    kept = set()
    for item in items:
        row = rows.get(keys.get(item.object_key))
        # A resubmission starts the wait again: a day counted from the earlier one is not due.
        if row and item.user_id in row["reviewers"] and _occasion_of(row, item.occasion):
            kept.add(item.pk)
    return kept


def _occasion_of(row, occasion: str) -> bool:
    try:
        day = date.fromisoformat(occasion)
    except ValueError:
        return False
    return _is_waiting_day(day, _utc_day(row["submitted_at"]))


def _application_waiting_sentence(p: dict) -> str:
    submitted = datetime.fromisoformat(p["submitted_at"])
    days = (timezone.localdate() - timezone.localdate(submitted)).days
    return ngettext(
        "The vetting application of «%(organization)s» has waited %(days)d day for a "
        "reviewer (submitted on %(date)s).",
        "The vetting application of «%(organization)s» has waited %(days)d days for a "
        "reviewer (submitted on %(date)s).",
        days,
    ) % {"organization": p["organization"], "days": days, "date": _date(submitted)}


# --- organizations.introduction_waiting -----------------------------------------------------


def _introductions_with_admins(queryset):
    return queryset.annotate(
        admins=_admins(OuterRef("organization_id")), beyond_network=_admins_beyond_network()
    ).values(
        "public_id",
        "created_at",
        "expires_at",
        "organization__name",
        "organization__slug",
        "requester_organization__name",
        "requester_organization__visibility_tier",
        "admins",
        "beyond_network",
    )


def _sees_requester(row, user_id: int) -> bool:
    return (
        row["requester_organization__visibility_tier"] in NETWORK
        or user_id in row["beyond_network"]
    )


def _introduction_waiting_due(since: datetime, now: datetime) -> Iterator[Due]:
    first, last = date_span(since, now)
    window = _between("created_at", first, last, INTRODUCTION_DAYS) | _between(
        "expires_at", first, last, -INTRODUCTION_DAYS
    )
    for row in _introductions_with_admins(_introductions_answerable(now).filter(window)):
        link = reverse(
            "organizations:introduction_received",
            args=[row["organization__slug"], row["public_id"]],
        )
        days = (
            ("waiting", _utc_day(row["created_at"]) + timedelta(days=INTRODUCTION_DAYS)),
            ("expires", _utc_day(row["expires_at"]) - timedelta(days=INTRODUCTION_DAYS)),
        )
        for step, day in days:
            if not falls_due(day, ZONE, since, now):
                continue
            for user_id in row["admins"]:
                params = {
                    "step": step,
                    "organization": row["organization__name"],
                    # Named only to an admin who may see it now (else "an organization").
                    "requester_organization": row["requester_organization__name"]
                    if _sees_requester(row, user_id)
                    else None,
                    "asked_at": row["created_at"].isoformat(),
                    "expires_at": row["expires_at"].isoformat(),
                }
                yield Due(
                    user_id=user_id,
                    kind=INTRODUCTION_WAITING,
                    object_key=f"introduction:{row['public_id']}",
                    occasion=f"{step}-{INTRODUCTION_DAYS}",
                    params=params,
                    link=link,
                )


def _introduction_waiting_still_due(items, now) -> set[int]:
    keys = _key_ids(items)
    rows = {
        row["public_id"]: row
        for row in _introductions_with_admins(
            _introductions_answerable(now).filter(public_id__in=set(keys.values()))
        )
    }
    kept = set()
    for item in items:
        row = rows.get(keys.get(item.object_key))
        if row is None or item.user_id not in row["admins"]:
            continue
        # A name claimed while the requester was visible is not sent once it is hidden.
        if item.params.get("requester_organization") and not _sees_requester(row, item.user_id):
            continue
        kept.add(item.pk)
    return kept


def _introduction_waiting_sentence(p: dict) -> str:
    values = {
        "organization": p["organization"],
        "requester_organization": p.get("requester_organization"),
        "date": _date(datetime.fromisoformat(p["asked_at"])),
    }
    named = bool(values["requester_organization"])
    if p.get("step") == "waiting":
        if named:
            return (
                _(
                    "«%(requester_organization)s» asked «%(organization)s» for an "
                    "introduction on %(date)s and waits for your answer."
                )
                % values
            )
        return (
            _(
                "An organization asked «%(organization)s» for an introduction on %(date)s and "
                "waits for your answer."
            )
            % values
        )
    expires = datetime.fromisoformat(p["expires_at"])
    values["date"] = _date(expires)
    values["days"] = days = (timezone.localdate(expires) - timezone.localdate()).days
    if named:
        text = ngettext(
            "The introduction request of «%(requester_organization)s» to «%(organization)s» "
            "expires on %(date)s (in %(days)d day) unless you answer it.",
            "The introduction request of «%(requester_organization)s» to «%(organization)s» "
            "expires on %(date)s (in %(days)d days) unless you answer it.",
            days,
        )
    else:
        text = ngettext(
            "An introduction request to «%(organization)s» expires on %(date)s (in %(days)d "
            "day) unless you answer it.",
            "An introduction request to «%(organization)s» expires on %(date)s (in %(days)d "
            "days) unless you answer it.",
            days,
        )
    return text % values


# --- The source -----------------------------------------------------------------------------


def _date(moment: datetime) -> str:
    """The date of ``moment`` in the active time zone and language (the recipient's, when the
    digest is rendered)."""
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def due(since: datetime, now: datetime) -> Iterator[Due]:
    yield from _vetting_expiring_due(since, now)
    yield from _application_waiting_due(since, now)
    yield from _introduction_waiting_due(since, now)


_STILL_DUE = {
    VETTING_EXPIRING: _vetting_expiring_still_due,
    APPLICATION_WAITING: _application_waiting_still_due,
    INTRODUCTION_WAITING: _introduction_waiting_still_due,
}


def still_due(items) -> set[int]:
    """The ids of ``items`` that still hold now: one query per kind present."""
    now = timezone.now()
    by_kind: dict[str, list] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    kept: set[int] = set()
    for kind, check in _STILL_DUE.items():
        if by_kind.get(kind):
            kept |= check(by_kind[kind], now)
    return kept


SOURCE = Source(
    name="organizations",
    kinds=(
        Kind(
            name=VETTING_EXPIRING,
            label=gettext_lazy("Vetting about to expire"),
            heading=gettext_lazy("Vetting to renew"),
            sentence=_vetting_expiring_sentence,
            names=("organization",),
        ),
        Kind(
            name=APPLICATION_WAITING,
            label=gettext_lazy("Vetting applications waiting for a reviewer"),
            heading=gettext_lazy("Applications waiting for a reviewer"),
            sentence=_application_waiting_sentence,
            names=("organization",),
        ),
        Kind(
            name=INTRODUCTION_WAITING,
            label=gettext_lazy("Introduction requests waiting for an answer"),
            heading=gettext_lazy("Introduction requests to answer"),
            sentence=_introduction_waiting_sentence,
            names=("organization", "requester_organization"),
        ),
    ),
    due=due,
    still_due=still_due,
)
