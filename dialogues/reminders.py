"""The dialogues' reminders for the engine (``gsx_portal.reminders``, DESIGN.md §3).

Four kinds, their days counted in the meeting's venue (``Meeting.timezone``):

- ``dialogues.invitation_unanswered``: an invitation to an account still unanswered 7 days on.
- ``dialogues.visa_letter_due``: before the day visa letters must be out (``visa_deadline``),
  participants who need a visa and gave no passport facts (14 and 3 days before), and the
  conveners while requests wait for their letter (7 days before, one item per meeting).
- ``dialogues.convening_notice``: the annual convening's registration open (the day its
  invitations opened), visa deadline (that very day) and agenda published
  (``Meeting.agenda_published_at``).
- ``dialogues.action_point_due``: 14 days before an open action point is due, and the day
  after, to the person responsible.

``due`` runs one query per kind (two for the visa letters' two sides), ``still_due`` one per
kind among its items (two for the visa letters). Who may see a meeting is
``selectors.sees_meeting``, who still answers for their organization ``selectors.on_behalf_now``.
Sentences name the meeting's title and days only: never its venue, city or join link, nor
anyone's passport facts.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dialogues.models import (
    ActionPoint,
    ActionPointStatus,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Participation,
    ParticipationStatus,
    VisaDetails,
    VisaLetter,
    WorkingGroup,
)
from dialogues.selectors import on_behalf_now, sees_meeting
from gsx_portal.reminders import Due, Kind, Source, date_span, falls_due, local_date

INVITATION = "dialogues.invitation_unanswered"
VISA = "dialogues.visa_letter_due"
CONVENING = "dialogues.convening_notice"
ACTION_POINT = "dialogues.action_point_due"

UNANSWERED = timedelta(days=7)
FACTS_BEFORE = (14, 3)  # days before the visa deadline, to the participant
LETTERS_BEFORE = 7  # days before the visa deadline, to the conveners
ACTION_POINT_BEFORE = 14  # days before an action point is due

S, P = MeetingStatus, ParticipationStatus
OPEN_FOR_ANSWERS = (S.INVITATIONS_OPEN, S.CONFIRMED)
# Meetings still ahead: neither cancelled nor held (and, the queries add, not started).
AHEAD = (S.PLANNED, S.INVITATIONS_OPEN, S.CONFIRMED)
TRAVEL = (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID)
# Invitations whose person may still give passport facts and hope for a letter.
EXPECTED = (P.INVITED, P.ACCEPTED, P.WAITLISTED)


# --- Sentences ---------------------------------------------------------------------------------


def _day(iso: str) -> str:
    return formats.date_format(date.fromisoformat(iso), "DATE_FORMAT")


def _words(params: dict) -> dict:
    """The sentence's values in the active language: the title and the meeting's days."""
    days = _day(params["starts"])
    if params["ends"] != params["starts"]:
        days = _("%(start)s to %(end)s") % {"start": days, "end": _day(params["ends"])}
    words = {"title": params["title"], "days": days, "count": params.get("waiting", 0)}
    words.update({name: _day(params[name]) for name in ("deadline", "due_on") if name in params})
    return words


def _invitation_sentence(params: dict) -> str:
    return _("Your invitation to “%(title)s” (%(days)s) is waiting for an answer.") % _words(params)


def _visa_sentence(params: dict) -> str:
    if "waiting" in params:  # to the conveners
        return ngettext(
            "%(count)d visa letter request for “%(title)s” (%(days)s) is waiting for its "
            "letter; letters must go out by %(deadline)s.",
            "%(count)d visa letter requests for “%(title)s” (%(days)s) are waiting for their "
            "letters; letters must go out by %(deadline)s.",
            params["waiting"],
        ) % _words(params)
    return _(
        "Visa support letters for “%(title)s” (%(days)s) must go out by %(deadline)s: give "
        "your passport facts so that yours can be issued."
    ) % _words(params)


def _convening_sentence(params: dict) -> str:
    if params["notice"] == "registration-open":
        sentence = _("Registration for “%(title)s” (%(days)s) is open: answer your invitation.")
    elif params["notice"] == "visa-deadline":
        sentence = _(
            "Visa support letters for “%(title)s” (%(days)s) go out by %(deadline)s: see where "
            "your request stands."
        )
    else:
        sentence = _("The agenda of “%(title)s” (%(days)s) is published.")
    return sentence % _words(params)


def _action_point_sentence(params: dict) -> str:
    if params["overdue"]:
        sentence = _(
            "An action point of “%(title)s” (%(days)s) in your charge was due on %(due_on)s "
            "and is still open."
        )
    else:
        sentence = _(
            "An action point of “%(title)s” (%(days)s) in your charge is due on %(due_on)s."
        )
    return sentence % _words(params)


KINDS = (
    Kind(
        name=INVITATION,
        label=gettext_lazy("Meeting invitations waiting for your answer"),
        heading=gettext_lazy("Invitations to answer"),
        sentence=_invitation_sentence,
        names=("title",),
    ),
    Kind(
        name=VISA,
        label=gettext_lazy("Visa support letters coming due"),
        heading=gettext_lazy("Visa support letters"),
        sentence=_visa_sentence,
        names=("title",),
    ),
    Kind(
        name=CONVENING,
        label=gettext_lazy("News of the annual convening"),
        heading=gettext_lazy("The annual convening"),
        sentence=_convening_sentence,
        names=("title",),
    ),
    Kind(
        name=ACTION_POINT,
        label=gettext_lazy("Action points coming due"),
        heading=gettext_lazy("Action points"),
        sentence=_action_point_sentence,
        names=("title",),
    ),
)


# --- What the queries share ------------------------------------------------------------------

# The meeting's columns each row carries, under the same names whatever the query.
MEETING = {
    "key": "public_id",
    "title": "title",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "zone": "timezone",
    "weeks": "visa_lead_weeks",
    "status": "status",
    "format": "format",
}


def _meeting_columns(path: str = "meeting__") -> dict:
    return {f"m_{name}": F(f"{path}{column}") for name, column in MEETING.items()}


def _moments(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC moments whose day, in any time zone (±14 hours), may lie from ``first`` to
    ``last``: the bounds of a timestamp column whose day is counted in a venue's zone."""
    return (
        datetime.combine(first - timedelta(days=1), time.min, UTC),
        datetime.combine(last + timedelta(days=2), time.min, UTC),
    )


def _letters_day(path: str = "meeting__") -> ExpressionWrapper:
    """The start moved back by the visa lead time: its day in the venue is the visa deadline."""
    week = Value(timedelta(weeks=1), DurationField())
    return ExpressionWrapper(
        F(f"{path}starts_at") - F(f"{path}visa_lead_weeks") * week, output_field=DateTimeField()
    )


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


FACTS_GIVEN = Exists(VisaDetails.objects.filter(participation=OuterRef("pk")).exclude(sealed=""))
LIVE_LETTER = Exists(VisaLetter.objects.filter(participation=OuterRef("pk"), revoked_at=None))


def _waiting() -> Coalesce:
    """How many requests of the meeting a letter can be issued for now
    (``rules.visa_letter_refusal`` but for the meeting's own conditions): accepted, needing a
    visa, facts given, no letter in force, still on behalf of their organization."""
    ready = Participation.objects.filter(
        Q(FACTS_GIVEN) & ~Q(LIVE_LETTER) & on_behalf_now(),
        meeting=OuterRef("pk"),
        status=P.ACCEPTED,
        needs_visa=True,
    )
    count = ready.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _conveners(users=None) -> dict:
    """The meeting's conveners, as two arrays: its working group's, and the conveners' group
    (who convene a meeting without a group), of ``users`` only if given."""
    group = WorkingGroup.conveners.through.objects.filter(
        workinggroup_id=OuterRef("working_group_id")
    )
    named = Group.user_set.through.objects.filter(group__name="convener")
    if users is not None:
        named = named.filter(user_id__in=users)
    return {
        "group_conveners": ArraySubquery(group.order_by("user_id").values("user_id")),
        "conveners_group": ArraySubquery(named.order_by("user_id").values("user_id")),
    }


def _convening(row) -> list[int]:
    return row["group_conveners"] if row["working_group_id"] else row["conveners_group"]


def _zone(row) -> ZoneInfo:
    return ZoneInfo(row["m_zone"])


def _deadline(row) -> date:
    """``Meeting.visa_deadline``, from a row's columns."""
    return (row["m_starts_at"].astimezone(_zone(row)) - timedelta(weeks=row["m_weeks"])).date()


def _params(row, **more) -> dict:
    zone = _zone(row)
    return {
        "title": row["m_title"],
        "starts": local_date(row["m_starts_at"], zone).isoformat(),
        "ends": local_date(row["m_ends_at"], zone).isoformat(),
        **more,
    }


def _meeting_link(row) -> str:
    return reverse("dialogues:meeting", args=[row["m_key"]])


def _visa_link(row) -> str:
    return reverse("dialogues:visa_details", args=[row["m_key"]])


def _participations(*conditions, **filters):
    """Invitations of accounts with their meeting's columns and what the checks read."""
    return (
        Participation.objects.alias(letters_day=_letters_day())
        .filter(*conditions, user__isnull=False, **filters)
        .annotate(
            on_behalf=_flag(on_behalf_now()),
            sees=_flag(sees_meeting("user")),
            facts_given=FACTS_GIVEN,
            live_letter=LIVE_LETTER,
        )
        .values(
            "public_id", "user_id", "status", "needs_visa", "on_behalf", "sees", "facts_given",
            "live_letter", "invited_at", **_meeting_columns(),
            changed_at=F("meeting__status_changed_at"),
            published_at=F("meeting__agenda_published_at"),
        )
    )  # fmt: skip


# What each kind asks of a row, in ``due`` and again in ``still_due``.


def _answerable(row, now) -> bool:
    return (
        row["status"] == P.INVITED
        and row["m_status"] in OPEN_FOR_ANSWERS
        and now < row["m_ends_at"]
    )


def _letters_ahead(row, now) -> bool:
    return row["m_format"] in TRAVEL and row["m_status"] in AHEAD and now < row["m_starts_at"]


def _needs_letter(row, now) -> bool:
    return (
        row["needs_visa"]
        and row["status"] in EXPECTED
        and not row["live_letter"]
        and _letters_ahead(row, now)
    )


def _lacks_facts(row, now) -> bool:
    return _needs_letter(row, now) and not row["facts_given"]


def _coming(row, now) -> bool:
    return row["status"] == P.ACCEPTED and row["m_status"] in AHEAD and now < row["m_ends_at"]


def _theirs(row, user_id) -> bool:
    return row is not None and row["user_id"] == user_id and row["on_behalf"] and row["sees"]


NOTICES = {
    "registration-open": _answerable,
    "visa-deadline": _needs_letter,
    "agenda-published": _coming,
}


# --- Due ---------------------------------------------------------------------------------------


def due(since: datetime, now: datetime):
    first, last = date_span(since, now)
    for find in (_invitations, _facts, _letters, _convening_notices, _action_points):
        yield from find(first, last, since, now)


def _invitations(first, last, since, now):
    start, end = _moments(first - UNANSWERED, last - UNANSWERED)
    rows = _participations(
        status=P.INVITED,
        invited_at__gte=start,
        invited_at__lt=end,
        meeting__status__in=OPEN_FOR_ANSWERS,
        meeting__ends_at__gt=now,
    )
    for row in rows:
        zone = _zone(row)
        day = local_date(row["invited_at"], zone) + UNANSWERED
        if (
            _theirs(row, row["user_id"])
            and _answerable(row, now)
            and falls_due(day, zone, since, now)
        ):
            yield Due(
                user_id=row["user_id"],
                kind=INVITATION,
                object_key=f"participation:{row['public_id']}",
                occasion=f"unanswered-{UNANSWERED.days}",
                params=_params(row),
                link=_meeting_link(row),
            )


def _facts(first, last, since, now):
    start, end = _moments(
        first + timedelta(days=min(FACTS_BEFORE)), last + timedelta(days=max(FACTS_BEFORE))
    )
    rows = _participations(
        ~Q(FACTS_GIVEN),
        needs_visa=True,
        status__in=EXPECTED,
        letters_day__gte=start,
        letters_day__lt=end,
        meeting__format__in=TRAVEL,
        meeting__status__in=AHEAD,
        meeting__starts_at__gt=now,
    )
    for row in rows:
        if not (_theirs(row, row["user_id"]) and _lacks_facts(row, now)):
            continue
        deadline = _deadline(row)
        for before in FACTS_BEFORE:
            if falls_due(deadline - timedelta(days=before), _zone(row), since, now):
                yield Due(
                    user_id=row["user_id"],
                    kind=VISA,
                    object_key=f"participation:{row['public_id']}",
                    occasion=f"facts-{before}",
                    params=_params(row, deadline=deadline.isoformat()),
                    link=_visa_link(row),
                )


def _meetings_waiting(*, users=None, **filters):
    """Meetings still ahead, with requests waiting for a letter, and their conveners."""
    return (
        Meeting.objects.alias(letters_day=_letters_day(""))
        .filter(format__in=TRAVEL, status__in=AHEAD, **filters)
        .annotate(waiting=_waiting(), **_conveners(users))
        .filter(waiting__gt=0)
        .values("working_group_id", "waiting", "group_conveners", "conveners_group",
                **_meeting_columns(""))
    )  # fmt: skip


def _letters(first, last, since, now):
    before = timedelta(days=LETTERS_BEFORE)
    start, end = _moments(first + before, last + before)
    for row in _meetings_waiting(letters_day__gte=start, letters_day__lt=end, starts_at__gt=now):
        deadline = _deadline(row)
        if not falls_due(deadline - before, _zone(row), since, now):
            continue
        for user_id in _convening(row):
            yield Due(
                user_id=user_id,
                kind=VISA,
                object_key=f"meeting:{row['m_key']}",
                occasion=f"letters-{LETTERS_BEFORE}",
                params=_params(row, deadline=deadline.isoformat(), waiting=row["waiting"]),
                link=reverse("dialogues:visa_letters", args=[row["m_key"]]),
            )


def _convening_notices(first, last, since, now):
    start, end = _moments(first, last)
    rows = _participations(
        Q(meeting__status_changed_at__gte=start, meeting__status_changed_at__lt=end)
        | Q(letters_day__gte=start, letters_day__lt=end)
        | Q(meeting__agenda_published_at__gte=start, meeting__agenda_published_at__lt=end),
        meeting__kind=MeetingKind.ANNUAL_CONVENING,
        meeting__status__in=AHEAD,
        meeting__ends_at__gt=now,
    )
    for row in rows:
        zone = _zone(row)
        days = {
            # While its invitations are open, the meeting's last change of status opened them.
            "registration-open": row["m_status"] == S.INVITATIONS_OPEN
            and row["changed_at"] is not None
            and local_date(row["changed_at"], zone),
            "visa-deadline": row["m_format"] in TRAVEL and _deadline(row),
            "agenda-published": row["published_at"] and local_date(row["published_at"], zone),
        }
        for notice, day in days.items():
            if not (day and falls_due(day, zone, since, now)):
                continue
            if not (_theirs(row, row["user_id"]) and NOTICES[notice](row, now)):
                continue
            visa = notice == "visa-deadline"
            yield Due(
                user_id=row["user_id"],
                kind=CONVENING,
                object_key=f"meeting:{row['m_key']}",
                occasion=notice,
                params=_params(
                    row, notice=notice, **({"deadline": day.isoformat()} if visa else {})
                ),
                link=_visa_link(row) if visa else _meeting_link(row),
            )


def _action_points(first, last, since, now):
    ahead, after = timedelta(days=ACTION_POINT_BEFORE), timedelta(days=1)
    rows = (
        ActionPoint.objects.filter(status=ActionPointStatus.OPEN, responsible_person__isnull=False)
        .filter(
            Q(due_on__gte=first + ahead, due_on__lte=last + ahead)
            | Q(due_on__gte=first - after, due_on__lte=last - after)
        )
        .filter(sees_meeting("responsible_person"))
        .values("public_id", "responsible_person_id", "due_on", **_meeting_columns())
    )
    for row in rows:
        due_on = row["due_on"]
        for occasion, day in ((f"due-{ahead.days}", due_on - ahead), ("overdue", due_on + after)):
            if falls_due(day, _zone(row), since, now):
                yield Due(
                    user_id=row["responsible_person_id"],
                    kind=ACTION_POINT,
                    object_key=f"actionpoint:{row['public_id']}",
                    occasion=occasion,
                    params=_params(row, due_on=due_on.isoformat(), overdue=occasion == "overdue"),
                    link=_meeting_link(row),
                )


# --- Still due ---------------------------------------------------------------------------------


def still_due(items) -> set[int]:
    """The ids of ``items`` that still hold now: the recipient still invited, responsible or
    convening, still on behalf of their organization and able to see the meeting; the
    invitation still unanswered, the facts still missing, the action point still open and due
    on the same day; the meeting neither cancelled nor over."""
    now = timezone.now()
    by_kind = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    checks = {
        INVITATION: _invitations_hold,
        VISA: _visa_hold,
        CONVENING: _convening_hold,
        ACTION_POINT: _action_points_hold,
    }
    held = set()
    for kind, kind_items in by_kind.items():
        if kind in checks:
            held |= checks[kind](kind_items, now)
    return held


def _key(item, prefix: str) -> UUID | None:
    head, _sep, tail = item.object_key.partition(":")
    try:
        return UUID(tail) if head == prefix else None
    except ValueError:
        return None


def _participants_hold(items, now, check) -> set[int]:
    """Items about an invitation (``participation:<id>``) whose row passes ``check``."""
    keys = {item.id: _key(item, "participation") for item in items}
    rows = {row["public_id"]: row for row in _participations(public_id__in=list(keys.values()))}
    return {
        item.id
        for item in items
        if _theirs(row := rows.get(keys[item.id]), item.user_id) and check(row, now)
    }


def _invitations_hold(items, now) -> set[int]:
    return _participants_hold(items, now, _answerable)


def _visa_hold(items, now) -> set[int]:
    participants = [item for item in items if item.object_key.startswith("participation:")]
    conveners = [item for item in items if item.object_key.startswith("meeting:")]
    held = _participants_hold(participants, now, _lacks_facts) if participants else set()
    if conveners:
        # The person still convenes the meeting, and requests still wait for their letter.
        keys = {item.id: _key(item, "meeting") for item in conveners}
        rows = _meetings_waiting(
            users={item.user_id for item in conveners},
            public_id__in=list(keys.values()),
            starts_at__gt=now,
        )
        convening = {row["m_key"]: set(_convening(row)) for row in rows}
        held |= {i.id for i in conveners if i.user_id in convening.get(keys[i.id], ())}
    return held


def _convening_hold(items, now) -> set[int]:
    keys = {item.id: _key(item, "meeting") for item in items}
    rows = _participations(
        meeting__public_id__in=list(keys.values()),
        meeting__kind=MeetingKind.ANNUAL_CONVENING,
        user_id__in={item.user_id for item in items},
    )
    mine = {(row["m_key"], row["user_id"]): row for row in rows}
    return {
        item.id
        for item in items
        if item.occasion in NOTICES
        and _theirs(row := mine.get((keys[item.id], item.user_id)), item.user_id)
        and NOTICES[item.occasion](row, now)
    }


def _action_points_hold(items, now) -> set[int]:
    """Still open, the recipient still responsible and able to see its meeting, and due on the
    day the reminder said (a point moved to another day is not the one they were told of)."""
    keys = {item.id: _key(item, "actionpoint") for item in items}
    rows = {
        row["public_id"]: row
        for row in ActionPoint.objects.filter(
            public_id__in=list(keys.values()), status=ActionPointStatus.OPEN
        )
        .annotate(sees=_flag(sees_meeting("responsible_person")))
        .values("public_id", "responsible_person_id", "due_on", "sees")
    }
    return {
        item.id
        for item in items
        if (row := rows.get(keys[item.id]))
        and row["responsible_person_id"] == item.user_id
        and row["sees"]
        and row["due_on"].isoformat() == item.params.get("due_on")
    }


SOURCE = Source(name="dialogues", kinds=KINDS, due=due, still_due=still_due)
