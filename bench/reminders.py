"""The reminder sweep's benchmark (DESIGN.md §7): a sweep over the open review cycle of the
benchmark dataset (``make bench-data``: 100,000 organizations, 100,000 recommendations) on a day
of its reminders, then a second sweep right after, which must claim and send nothing; and the
workers' side, digests rendered and handed to a mail backend per second.

    BENCH_DATABASE_URL=postgres://…/gsx_bench REDIS_URL=redis://…/9 python -m bench.reminders

Each step runs in its own process, so the peak memory reported (maximum resident set size) is
that step's own, next to what the process held before it started (Django and the apps loaded).
Digests are built whatever the hour (``REMINDER_MORNING_HOURS=0-24``): the measured sweep is the
worst case, every recipient's morning at once. The queued tasks go to the broker and are purged
afterwards; the ledger is emptied before the first sweep, so the measurement can be repeated.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def _setup() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/gsx_bench"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["REMINDER_MORNING_HOURS"] = "0-24"
    os.environ["EMAIL_TO_CONSOLE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gsx_portal.settings")
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_prepare(follow_events: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.reminders_data import ensure_follow_events, ensure_open_cycle
    from gsx_portal.models import ReminderDelivery, ReminderDigest, ReminderSweepRun

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in (ReminderDelivery, ReminderDigest, ReminderSweepRun)]
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
    found = ensure_open_cycle(now=now)
    found["follow_events"] = ensure_follow_events(now=now, count=follow_events)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return found


def step_sweep() -> dict:
    from gsx_portal.celery import app
    from gsx_portal.models import ReminderDigest
    from gsx_portal.reminders import reminders_send_due

    before = _rss_mb()
    started = time.perf_counter()
    done = reminders_send_due()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "rss_before_mb": round(before),
        "rss_peak_mb": round(_rss_mb()),
        "claimed": {k: v for k, v in done.items() if k != "digests" and "." not in k},
        "digests_queued": done["digests"],
        "digests": ReminderDigest.objects.count(),
        "tasks_purged": app.control.purge() if done["digests"] else 0,
    }


def step_send(count: int) -> dict:
    from django.conf import settings

    from gsx_portal.models import DigestState, ReminderDigest
    from gsx_portal.reminders.digests import reminder_digest_send

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    ids = list(
        ReminderDigest.objects.filter(state=DigestState.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    started = time.perf_counter()
    outcomes: dict[str, int] = {}
    for digest_id in ids:
        outcome = reminder_digest_send(digest_id=digest_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    seconds = time.perf_counter() - started
    return {
        "digests": len(ids),
        "seconds": round(seconds, 2),
        "per_second": round(len(ids) / seconds, 1) if seconds else None,
        "outcomes": outcomes,
        "rss_peak_mb": round(_rss_mb()),
    }


def _run_step(name: str, *extra: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.reminders", "--step", name, *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", choices=["prepare", "sweep", "send"])
    parser.add_argument("--follow-events", type=int, default=20_000)
    parser.add_argument("--send", type=int, default=1000, help="digests to send")
    args = parser.parse_args(argv)
    if args.step:
        _setup()
        if args.step == "prepare":
            result = step_prepare(args.follow_events)
        elif args.step == "sweep":
            result = step_sweep()
        else:
            result = step_send(args.send)
        print(json.dumps(result, default=str))
        return 0
    prepared = _run_step("prepare", "--follow-events", str(args.follow_events))
    print("prepared:", json.dumps(prepared, default=str))
    first = _run_step("sweep")
    print("first sweep:", json.dumps(first))
    second = _run_step("sweep")
    print("second sweep:", json.dumps(second))
    sent = _run_step("send", "--send", str(args.send))
    print("workers' side:", json.dumps(sent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
