"""The dialogues part of the benchmark dataset (bench/data.py): working groups, meetings spread
over ten years in venues' time zones, their agendas and invitations.

Called by ``bench.data.generate`` inside its transaction and pghistory context, with the
organizations, users and memberships it wrote; like them, every row is a function of the seed.
Meetings' statuses agree with their dates (a past meeting was held, its report published, or it
was cancelled; a coming one is a draft, planned, open for invitations or confirmed), and only
meetings past "planned" have invitations.
"""

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

from bench.data import EMAIL_DOMAIN, SLUG_PREFIX, _bulk, _cycled, _uuid, _weighted

DEFAULT_MEETINGS = 5_000
DEFAULT_PARTICIPATIONS = 100_000
YEARS_BACK, YEARS_AHEAD = 8, 1  # meetings from January eight years ago to December next year

# (name, active): the three of the 2017 concept note, and more as the network grew.
GROUPS = [
    ("Security Interventions", True),
    ("Macroeconomic Policy", True),
    ("Education and Alternative Narratives", True),
    ("Rehabilitation and Reintegration", True),
    ("Gender and Extremism", True),
    ("Youth, Peace and Security", True),
    ("Online Spaces", True),
    ("Justice and the Rule of Law", False),  # closed after its first years
]
# (city, country, IANA zone): venues from UTC-8 to UTC+8, so that local months and UTC months
# disagree for late-evening starts.
VENUES = [
    ("London", "GB", "Europe/London"),
    ("New York", "US", "America/New_York"),
    ("Washington", "US", "America/New_York"),
    ("Los Angeles", "US", "America/Los_Angeles"),
    ("Bogotá", "CO", "America/Bogota"),
    ("Geneva", "CH", "Europe/Zurich"),
    ("Oslo", "NO", "Europe/Oslo"),
    ("Dakar", "SN", "Africa/Dakar"),
    ("Lagos", "NG", "Africa/Lagos"),
    ("Nairobi", "KE", "Africa/Nairobi"),
    ("Tunis", "TN", "Africa/Tunis"),
    ("Amman", "JO", "Asia/Amman"),
    ("Kabul", "AF", "Asia/Kabul"),
    ("Jakarta", "ID", "Asia/Jakarta"),
    ("Manila", "PH", "Asia/Manila"),
]
PLACES = ["Conference Centre", "Peace Institute", "UN House", "Community Hall", "Hotel Meridian"]
TOPICS = [
    "Community policing and trust",
    "Returnees: rehabilitation and reintegration",
    "Women mediators and early warning",
    "Financing local peacebuilding",
    "Counter-narratives in schools",
    "Young people and online hate speech",
    "Human rights in counter-terrorism laws",
    "Police training with civil society",
    "La place des femmes dans la prévention",
    "Dialogue entre police et communautés",
    "الشباب وبناء السلام",
    "دور المرأة في الوقاية من التطرف",
    "Justicia transicional y reintegración",
    "Mujeres constructoras de paz",
]
AGENDA = [
    "Welcome and introductions",
    "Where we stand: findings since the last meeting",
    "Case studies from the field",
    "Break-out: policy recommendations",
    "Break-out: programming and funding",
    "Security actors and civil society: what works",
    "Review of open action points",
    "Next steps and the road to the convening",
]
KINDS = [("working_group_meeting", 70), ("outreach_event", 12), ("workshop", 10)]
KINDS += [("consultation", 8)]
FORMATS = [("in_person", 45), ("hybrid", 25), ("online", 30)]
PAST = [("held", 45), ("report_published", 40), ("cancelled", 15)]
COMING = [
    ("draft", 15),
    ("planned", 25),
    ("invitations_open", 30),
    ("confirmed", 22),
    ("cancelled", 8),
]
# The first meetings take every status in turn, so that even a tiny dataset has each.
EVERY_STATUS = [(status, 1) for status, _weight in PAST + COMING if status != "cancelled"]
EVERY_STATUS += [("cancelled", 1)]
INVITED = {  # what became of the invitations, by the meeting's status
    "invitations_open": [("invited", 45), ("accepted", 35), ("declined", 12), ("waitlisted", 8)],
    "confirmed": [("invited", 15), ("accepted", 60), ("declined", 15), ("waitlisted", 10)],
    "held": [("attended", 65), ("no_show", 10), ("declined", 20), ("invited", 5)],
    "report_published": [("attended", 70), ("no_show", 8), ("declined", 20), ("invited", 2)],
    "cancelled": [("invited", 30), ("accepted", 40), ("declined", 30)],
}
REPORT = (
    "## Summary\n\nParticipants reviewed the recommendations of the brief and agreed on next "
    "steps.\n\n## Agreed points\n\n- Share good practice on community engagement.\n"
    "- Report progress to the annual convening.\n"
)


def _local(rng, day: date, zone: str) -> datetime:
    """A start on ``day`` in the venue's time, mostly office hours, one in ten late in the
    evening (so its UTC date, and at a month's end its UTC month, differ)."""
    if rng.random() < 0.1:
        moment = time(rng.choice([21, 22, 23]), rng.choice([0, 30]))
    else:
        moment = time(rng.randint(8, 16), rng.choice([0, 30]))
    return datetime.combine(day, moment, tzinfo=zoneinfo.ZoneInfo(zone))


def _day(rng, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _status_and_day(rng, index, today: date, first: date, last: date) -> tuple[str, date]:
    status = _cycled(rng, EVERY_STATUS, index) if index < len(EVERY_STATUS) else None
    if status is None:
        day = _day(rng, first, last)
        return _weighted(rng, PAST if day < today else COMING), day
    past = status in {"held", "report_published"} or (status == "cancelled" and index % 2)
    if past:
        return status, _day(rng, first, today - timedelta(days=2))
    return status, _day(rng, today + timedelta(days=2), last)


def _convenings(years, today) -> list[dict]:
    """One annual convening a year, in UN General Assembly week (the third Tuesday of
    September), in New York."""
    rows = []
    for year in years:
        first = date(year, 9, 1)
        day = first + timedelta(days=(1 - first.weekday()) % 7 + 14)
        status = (
            ("report_published" if year < today.year - 1 else "held")
            if day < today
            else ("invitations_open" if year == today.year else "planned")
        )
        rows.append(
            {
                "kind": "annual_convening",
                "group": None,
                "title": f"GSX {year}: annual high-level review and convening",
                "status": status,
                "starts_at": datetime.combine(
                    day, time(10), tzinfo=zoneinfo.ZoneInfo("America/New_York")
                ),
                "hours": 32,
                "format": "hybrid" if year >= 2020 else "in_person",
                "venue": ("New York", "US", "America/New_York"),
            }
        )
    return rows


def _plans(rng, count, groups, today) -> list[dict]:
    years = range(today.year - YEARS_BACK, today.year + YEARS_AHEAD + 1)
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    plans = _convenings(years, today)[:count]
    active = [group for group in groups if group.active]
    closed = [group for group in groups if not group.active]
    for index in range(count - len(plans)):
        kind = _cycled(rng, KINDS, index)
        status, day = _status_and_day(rng, index, today, first, last)
        if kind == "working_group_meeting" or rng.random() < 0.5:
            group = rng.choice(active)
            if closed and day < date(years[0] + 3, 1, 1) and rng.random() < 0.2:
                group = rng.choice(closed)
        else:
            group = None
        topic = rng.choice(TOPICS)
        plans.append(
            {
                "kind": kind,
                "group": group,
                "title": topic if group is None else f"{group.name}: {topic}",
                "status": status,
                "day": day,
                "hours": rng.choice([2, 3, 4, 8, 30]),
                "format": _weighted(rng, FORMATS),
                "venue": rng.choice(VENUES),
            }
        )
    return plans


def _meeting(rng, plan, reviewers):
    from dialogues.models import Meeting

    city, country, zone = plan["venue"]
    starts = plan.get("starts_at") or _local(rng, plan["day"], zone)
    online = plan["format"] == "online"
    public_id = _uuid(rng)
    status = plan["status"]
    group = plan["group"]
    return Meeting(
        public_id=public_id,
        working_group=group,
        kind=plan["kind"],
        title=plan["title"],
        starts_at=starts,
        ends_at=starts + timedelta(hours=plan["hours"]),
        timezone=zone,
        format=plan["format"],
        venue="" if online else f"{city} {rng.choice(PLACES)}",
        city="" if online else city,
        country="" if online else country,
        languages=sorted(rng.sample(["en", "fr", "ar", "es"], rng.randint(1, 3))),
        chatham_house=rng.random() < 0.4,
        capacity=None if rng.random() < 0.4 else rng.randint(20, 120),
        join_url=""
        if plan["format"] == "in_person"
        else f"https://meet.{EMAIL_DOMAIN}/{public_id}",
        participants_published=rng.random() < 0.3,
        status=status,
        status_changed_at=None if status == "draft" else starts - timedelta(days=30),
        cancellation_reason="The venue could not be secured." if status == "cancelled" else "",
        report=REPORT if status == "report_published" else "",
        created_by_id=rng.choice(reviewers).pk,
    )


def _agenda(rng, meeting, themes):
    from dialogues.models import AgendaItem

    count = rng.randint(4, 8)
    slot = min(timedelta(minutes=90), (meeting.ends_at - meeting.starts_at) / count)
    titles = [AGENDA[0], *rng.sample(AGENDA[1:-1], count - 2), AGENDA[-1]]
    return [
        AgendaItem(
            public_id=_uuid(rng),
            meeting_id=meeting.pk,
            position=position,
            starts_at=meeting.starts_at + slot * (position - 1),
            ends_at=meeting.starts_at + slot * position,
            kind="breakout"
            if title.startswith("Break-out")
            else "plenary"
            if position in (1, count)
            else "session",
            theme_id=rng.choice(themes).pk if themes and rng.random() < 0.5 else None,
            title=title,
            description="Short presentations, then discussion." if rng.random() < 0.4 else "",
            other_speakers="A representative of the host government" if rng.random() < 0.2 else "",
        )
        for position, title in enumerate(titles, start=1)
    ]


def _sizes(rng, meetings, total: int, most: int) -> list[int]:
    """How many invitations each meeting gets, ``total`` in all (the convenings far more), at
    most ``most`` each (the accounts there are)."""
    weights = [
        rng.uniform(0.5, 1.5) * (8 if meeting.kind == "annual_convening" else 1)
        for meeting in meetings
    ]
    scale = sum(weights) or 1
    sizes = [min(most, int(total * weight / scale)) for weight in weights]
    for index in range(len(sizes)):
        if sum(sizes) >= total:
            break
        sizes[index] = min(most, sizes[index] + total - sum(sizes))
    return sizes


def _invitations(rng, meetings, sizes, users, organizations, orgs_of):
    from dialogues.models import Participation

    rows = []
    for meeting, size in zip(meetings, sizes, strict=True):
        outcomes = INVITED[meeting.status]
        travels = meeting.format != "online"
        for n, user in enumerate(rng.sample(users, size)):
            status = _weighted(rng, outcomes)
            answered = status != "invited"
            by_email = rng.random() < 0.04  # not registered yet: invited by address
            rows.append(
                Participation(
                    public_id=_uuid(rng),
                    meeting_id=meeting.pk,
                    user_id=None if by_email else user.pk,
                    email=f"guest{n}.{meeting.pk}@{EMAIL_DOMAIN}" if by_email else "",
                    organization_id=rng.choice(organizations).pk
                    if by_email
                    else rng.choice(orgs_of[user.pk]),
                    status=status if answered and not by_email else "invited",
                    needs_visa=travels and rng.random() < 0.2,
                    invited_by_id=meeting.created_by_id,
                    responded_at=meeting.starts_at - timedelta(days=rng.randint(3, 40))
                    if answered and not by_email
                    else None,
                    waitlisted_at=meeting.starts_at - timedelta(days=rng.randint(3, 40))
                    if status == "waitlisted" and not by_email
                    else None,
                )
            )
    return rows


def generate_meetings(
    *,
    seed: int,
    meetings: int,
    participations: int,
    today: datetime,
    organizations,
    users,
    reviewers,
    memberships: dict,
    counts: dict,
    log,
) -> None:
    """Working groups, ``meetings`` meetings with their agendas and host organizations, and
    ``participations`` invitations of the generated accounts (on behalf of one of their
    organizations; one in 25 by address only), written in batches."""
    from dialogues.models import AgendaItem, Meeting, Participation, WorkingGroup
    from organizations.models import Theme

    # Its own generator: the organizations stay as they were for a seed.
    rng = random.Random(f"{seed}-meetings")  # noqa: S311 - reproducible data, not secrets
    themes = list(Theme.objects.all())
    groups = _bulk(
        WorkingGroup,
        [
            WorkingGroup(
                public_id=_uuid(rng),
                name=name,
                slug=f"{SLUG_PREFIX}{name.lower().replace(',', '').replace(' ', '-')}",
                description=f"The network's working group on {name.lower()}.",
                active=active,
            )
            for name, active in GROUPS
        ],
        counts,
    )
    for relation, pool, each in (
        (WorkingGroup.themes, themes, 2),
        (WorkingGroup.convening_organizations, organizations, 2),
        (WorkingGroup.conveners, users, 2),
        (WorkingGroup.members, users, 30),
    ):
        Through = relation.through
        source = relation.field.m2m_field_name()
        target = relation.field.m2m_reverse_field_name()
        _bulk(
            Through,
            [
                Through(**{f"{source}_id": group.pk, f"{target}_id": item.pk})
                for group in groups
                for item in rng.sample(pool, min(each, len(pool)))
            ],
            counts,
        )
    plans = _plans(rng, meetings, groups, today.date())
    written = _bulk(Meeting, [_meeting(rng, plan, reviewers) for plan in plans], counts)
    Hosts = Meeting.host_organizations.through
    _bulk(
        Hosts,
        [
            Hosts(meeting_id=meeting.pk, organization_id=organization.pk)
            for meeting in written
            if meeting.format != "online"
            for organization in rng.sample(organizations, min(len(organizations), 2))
        ],
        counts,
    )
    _bulk(AgendaItem, [item for m in written for item in _agenda(rng, m, themes)], counts)
    log(f"  {len(written)} meetings, {counts.get('dialogues.AgendaItem', 0)} agenda items")

    orgs_of: dict[int, list[int]] = {}
    for user_id, organization_id in memberships:
        orgs_of.setdefault(user_id, []).append(organization_id)
    invitable = [meeting for meeting in written if meeting.status in INVITED]
    sizes = _sizes(rng, invitable, participations, len(users))
    rows = _invitations(rng, invitable, sizes, users, organizations, orgs_of)
    _bulk(Participation, rows, counts)
    log(f"  {len(rows)} invitations")
