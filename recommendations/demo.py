"""The recommendations of the demo: the Fall 2017 community-policing brief and the #GSX2017
outcome overview (summarised in recommendations/demo_texts.py), and the report of the demo's
London meeting with points still in draft; the organizations they address and their responses
in every state; implementation updates from both sides that sometimes disagree, one of them
hidden by the secretariat; last year's review cycle, closed with its snapshot, and this year's,
open, feeding the coming September convening; follows of demo users.

Everything is fictional and made through the services (one door), on dates relative to today.
Run after the demo accounts, directory and dialogues; adds nothing that is already there."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dialogues import services as meetings
from dialogues.demo import unga_week_tuesday
from dialogues.models import (
    ActionPoint,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    WorkingGroup,
)
from organizations.models import Organization, Theme, User
from recommendations import services
from recommendations.demo_texts import (
    ALL,
    CSO,
    CURRENT_UPDATES,
    DON,
    GOV,
    GSX_2017,
    GSX_2017_POINTS,
    HIDDEN,
    HIDDEN_REASON,
    LONDON,
    LONDON_POINTS,
    MUL,
    PAST_UPDATES,
    PVE_CP,
    PVE_CP_POINTS,
    REPEATS,
    SEC,
)
from recommendations.models import (
    DEFAULT_REMINDER_OFFSETS,
    AddresseeResponse,
    CycleState,
    Recommendation,
    ResponseStatus,
    SourceDocument,
)
from recommendations.services.cycles import MAX_REMINDER_OFFSET

R = ResponseStatus
CONVENING_ZONE = "America/New_York"
# Organizations addressed, per addressee type, in turn (demo slugs or directory names).
POOLS = {
    GOV: [
        "ministry-community-safety",
        "Ministry of Civic Harmony (demo)",
        "Office for Youth and Communities (demo)",
    ],
    SEC: [
        "lakeside-police-service",
        "Metropolitan Community Police (demo)",
        "National Gendarmerie Training School (demo)",
    ],
    MUL: ["regional-peace-commission", "Continental Peace Secretariat (demo)"],
    DON: ["Open Hands Foundation (demo)", "Common Ground Fund (demo)"],
    CSO: ["sahel-women-peace-circle", "Mothers for Peaceful Neighbourhoods"],
}
# The points followed through the cycles address these, whatever the turn gives.
ADDRESSED = {
    "PVE-CP-2017/PRG-8": ["lakeside-police-service"],
    "PVE-CP-2017/PRG-9": ["lakeside-police-service"],
    "PVE-CP-2017/PRG-5": ["ministry-community-safety", "Open Hands Foundation (demo)"],
    "PVE-CP-2017/POL-1d": ["ministry-community-safety"],
    "PVE-CP-2017/FIN-5a": ["regional-peace-commission"],
    "PVE-CP-2017/PRG-7": ["lakeside-police-service", "Metropolitan Community Police (demo)"],
    "GSX-2017/REC-05b": ["ministry-community-safety", "Ministry of Civic Harmony (demo)"],
    "GSX-2017/REC-12": ["Department of Prevention Programmes (demo)"],
    "GSX-2017/REC-14b": ["regional-peace-commission", "Continental Peace Secretariat (demo)"],
}
# Responses that fit the updates below; the others take the turn of RESPONSE_TURN.
RESPONSES = {
    ("GSX-2017/REC-05b", "ministry-community-safety"): R.NOT_SUPPORTED,
    ("GSX-2017/REC-14b", "regional-peace-commission"): R.NOTED,
}
RESPONSE_TURN = [R.SUPPORTED, R.NOTED, R.PENDING, R.SUPPORTED, R.NOT_SUPPORTED, R.PENDING, R.NOTED]
COMMENTS = {
    R.SUPPORTED: "We support this and have named a focal point to take it forward this year.",
    R.NOTED: "Noted. We will weigh it in the review of our strategy next year.",
    R.NOT_SUPPORTED: "We do not support it as written: it falls outside our current mandate.",
}
DRAFTS = {"SI-LDN/REC-2", "SI-LDN/REC-3", "GSX-2017/REC-14c"}
SCOPES = [
    ([], []),
    (["NE", "ML", "BF"], ["sub_saharan_africa"]),
    ([], ["middle_east_north_africa"]),
    (["KE", "SO"], ["sub_saharan_africa"]),
    ([], []),
    (["PH", "ID"], ["east_asia_pacific"]),
]
EVIDENCE = "https://example.org/demo/evidence/"
PAST_CONVENING_REPORT = """\
## Summary

The annual convening reviewed how far last year's recommendations have been implemented, as
reported by the organizations they address and as assessed by civil society.

## Next steps

The secretariat opens the next review cycle in the autumn.
"""


def _org(key: str) -> Organization:
    return Organization.objects.get(Q(slug=key) | Q(name=key))


def _member(organization: Organization) -> User:
    """A person who may act for the organization (a demo account, or its administrator)."""
    return organization.memberships.order_by("pk").select_related("user").first().user


def _account(name: str) -> User:
    return User.objects.get(email=f"{name}@demo.gsx.example")


def _points(source_text, points):
    for key, section, title, text, themes, types in points:
        yield f"{source_text['code']}/{key}", key, section, title, text, themes, types


def _addressees(reference: str, types: list[str], turn: int) -> list[Organization]:
    if reference in ADDRESSED:
        return [_org(key) for key in ADDRESSED[reference]]
    keys = [POOLS[kind][turn % len(POOLS[kind])] for kind in types if kind != ALL]
    return [_org(key) for key in keys[:3]]


def _source(reviewer, text, **extra) -> SourceDocument:
    """A demo source; ``extra`` adds or overrides fields (the London report's meeting, date)."""
    group = WorkingGroup.objects.get(slug=text["group"]) if text["group"] else None
    names = ("title", "kind", "other_publishers", "url", "published_on")
    fields = {name: text[name] for name in names if name in text}
    return services.source_document_create(by=reviewer, working_group=group, **(fields | extra))


def _recommendations(reviewer, source, text, points, turn, *, action_points=()) -> int:
    """Create ``points`` of ``source`` (sub-points after their parent); return the turn."""
    created: dict[str, Recommendation] = {}
    for position, (reference, key, section, title, body, themes, types) in enumerate(
        _points(text, points), start=1
    ):
        countries, regions = SCOPES[turn % len(SCOPES)]
        parent = created.get(key[:-1]) if key[-1].islower() else None
        created[key] = services.recommendation_create(
            by=reviewer,
            source=source,
            reference=reference,
            section=section,
            parent=parent,
            position=position,
            title=title,
            text=body,
            themes=Theme.objects.filter(slug__in=themes.split()),
            addressee_types=types,
            addressed_organizations=_addressees(reference, types, turn),
            countries=countries,
            regions=regions,
            published=reference not in DRAFTS,
            action_points=action_points if position == 1 else (),
            meeting=source.meeting,
            repeats=Recommendation.objects.filter(
                reference__in=[earlier for later, earlier in REPEATS if later == reference]
            ),
        )
        turn += 1
    return turn


def _responses(reviewer, today: date) -> None:
    """Responses in every state: from a member of the addressed organization, or (one in
    five) recorded by the secretariat from a letter; drafts' responses stay pending."""
    rows = AddresseeResponse.objects.filter(recommendation__published=True).select_related(
        "organization", "recommendation"
    )
    for turn, response in enumerate(rows.order_by("recommendation__reference", "pk")):
        organization = response.organization
        status = RESPONSES.get(
            (response.recommendation.reference, organization.slug),
            RESPONSE_TURN[turn % len(RESPONSE_TURN)],
        )
        if status == R.PENDING:
            continue
        by_letter = turn % 5 == 4
        comment = COMMENTS[status] + (" (Sent by letter.)" if by_letter else "")
        services.response_record(
            response=response,
            by=reviewer if by_letter else _member(organization),
            status=status,
            comment=comment,
            responded_on=today - timedelta(days=20 + turn),
        )


def _update(row, day: date):
    reference, perspective, reporter, about, status, _days, summary, evidence = row
    organization = _org(reporter)
    return services.implementation_update_add(
        by=_member(organization),
        recommendation=Recommendation.objects.get(reference=reference),
        perspective=perspective,
        reporting_organization=organization,
        addressee=_org(about) if about else None,
        status=status,
        summary=summary,
        evidence_links=[f"{EVIDENCE}{name}" for name in evidence],
        reported_on=day,
    )


def _at(day: date, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _past_convening(convener, today: date) -> Meeting:
    """Last September's annual convening, held, its report published."""
    day = unga_week_tuesday(today - timedelta(days=365))
    meeting = meetings.meeting_create(
        by=convener,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX Annual High-Level Review and Convening",
        starts_at=_at(day, 9, CONVENING_ZONE),
        ends_at=_at(day + timedelta(days=1), 17, CONVENING_ZONE),
        timezone=CONVENING_ZONE,
        languages=["en", "fr", "ar"],
        city="New York",
        country="US",
        venue="Example Conference Centre, Midtown",
        format=MeetingFormat.IN_PERSON,
        capacity=300,
    )
    for step in (
        MeetingStatus.PLANNED,
        MeetingStatus.INVITATIONS_OPEN,
        MeetingStatus.CONFIRMED,
        MeetingStatus.HELD,
    ):
        meeting, _warnings = meetings.meeting_transition(meeting=meeting, to=step, by=convener)
    meeting = meetings.meeting_report_write(
        meeting=meeting, by=convener, report=PAST_CONVENING_REPORT
    )
    meeting, _warnings = meetings.meeting_transition(
        meeting=meeting, to=MeetingStatus.REPORT_PUBLISHED, by=convener
    )
    return meeting


def _offsets_with_today(closes_on: date, today: date) -> list[int]:
    """The default reminders, and one today (in the convening's time zone), so that the
    addressees' and vetted CSOs' admins (the demo CSO admin among them) find a request for
    updates in their first digest."""
    offsets = set(DEFAULT_REMINDER_OFFSETS)
    if 1 <= (closes_on - today).days <= MAX_REMINDER_OFFSET:
        offsets.add((closes_on - today).days)
    return sorted(offsets, reverse=True)


def _cycles(reviewer, convener, now: datetime) -> None:
    """Last year's cycle: opened, its updates recorded, closed (the snapshot); then this
    year's, for the coming convening, opened with its first updates."""
    today = now.date()
    past_convening = _past_convening(convener, today)
    past = services.review_cycle_create(
        by=reviewer,
        name=f"GSX {past_convening.starts_at.year}",
        convening=past_convening,
        opens_on=past_convening.starts_at.date() - timedelta(weeks=26),
    )
    past = services.review_cycle_transition(cycle=past, to=CycleState.OPEN, by=reviewer, now=now)
    for row in PAST_UPDATES:
        _update(row, past.opens_on + timedelta(days=row[5]))
    # The snapshot takes the updates recorded by the moment it closes: the clock's, since
    # they were recorded just now.
    services.review_cycle_transition(cycle=past, to=CycleState.CLOSED, by=reviewer)
    coming = Meeting.objects.filter(kind=MeetingKind.ANNUAL_CONVENING, starts_at__gt=now).earliest(
        "starts_at"
    )
    closes_on = coming.starts_at.astimezone(coming.zone).date() - timedelta(weeks=4)
    current = services.review_cycle_create(
        by=reviewer,
        name=f"GSX {coming.starts_at.year}",
        convening=coming,
        opens_on=min(today - timedelta(days=30), closes_on - timedelta(days=7)),
        reminder_offsets=_offsets_with_today(closes_on, now.astimezone(coming.zone).date()),
    )
    services.review_cycle_transition(cycle=current, to=CycleState.OPEN, by=reviewer, now=now)
    _follows()
    for row in CURRENT_UPDATES:
        _update(row, today - timedelta(days=row[5]))
    hidden = _update(HIDDEN, today - timedelta(days=HIDDEN[5]))
    services.implementation_update_hide(update=hidden, by=reviewer, reason=HIDDEN_REASON)


def _follows() -> None:
    published = Recommendation.objects.filter(published=True)
    services.follow(
        by=_account("cso.admin"), recommendation=published.get(reference="PVE-CP-2017/PRG-8")
    )
    services.follow(
        by=_account("cso.member"), recommendation=published.get(reference="GSX-2017/REC-05b")
    )
    services.follow(by=_account("government"), theme=Theme.objects.get(slug="community-policing"))
    services.follow(
        by=_account("policymaker"),
        working_group=WorkingGroup.objects.get(slug="security-interventions"),
    )


@transaction.atomic
def load_demo_recommendations(*, now: datetime | None = None) -> int:
    """Create the demo's sources, recommendations, responses, updates, cycles and follows;
    return how many recommendations were added (0 when they are there already)."""
    now = now or timezone.now()
    if SourceDocument.objects.filter(title=PVE_CP["title"]).exists():
        return 0
    reviewer, convener = _account("reviewer"), _account("convener")
    before = Recommendation.objects.count()
    turn = _recommendations(reviewer, _source(reviewer, PVE_CP), PVE_CP, PVE_CP_POINTS, 0)
    turn = _recommendations(reviewer, _source(reviewer, GSX_2017), GSX_2017, GSX_2017_POINTS, turn)
    london = Meeting.objects.get(
        working_group__slug="security-interventions", status=MeetingStatus.REPORT_PUBLISHED
    )
    london_source = _source(
        reviewer,
        LONDON,
        meeting=london,
        published_on=london.ends_at.date() + timedelta(days=10),
    )
    guide = ActionPoint.objects.filter(meeting=london, text__startswith="Draft a short guide")
    _recommendations(
        reviewer, london_source, LONDON, LONDON_POINTS, turn, action_points=list(guide)
    )
    _responses(reviewer, now.date())
    _cycles(reviewer, convener, now)
    return Recommendation.objects.count() - before
