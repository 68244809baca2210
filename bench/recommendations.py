"""The recommendations part of the benchmark dataset (bench/data.py): source documents, their
recommendations in English, French and Arabic, the addressed organizations' responses,
implementation updates from both sides over three review cycles (two closed with their
snapshots, one open) and each recommendation's current status from each side.

Called by ``bench.data.generate`` inside its transaction and pghistory context, with the
organizations, users and memberships it wrote; every row is a function of the seed. The
denormalised ``self_status`` / ``independent_status`` are those the services would have left:
the latest visible update's from each side (by date, then order of recording), and each closed
cycle's snapshot holds the latest visible update reported by its window's close.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from bench.data import EMAIL_DOMAIN, _bulk, _cycled, _uuid, _weighted
from bench.words import HOT_COUNTRIES, RECOMMENDATION_LANGUAGES, RECOMMENDATION_WORDS

DEFAULT_RECOMMENDATIONS = 100_000
DEFAULT_UPDATES = 300_000
PER_SOURCE = 300  # a few hundred sources at the standard scale
KINDS = [
    ("brief", 35),
    ("meeting_report", 30),
    ("outcome_document", 15),
    ("working_paper", 12),
    ("concept_note", 8),
]
SECTIONS = [("policy", 35), ("programming", 30), ("financial", 15), ("general", 15)]
SECTIONS += [("key_findings", 5)]
ADDRESSEE_TYPES = ["governments", "security_sector", "donors", "multilaterals", "civil_society"]
# Addressees come from these sectors (civil society too, more rarely).
ADDRESSED_SECTORS = {"government", "security_sector", "multilateral", "donor"}
RESPONSES = [("pending", 35), ("supported", 30), ("noted", 20), ("not_supported", 15)]
STATUSES = [
    ("not_started", 12),
    ("in_progress", 30),
    ("partially_implemented", 22),
    ("implemented", 18),
    ("stalled", 13),
    ("no_longer_relevant", 5),
]
SELF, INDEPENDENT = "self_report", "independent_assessment"
HIDDEN_SHARE = 0.01  # moderated by the secretariat
DRAFT_SHARE = 0.1
SUB_POINT_SHARE = 0.3
WINDOW_WEEKS = 26  # each cycle's window opens half a year before it closes


def _sentence(rng, language: str) -> tuple[str, str]:
    verbs, objects, sentence, who, where, partner = RECOMMENDATION_WORDS[language]
    verb, what = rng.choice(verbs), rng.choice(objects)
    title = f"{verb} {what}"
    text = sentence.format(
        who=rng.choice(who),
        verb=verb if language == "ar" else verb.lower(),
        what=what,
        where=rng.choice(where),
        n=rng.randint(3, 36),
        partner=rng.choice(partner),
    )
    return title, text


def _cycles(today: date) -> list[dict]:
    """Two closed cycles (the last two convenings) and the open one (the coming convening),
    for the convenings the dataset has."""
    from dialogues.models import Meeting

    convenings = list(Meeting.objects.filter(kind="annual_convening").order_by("starts_at"))
    past = [m for m in convenings if m.starts_at.date() < today][-2:]
    coming = [m for m in convenings if m.starts_at.date() >= today][:1]
    cycles = []
    for meeting in past + coming:
        closes = meeting.starts_at.astimezone(meeting.zone).date() - timedelta(weeks=4)
        cycles.append(
            {
                "meeting": meeting,
                "closed": meeting in past,
                "opens_on": closes - timedelta(weeks=WINDOW_WEEKS),
                "closes_on": closes,
            }
        )
    return cycles


def _sources(rng, count, today: date, groups, held_meetings):
    from recommendations.models import SourceDocument

    first = today - timedelta(days=365 * 8)
    rows = []
    for index in range(count):
        kind = _cycled(rng, KINDS, index)
        language = _cycled(rng, RECOMMENDATION_LANGUAGES, index)
        meeting = rng.choice(held_meetings) if kind == "meeting_report" and held_meetings else None
        rows.append(
            SourceDocument(
                public_id=_uuid(rng),
                title=f"{_sentence(rng, language)[0]} ({index + 1})",
                kind=kind,
                other_publishers="Global Solutions Exchange" if rng.random() < 0.5 else "",
                published_on=meeting.starts_at.date() + timedelta(days=20)
                if meeting
                else first + timedelta(days=rng.randint(0, (today - first).days)),
                language=language,
                url=f"https://sources.{EMAIL_DOMAIN}/{index}" if rng.random() < 0.7 else "",
                meeting=meeting,
                working_group=meeting.working_group
                if meeting
                else (rng.choice(groups) if groups and rng.random() < 0.6 else None),
            )
        )
    return rows


def _recommendation(rng, index, source, number, position):
    from organizations.regions import regions_of
    from recommendations.models import Recommendation

    language = source.language if rng.random() < 0.8 else _weighted(rng, RECOMMENDATION_LANGUAGES)
    title, text = _sentence(rng, language)
    countries = sorted(rng.sample(HOT_COUNTRIES, rng.choice([0, 0, 1, 2, 3])))
    types = sorted(rng.sample(ADDRESSEE_TYPES, rng.randint(1, 2)))
    return Recommendation(
        public_id=_uuid(rng),
        # Numbered by the source's place in the dataset, not its id: the same for a seed.
        reference=f"BENCH-{number:05d}/R-{position:03d}",
        source_id=source.pk,
        section=_cycled(rng, SECTIONS, index),
        position=position,
        title=title,
        text=text,
        addressee_types=["all"] if rng.random() < 0.05 else types,
        countries=countries,
        regions=regions_of(countries) if countries else [],
        # The first is published and the second a draft, so that a tiny dataset has both.
        published=index == 0 or (index > 1 and rng.random() >= DRAFT_SHARE),
        meeting_id=source.meeting_id,
    )


def _plan_recommendations(rng, count, sources, ids):
    """The recommendations, with the ids they will have: a third are sub-points of a
    top-level point of the same source."""
    rows, top_of_source = [], {}
    positions = dict.fromkeys((s.pk for s in sources), 0)
    for index in range(count):
        number = index % len(sources)
        source = sources[number]
        positions[source.pk] += 1
        row = _recommendation(rng, index, source, number, positions[source.pk])
        row.pk = ids[index]
        if source.pk in top_of_source and rng.random() < SUB_POINT_SHARE:
            row.parent_id = top_of_source[source.pk]
        else:
            top_of_source.setdefault(source.pk, row.pk)
        rows.append(row)
    return rows


def _updates(rng, count, day, recommendations, addressed, cycles, assessors, admin_of, reviewers):
    from recommendations.models import ImplementationUpdate

    published = [r for r in recommendations if r.published and addressed.get(r.pk)]
    rows = []
    per_cycle = max(1, len(cycles))
    for index in range(count):
        cycle = cycles[index * per_cycle // max(1, count)] if cycles else None
        recommendation = rng.choice(published)
        about = rng.choice(addressed[recommendation.pk])
        self_report = rng.random() < 0.55 or not assessors
        reporter = about if self_report else rng.choice(assessors)
        if cycle:
            span = (cycle["closes_on"] - cycle["opens_on"]).days
            reported = cycle["opens_on"] + timedelta(days=rng.randint(0, span))
        else:
            reported = day - timedelta(days=rng.randint(0, 700))
        hidden = rng.random() < HIDDEN_SHARE
        language = "ar" if rng.random() < 0.2 else ("fr" if rng.random() < 0.35 else "en")
        rows.append(
            ImplementationUpdate(
                public_id=_uuid(rng),
                recommendation_id=recommendation.pk,
                perspective=SELF if self_report else INDEPENDENT,
                addressee_id=about if self_report or rng.random() < 0.7 else None,
                reporting_organization_id=reporter,
                reported_by_id=admin_of.get(reporter),
                status=_cycled(rng, STATUSES, index),
                summary=_sentence(rng, language)[1],
                evidence_links=[
                    f"https://evidence.{EMAIL_DOMAIN}/{index}/{n}"
                    for n in range(rng.choice([0, 0, 1, 2]))
                ],
                cycle_id=cycle["row"].pk if cycle else None,
                reported_on=reported,
                hidden_at=datetime.combine(reported, time(12), tzinfo=UTC) if hidden else None,
                hidden_reason="It names people at risk." if hidden else "",
                hidden_by_id=rng.choice(reviewers).pk if hidden else None,
            )
        )
    return rows


def _latest(updates, until: date | None = None) -> dict[tuple[int, str], object]:
    """Each (recommendation, perspective)'s latest visible update, by date then order of
    recording (the ids ascend in list order), reported by ``until`` if given."""
    latest = {}
    for update in updates:
        if update.hidden_at is not None or (until and update.reported_on > until):
            continue
        key = (update.recommendation_id, update.perspective)
        current = latest.get(key)
        if current is None or (update.reported_on, update.pk) > (current.reported_on, current.pk):
            latest[key] = update
    return latest


def _ids(model, count: int) -> list[int]:
    """``count`` ids from the table's own sequence, so that rows written by COPY can point at
    each other before they are written."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, objects, counts, now) -> None:
    """Write ``objects`` with COPY, many times faster than INSERTs here. The pghistory
    triggers fire as for INSERTs (the transaction's context is already set); the stored
    search vectors fill themselves; the timestamps Django sets on save are set to ``now``."""
    from django.db import connection
    from psycopg import sql

    if not objects:
        return
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    missing = [obj for obj in objects if obj.pk is None]
    for obj, pk in zip(missing, _ids(model, len(missing)), strict=True):
        obj.pk = pk
    stamped = [
        field.attname
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(field.column) for field in fields),
    )
    names = [field.attname for field in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objects:
            for name in stamped:
                if getattr(obj, name) is None:
                    setattr(obj, name, now)
            copy.write_row([getattr(obj, name) for name in names])
    counts[model._meta.label] = counts.get(model._meta.label, 0) + len(objects)


def generate_recommendations(
    *,
    seed: int,
    recommendations: int,
    updates: int,
    today: datetime,
    organizations,
    reviewers,
    memberships: dict,
    vetted: set[int],
    counts: dict,
    log,
) -> None:
    """``recommendations`` recommendations over a few hundred sources with their themes and
    responses (1 to 3 addressees each), ``updates`` updates over three cycles, the closed
    cycles' snapshots and every recommendation's current status from each side. Sources and
    cycles are few (bulk_create); the rest is written by COPY, once its statuses are known."""
    if recommendations <= 0:
        return
    from dialogues.models import Meeting, WorkingGroup
    from organizations.models import Theme
    from recommendations.models import (
        AddresseeResponse,
        ImplementationUpdate,
        Recommendation,
        ReviewCycle,
        SourceDocument,
    )

    rng = random.Random(f"{seed}-recommendations")  # noqa: S311 - reproducible, not secret
    day = today.date()
    themes = list(Theme.objects.all())
    groups = list(WorkingGroup.objects.order_by("pk"))
    held = list(Meeting.objects.filter(status__in=["held", "report_published"]).order_by("pk"))
    sources = _bulk(
        SourceDocument,
        _sources(rng, max(1, recommendations // PER_SOURCE), day, groups, held),
        counts,
    )
    written = _plan_recommendations(
        rng, recommendations, sources, _ids(Recommendation, recommendations)
    )
    Themes = Recommendation.themes.through
    theme_links = [
        Themes(recommendation_id=r.pk, theme_id=theme.pk)
        for r in written
        for theme in rng.sample(themes, min(len(themes), rng.randint(1, 3)))
    ]

    pool = [o.pk for o in organizations if o.sector in ADDRESSED_SECTORS] or [
        o.pk for o in organizations
    ]
    admin_of = {org: user for (user, org), role in memberships.items() if role == "admin"}
    addressed, responses = {}, []
    for r in written:
        addressed[r.pk] = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        for org in addressed[r.pk]:
            status = _weighted(rng, RESPONSES) if r.published else "pending"
            answered = status != "pending"
            responses.append(
                AddresseeResponse(
                    public_id=_uuid(rng),
                    recommendation_id=r.pk,
                    organization_id=org,
                    status=status,
                    comment=_sentence(rng, "en")[1] if answered and rng.random() < 0.6 else "",
                    responded_on=day - timedelta(days=rng.randint(1, 900)) if answered else None,
                    responded_by_id=admin_of.get(org) if answered else None,
                )
            )

    cycles = _cycles(day)
    for cycle in cycles:
        meeting = cycle["meeting"]
        cycle["row"] = ReviewCycle(
            public_id=_uuid(rng),
            name=f"GSX {meeting.starts_at.year}",
            convening_id=meeting.pk,
            opens_on=cycle["opens_on"],
            closes_on=cycle["closes_on"],
            state="closed" if cycle["closed"] else "open",
            opened_at=today - timedelta(days=(day - cycle["opens_on"]).days),
            closed_at=today - timedelta(days=(day - cycle["closes_on"]).days)
            if cycle["closed"]
            else None,
        )
    _bulk(ReviewCycle, [cycle["row"] for cycle in cycles], counts)
    rows = _updates(
        rng, updates, day, written, addressed, cycles, sorted(vetted), admin_of, reviewers
    )
    # Ids in the order of recording: "latest" breaks ties of dates by id, as the services do.
    for update, pk in zip(rows, _ids(ImplementationUpdate, len(rows)), strict=True):
        update.pk = pk
    _statuses(written, rows)

    _copy(Recommendation, written, counts, today)
    _copy(Themes, theme_links, counts, today)
    log(f"  {len(sources)} sources, {len(written)} recommendations")
    _copy(AddresseeResponse, responses, counts, today)
    _copy(ImplementationUpdate, rows, counts, today)
    log(f"  {len(responses)} responses, {len(rows)} updates, {len(cycles)} cycles")
    _snapshots(written, rows, cycles, counts, today)


def _snapshots(recommendations, updates, cycles, counts, now) -> None:
    from recommendations.models import CycleSnapshot

    for cycle in cycles:
        if not cycle["closed"]:
            continue
        latest = _latest(updates, until=cycle["closes_on"])
        snapshot = []
        for r in recommendations:
            if not r.published:
                continue
            for perspective in (SELF, INDEPENDENT):
                update = latest.get((r.pk, perspective))
                snapshot.append(
                    CycleSnapshot(
                        cycle_id=cycle["row"].pk,
                        recommendation_id=r.pk,
                        perspective=perspective,
                        status=update.status if update else "",
                        update_id=update.pk if update else None,
                    )
                )
        _copy(CycleSnapshot, snapshot, counts, now)


def _statuses(recommendations, updates) -> None:
    """Each recommendation's current status from each side (its latest visible update's), set
    before it is written."""
    latest = _latest(updates)
    for r in recommendations:
        self_update = latest.get((r.pk, SELF))
        independent = latest.get((r.pk, INDEPENDENT))
        r.self_status = self_update.status if self_update else ""
        r.independent_status = independent.status if independent else ""
