"""The dialogues of the demo: the three working groups of the source documents, a
Security Interventions meeting in London (held, with the four themes of its concept note, a
published report and action points, one reminded on the day of loading), the other groups'
meetings, an outreach event and the coming annual convening in UN General Assembly week, with
invitations in every state and a participant who needs a visa letter. Everything is
fictional, made through the services (so emails and histories are those real use leaves), on
dates relative to today. Run after the demo accounts and directory; adds nothing that is
already there."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from dialogues import services
from dialogues.models import (
    ActionPointStatus,
    AgendaItemKind,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    WorkingGroup,
)
from dialogues.reminders import ACTION_POINT_BEFORE
from gsx_portal.reminders import local_date
from organizations.models import Organization, Theme, User

S = MeetingStatus

GROUPS = [
    (
        "security-interventions",
        "Security Interventions",
        "How national and international security interventions aggravate or alleviate the "
        "grievances that feed violent extremism, and what works instead: community policing, "
        "trust, human rights and gender-sensitive practice.",
        ["community-policing", "rehabilitation-reintegration", "human-rights"],
    ),
    (
        "macroeconomic-policy",
        "Macroeconomic Policy",
        "Economic policy and extremism: how austerity, jobs, corruption and the distribution of "
        "public spending shape the pull of extremist movements.",
        ["economic-empowerment", "youth"],
    ),
    (
        "education-alternative-narratives",
        "Education and Alternative Narratives",
        "Schools, curricula, media and the stories communities tell: intolerance in education "
        "systems and the narratives that counter extremism.",
        ["education", "alternative-narratives", "gender"],
    ),
]

# The four issues of the first Security Interventions meeting's concept note.
LONDON_AGENDA = [
    (
        "Security for Independent Civil Society",
        "human-rights",
        "Shrinking civic space between extremist attacks and restrictive state policies: "
        "priority actions for states, multilaterals and non-state actors.",
    ),
    (
        "Promoting Effective Policing",
        "community-policing",
        "Experiences with local police: what has built trust in law enforcement, and which "
        "training programmes and policies fomented sympathy for radicalized groups.",
    ),
    (
        "Addressing Militias and Militarization",
        "rehabilitation-reintegration",
        "Outreach to militias, prevention, de-radicalization and rehabilitation with homegrown "
        "and foreign fighters: lessons from grassroots communities.",
    ),
    (
        "Effective International Interventions",
        "human-rights",
        "Strengths and weaknesses of international security and peace operations in addressing "
        "the root causes and consequences of extremism and militarism.",
    ),
]

LONDON_REPORT = """\
## Summary

Participants from civil society, police services, ministries and multilateral organizations
met for two days under the Chatham House rule to review the recommendations of the brief on
women's perspectives on security interventions.

## What we heard

- Trust between police and communities is built over years and lost in a day; community
  policing works where officers are local, speak the language and include women officers.
- Civic space is shrinking: counter-terrorism laws and funding rules are used against the
  very organizations that prevent violence.
- Rehabilitation needs families and communities, not only programmes.

## Next steps

The working group will publish a short guide on community policing and prevention, and review
progress at the annual convening.
"""


def _at(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def unga_week_tuesday(today: date) -> date:
    """The opening Tuesday of the UN General Assembly's high-level week: the Tuesday after the
    third Monday of September, this year's if it is still to come, else next year's."""
    for year in (today.year, today.year + 1):
        first = date(year, 9, 1)
        third_monday = first + timedelta(days=(0 - first.weekday()) % 7 + 14)
        tuesday = third_monday + timedelta(days=1)
        if tuesday > today:
            return tuesday
    raise AssertionError("unreachable")


def _accounts() -> dict[str, User]:
    demo = User.objects.filter(email__endswith="@demo.gsx.example")
    return {user.email.split("@")[0]: user for user in demo}


def _org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


@transaction.atomic
def load_demo_dialogues(*, now: datetime | None = None) -> int:
    """Create the demo's working groups and meetings; return how many meetings were added."""
    now = now or timezone.now()
    if WorkingGroup.objects.filter(slug="security-interventions").exists():
        return 0
    people = _accounts()
    convener, secretariat = people["convener"], people["reviewer"]
    sahel = _org("sahel-women-peace-circle")
    police = _org("lakeside-police-service")
    ministry = _org("ministry-community-safety")
    commission = _org("regional-peace-commission")
    groups = {}
    for slug, name, description, themes in GROUPS:
        groups[slug] = services.working_group_create(
            by=secretariat,
            name=name,
            slug=slug,
            description=description,
            themes=Theme.objects.filter(slug__in=themes),
            convening_organizations=[sahel] if slug == "security-interventions" else [],
            conveners=[convener],
            members=[people["cso.admin"], people["security"], people["government"]],
        )
    today = now.date()
    added = [
        _london(groups["security-interventions"], convener, people, sahel, police, ministry, now),
        _meeting(
            convener,
            groups["macroeconomic-policy"],
            title="Economic Policy and Extremism: working group meeting",
            day=today + timedelta(days=55),
            zone="America/New_York",
            city="Washington",
            country="US",
            format=MeetingFormat.HYBRID,
            join_url="https://meet.example.org/gsx-macro-demo",
            status=S.INVITATIONS_OPEN,
        ),
        _meeting(
            convener,
            groups["education-alternative-narratives"],
            title="Education and Extremism: working group meeting",
            day=today + timedelta(days=110),
            zone="Asia/Amman",
            city="Amman",
            country="JO",
            format=MeetingFormat.IN_PERSON,
            status=S.PLANNED,
        ),
        _meeting(
            convener,
            groups["security-interventions"],
            title="Community policing guide: drafting call",
            day=today + timedelta(days=20),
            zone="Europe/London",
            format=MeetingFormat.ONLINE,
            join_url="https://meet.example.org/gsx-security-demo",
            status=S.DRAFT,
        ),
    ]
    outreach = _meeting(
        convener,
        None,
        kind=MeetingKind.OUTREACH_EVENT,
        title="Women's perspectives on prevention: outreach event",
        day=today + timedelta(days=40),
        zone="America/New_York",
        city="New York",
        country="US",
        venue="Example Institute for Peace, conference hall",
        format=MeetingFormat.HYBRID,
        join_url="https://meet.example.org/gsx-outreach-demo",
        capacity=2,
        status=S.INVITATIONS_OPEN,
    )
    # Full at two: the third acceptance waits for a place.
    for user, organization in (
        (people["cso.admin"], sahel),
        (people["policymaker"], commission),
        (people["security"], police),
    ):
        _invite_and_answer(outreach, convener, user, organization, accept=True, now=now)
    convening = _meeting(
        convener,
        None,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX Annual High-Level Review and Convening",
        day=unga_week_tuesday(today),
        days=2,
        zone="America/New_York",
        city="New York",
        country="US",
        venue="Example Conference Centre, Midtown",
        format=MeetingFormat.IN_PERSON,
        capacity=300,
        status=S.INVITATIONS_OPEN,
    )
    amina = _invite_and_answer(
        convening, convener, people["cso.admin"], sahel, accept=True, needs_visa=True, now=now
    )
    services.visa_details_give(
        participation=amina,
        by=people["cso.admin"],
        full_name="AMINA DIALLO",
        nationality="Niger",
        passport_number="DEMO12345",
        date_of_birth=date(1984, 3, 8),
    )
    _invite_and_answer(convening, convener, people["cso.member"], sahel, accept=None, now=now)
    _invite_and_answer(convening, convener, people["government"], ministry, accept=False, now=now)
    services.participation_invite(
        meeting=convening, by=convener, email="guest.speaker@example.org", organization=commission
    )
    return len(added) + 2


def _meeting(by, group, *, title, day, zone, status, days=1, kind=None, **fields) -> Meeting:
    meeting = services.meeting_create(
        by=by,
        working_group=group,
        kind=kind or MeetingKind.WORKING_GROUP_MEETING,
        title=title,
        starts_at=_at(day, 9, 30, zone),
        ends_at=_at(day + timedelta(days=days - 1), 17, 30, zone),
        timezone=zone,
        languages=["en", "fr", "ar"],
        **fields,
    )
    steps = (S.PLANNED, S.INVITATIONS_OPEN, S.CONFIRMED)
    for step in steps[: steps.index(status) + 1] if status in steps else ():
        meeting, _warnings = services.meeting_transition(meeting=meeting, to=step, by=by)
    return meeting


def _invite_and_answer(meeting, by, user, organization, *, accept, now, needs_visa=False):
    participation, _raw = services.participation_invite(
        meeting=meeting, by=by, user=user, organization=organization, needs_visa=needs_visa
    )
    if accept is not None:
        participation = services.participation_respond(
            participation=participation, accept=accept, by=user, now=now
        )
    return participation


def _london(group, convener, people, sahel, police, ministry, now) -> Meeting:
    """The first meeting of Security Interventions, in London six weeks ago: held, its report
    published under the Chatham House rule, its action points due soon, overdue and done."""
    start_day = now.date() - timedelta(days=45)
    meeting = _meeting(
        convener,
        group,
        title="Security Interventions and Violent Extremism",
        day=start_day,
        days=2,
        zone="Europe/London",
        city="London",
        country="GB",
        venue="Example Institute for Defence Studies, Whitehall",
        format=MeetingFormat.IN_PERSON,
        chatham_house=True,
        status=S.INVITATIONS_OPEN,
    )
    before = meeting.starts_at - timedelta(days=30)
    answers = [
        (people["cso.admin"], sahel, True),
        (people["security"], police, True),
        (people["government"], ministry, True),
        (people["cso.member"], sahel, False),
    ]
    invited = {
        user.pk: _invite_and_answer(meeting, convener, user, org, accept=accept, now=before)
        for user, org, accept in answers
    }
    items = {}
    for hour, (title, theme, description) in enumerate(LONDON_AGENDA):
        starts = meeting.starts_at + timedelta(hours=hour * 2)
        items[title] = services.agenda_item_add(
            meeting=meeting,
            by=convener,
            title=title,
            kind=AgendaItemKind.SESSION if hour else AgendaItemKind.PLENARY,
            theme=Theme.objects.filter(slug=theme).first(),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=90),
            description=description,
        )
    meeting, _w = services.meeting_transition(meeting=meeting, to=S.CONFIRMED, by=convener)
    meeting, _w = services.meeting_transition(meeting=meeting, to=S.HELD, by=convener)
    for user in (people["cso.admin"], people["security"]):
        services.participation_record_attendance(
            participation=invited[user.pk], attended=True, by=convener
        )
    services.participation_record_attendance(
        participation=invited[people["government"].pk], attended=False, by=convener
    )
    services.action_point_add(
        meeting=meeting,
        by=convener,
        text="Draft a short guide on community policing and prevention from the session's cases.",
        responsible_organization=sahel,
        responsible_person=people["cso.admin"],
        # Due in two weeks to the day in London: the CSO admin's reminder on the day of loading.
        due_on=local_date(now, "Europe/London") + timedelta(days=ACTION_POINT_BEFORE),
        agenda_item=items["Promoting Effective Policing"],
    )
    services.action_point_add(
        meeting=meeting,
        by=convener,
        text="Share the police service's community-liaison training curriculum with the group.",
        responsible_organization=police,
        responsible_person=people["security"],
        due_on=now.date() - timedelta(days=10),
        agenda_item=items["Promoting Effective Policing"],
    )
    done = services.action_point_add(
        meeting=meeting,
        by=convener,
        text="Circulate the list of recommendations reviewed, with the sessions' notes.",
        due_on=now.date() - timedelta(days=30),
    )
    services.action_point_update(point=done, by=convener, status=ActionPointStatus.DONE)
    meeting = services.meeting_report_write(meeting=meeting, by=convener, report=LONDON_REPORT)
    meeting, _w = services.meeting_transition(meeting=meeting, to=S.REPORT_PUBLISHED, by=convener)
    return meeting
