"""The benchmark dataset: ``make bench-data`` (``python -m bench.data``).

Fills a separate database, never the demo or development one, with a realistic directory:
organizations named and described in English, French, Arabic and Spanish, skewed sectors,
countries and visibility tiers, themes, contacts, vetting applications in every state with their
assessments, users and memberships; then working groups, meetings, agendas and invitations
(bench/meetings.py). Everything is written by ``bulk_create`` in large batches;
the generated ``search_document`` column fills itself and the pghistory triggers fire as they do
in production (tagged with the context ``source=bench-data``), so the event tables are part of
the measured database too.

The content is a function of ``--seed`` and ``--orgs``; timestamps are relative to the day of
the load so that approvals are still valid when the benchmark runs.
"""

import argparse
import os
import random
import re
import sys
import time
import uuid
from datetime import timedelta
from urllib.parse import quote, urlsplit

from bench.words import (
    ASSESSED,
    HOT_COUNTRIES,
    LANGUAGES,
    SECTORS,
    TIERS,
    VETTING,
    WORDS,
)

DEFAULT_ORGS = 100_000
DEFAULT_SEED = 8
BENCH_DATABASE = "gsx_bench"
# Every generated row is recognisable: the guard refuses a database holding anything else.
SLUG_PREFIX = "bench-"
EMAIL_DOMAIN = "bench.invalid"
# The password of every generated account, for signed-in measurements.
PASSWORD = "bench-gsx-portal"  # noqa: S105 - public, like the demo password; bench data only
BATCH = 5_000
# "bench" as a whole word of the database name: gsx_bench, bench, gsx_bench_20k.
_BENCH_NAME = re.compile(r"(^|_)bench($|_)")


class RefusedTarget(Exception):
    """The target database is not a benchmark database."""


def check_database_name(name: str, protected: tuple[str, ...] = ()) -> None:
    """Refuse any database whose name does not say it is a benchmark's, and the demo one."""
    from gsx_portal.embedded_db import DATABASE_NAME

    if not _BENCH_NAME.search(name or "") or name in {DATABASE_NAME, *protected}:
        raise RefusedTarget(
            f"Refusing to fill database {name!r}: its name must contain the word 'bench' "
            f"(e.g. {BENCH_DATABASE}) and it must not be the demo or development database."
        )


def check_only_bench_data() -> None:
    """Refuse a database that holds organizations, accounts or working groups this generator
    did not write."""
    from dialogues.models import WorkingGroup
    from organizations.models import Organization, User

    if (
        Organization.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
        or User.objects.exclude(email__endswith=f"@{EMAIL_DOMAIN}").exists()
        or WorkingGroup.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
    ):
        raise RefusedTarget(
            "Refusing to fill this database: it holds organizations, accounts or working "
            "groups that are not benchmark data."
        )


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _cycled(rng, pairs, index):
    """The i-th value for the first len(pairs) rows (so every value occurs), weighted after."""
    return pairs[index][0] if index < len(pairs) else _weighted(rng, pairs)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _texts(rng: random.Random, language: str) -> tuple[str, str]:
    kinds, focuses, places, sentence, who, what = WORDS[language]
    name = f"{rng.choice(kinds)} {rng.choice(focuses)} {rng.choice(places)}"
    summary = sentence.format(who=rng.choice(who), what=rng.choice(what), n=rng.randint(3, 90))
    return name, summary


def _bulk(model, rows, counts):
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    counts[model._meta.label] = counts.get(model._meta.label, 0) + len(created)
    return created


def generate(
    orgs: int = DEFAULT_ORGS,
    seed: int = DEFAULT_SEED,
    log=None,
    *,
    meetings: int | None = None,
    participations: int | None = None,
    recommendations: int | None = None,
    updates: int | None = None,
) -> dict[str, int]:
    """Write the dataset into the default database; return the rows written per model.
    ``meetings`` and ``participations`` default to bench.meetings' standard scale,
    ``recommendations`` and ``updates`` to bench.recommendations'."""
    import pghistory
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils.timezone import now
    from django_countries import countries as all_countries

    from bench.meetings import DEFAULT_MEETINGS, DEFAULT_PARTICIPATIONS, generate_meetings
    from bench.recommendations import (
        DEFAULT_RECOMMENDATIONS,
        DEFAULT_UPDATES,
        generate_recommendations,
    )
    from organizations.models import (
        Assessment,
        Contact,
        Criterion,
        Membership,
        Organization,
        Theme,
        User,
        VettingApplication,
    )
    from organizations.regions import regions_of

    # Reproducible data, not secrets: a seeded generator is the point.
    rng = random.Random(seed)  # noqa: S311
    log = log or (lambda message: None)
    today = now()
    themes = list(Theme.objects.all())
    criteria = list(Criterion.objects.all())
    Through = Organization.themes.through
    other_countries = [code for code, _name in all_countries if code not in HOT_COUNTRIES]
    # One hash for every account: hashing 130,000 passwords would take hours.
    password = make_password(PASSWORD)
    counts: dict[str, int] = {}

    with pghistory.context(source="bench-data"), transaction.atomic():
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED: left so, every checked row waits in
        # PostgreSQL's after-trigger queue until the commit, and the end of every later
        # statement walks that whole queue again, which made the load quadratic. Checked at
        # each statement's end, the queue stays empty.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        organizations, states = [], []
        for i in range(orgs):
            language = _cycled(rng, LANGUAGES, i)
            name, summary = _texts(rng, language)
            sector = "civil_society" if i < len(VETTING) else _weighted(rng, SECTORS)
            state = _cycled(rng, VETTING, i) if sector == "civil_society" else ""
            hot = rng.random() < 0.8
            headquarters = rng.choice(HOT_COUNTRIES if hot else other_countries)
            operating = sorted({headquarters, *rng.sample(HOT_COUNTRIES, rng.randint(0, 3))})
            translations = {"en": _texts(rng, "en")[1]} if language != "en" and i % 3 else {}
            organizations.append(
                Organization(
                    public_id=_uuid(rng),
                    slug=f"{SLUG_PREFIX}{i:06d}",
                    name=name,
                    acronym="".join(word[0] for word in name.split()[:3]).upper()
                    if language != "ar"
                    else "",
                    sector=sector,
                    visibility_tier=_cycled(rng, TIERS, i),
                    women_led=rng.random() < 0.3,
                    youth_led=rng.random() < 0.15,
                    headquarters_country=headquarters,
                    countries=operating,
                    regions=regions_of(operating),
                    website=f"https://{SLUG_PREFIX}{i}.example.org" if rng.random() < 0.6 else "",
                    summary=summary,
                    summary_translations=translations,
                    working_languages=sorted({language, *rng.sample(["en", "fr", "ar", "es"], 1)}),
                    year_founded=rng.randint(1960, today.year),
                    accepts_introductions=rng.random() < 0.85,
                    vetted_until=today + timedelta(days=rng.randint(30, 700))
                    if state == "approved"
                    else None,
                )
            )
            states.append(state)
        organizations = _bulk(Organization, organizations, counts)
        log(f"  {len(organizations)} organizations")

        _bulk(
            Through,
            [
                Through(organization_id=org.pk, theme_id=theme.pk)
                for org in organizations
                for theme in rng.sample(themes, min(len(themes), rng.randint(1, 4)))
            ],
            counts,
        )
        _bulk(
            Contact,
            [
                Contact(
                    public_id=_uuid(rng),
                    organization_id=org.pk,
                    name=f"Contact {n + 1} of {org.slug}",
                    role=rng.choice(["Coordinator", "Director", "Programme officer"]),
                    email=f"contact{n + 1}.{org.slug}@{EMAIL_DOMAIN}",
                    phone=f"+1 555 {rng.randint(1000000, 9999999)}",
                    shareable=rng.random() < 0.5,
                )
                for org in organizations
                for n in range(rng.randint(1, 3))
            ],
            counts,
        )

        # Users: one administrator per organization, a third more as editors and members
        # (some in two organizations), and the secretariat's reviewers (staff).
        reviewers = _bulk(
            User,
            [
                User(
                    email=f"reviewer{n}@{EMAIL_DOMAIN}",
                    name=f"Reviewer {n}",
                    password=password,
                    is_staff=True,
                    public_id=_uuid(rng),
                )
                for n in range(max(2, orgs // 5000))
            ],
            counts,
        )
        extra = orgs // 3
        users = _bulk(
            User,
            [
                User(
                    email=f"user{n}@{EMAIL_DOMAIN}",
                    name=f"User {n}",
                    password=password,
                    language=_weighted(rng, LANGUAGES),
                    public_id=_uuid(rng),
                )
                for n in range(orgs + extra)
            ],
            counts,
        )
        memberships = {(users[i].pk, org.pk): "admin" for i, org in enumerate(organizations)}
        for user in users[orgs:]:
            for org in rng.sample(organizations, 2 if rng.random() < 0.1 else 1):
                memberships.setdefault((user.pk, org.pk), rng.choice(["editor", "member"]))
        _bulk(
            Membership,
            [
                Membership(public_id=_uuid(rng), user_id=user_id, organization_id=org_id, role=role)
                for (user_id, org_id), role in memberships.items()
            ],
            counts,
        )
        log(f"  {len(users) + len(reviewers)} users, {len(memberships)} memberships")

        applications = []
        for i, (org, state) in enumerate(zip(organizations, states, strict=True)):
            if not state:
                continue
            submitted = None if state == "draft" else today - timedelta(days=rng.randint(20, 900))
            decided = state in {"approved", "declined", "expired"}
            valid_until = {
                "approved": org.vetted_until,
                "expired": today - timedelta(days=rng.randint(1, 300)),
            }.get(state)
            applications.append(
                VettingApplication(
                    public_id=_uuid(rng),
                    organization_id=org.pk,
                    status=state,
                    created_by_id=users[i].pk,
                    message="Please add evidence for each criterion."
                    if state in {"changes_requested", "declined"}
                    else "",
                    submitted_at=submitted,
                    decided_at=submitted + timedelta(days=14) if decided else None,
                    valid_until=valid_until,
                    recognised_name=org.name if state in {"approved", "expired"} else "",
                    recognised_sector=org.sector if state in {"approved", "expired"} else "",
                    verification_code=f"{rng.getrandbits(128):032x}",
                )
            )
        applications = _bulk(VettingApplication, applications, counts)
        _bulk(
            Assessment,
            [
                Assessment(
                    application_id=application.pk,
                    criterion_id=criterion.pk,
                    reviewer_id=rng.choice(reviewers).pk,
                    rating=_weighted(rng, [("met", 70), ("partly", 20), ("not_met", 10)]),
                )
                for application in applications
                if application.status in ASSESSED
                for criterion in criteria
            ],
            counts,
        )
        log(f"  {len(applications)} vetting applications")

        generate_meetings(
            seed=seed,
            meetings=DEFAULT_MEETINGS if meetings is None else meetings,
            participations=DEFAULT_PARTICIPATIONS if participations is None else participations,
            today=today,
            organizations=organizations,
            users=users,
            reviewers=reviewers,
            memberships=memberships,
            counts=counts,
            log=log,
        )
        generate_recommendations(
            seed=seed,
            recommendations=DEFAULT_RECOMMENDATIONS if recommendations is None else recommendations,
            updates=DEFAULT_UPDATES if updates is None else updates,
            today=today,
            organizations=organizations,
            reviewers=reviewers,
            memberships=memberships,
            # Independent assessments come from civil society vetted now.
            vetted={
                org.pk
                for org, state in zip(organizations, states, strict=True)
                if state == "approved"
            },
            counts=counts,
            log=log,
        )
    return counts


# --- Command line -----------------------------------------------------------------------------


def _target_url(explicit: str | None) -> str:
    """The bench database's URL: given, else on the server of DATABASE_URL, else the embedded
    server's (started if needed)."""
    if explicit:
        return explicit
    if os.environ.get("DATABASE_URL"):
        parts = urlsplit(os.environ["DATABASE_URL"])
        return parts._replace(path=f"/{BENCH_DATABASE}", query="").geturl()
    from gsx_portal import embedded_db

    server = embedded_db.ensure_running(embedded_db.default_data_dir())
    return f"postgres://postgres@{quote(server['HOST'], safe='')}:{server['PORT']}/{BENCH_DATABASE}"


def _recreate(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    admin = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=DEFAULT_ORGS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--meetings", type=int, default=None, help="default 5,000")
    parser.add_argument("--participations", type=int, default=None, help="default 100,000")
    parser.add_argument("--recommendations", type=int, default=None, help="default 100,000")
    parser.add_argument("--updates", type=int, default=None, help="default 300,000")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or None)
    args = parser.parse_args(argv)

    development = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
    url = _target_url(args.database_url)
    name = urlsplit(url).path.lstrip("/")
    try:
        check_database_name(name, protected=(development,) if development else ())
    except RefusedTarget as refusal:
        print(refusal, file=sys.stderr)
        return 2
    started = time.monotonic()
    if args.reset:
        _recreate(url, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gsx_portal.settings")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    try:
        check_only_bench_data()
    except RefusedTarget as refusal:
        print(refusal, file=sys.stderr)
        return 2
    from organizations.models import Organization

    if Organization.objects.exists():
        print(f"{name} already holds benchmark data; --reset regenerates it.", file=sys.stderr)
        return 2
    print(f"Filling {name} with {args.orgs} organizations (seed {args.seed})")
    counts = generate(
        args.orgs,
        args.seed,
        log=print,
        meetings=args.meetings,
        participations=args.participations,
        recommendations=args.recommendations,
        updates=args.updates,
    )
    with connection.cursor() as cursor:
        # Fresh statistics, so the planner sees the bench data as the benchmark will.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    for label, count in sorted(counts.items()):
        print(f"  {label}: {count}")
    print(f"Done in {time.monotonic() - started:.0f} s; database size {size}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
