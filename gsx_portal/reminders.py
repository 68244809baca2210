"""The reminder sweep: one periodic task asks each app what is due now.

Apps register a *source* with ``register``: a callable that takes the current time and sends
(or queues) whatever has come due, returning how many deliveries it made. Reminders are never
scheduled far ahead as delayed tasks; each sweep looks at the data as it is (DESIGN.md §3).
Sources must be idempotent: a sweep may run twice, and the per-delivery ledger that the apps keep
makes the second run send nothing.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger(__name__)

ReminderSource = Callable[[datetime], int]
_sources: dict[str, ReminderSource] = {}


def register(name: str, source: ReminderSource) -> None:
    _sources[name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def registered() -> list[str]:
    return sorted(_sources)


def reminders_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Run every registered source once and return how many deliveries each made.

    A failing source is logged and skipped so that one broken app cannot silence the others;
    it is tried again on the next sweep.
    """
    now = now or timezone.now()
    sent: dict[str, int] = {}
    for name in registered():
        try:
            sent[name] = _sources[name](now)
        except Exception:
            logger.exception("reminder source %s failed", name)
            sent[name] = 0
    return sent
