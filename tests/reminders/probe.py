"""A reminder source for the engine's tests, and mail backends that stand in for the outside
world (the mail server): one that records to a folder (for workers in other processes), one that
fails its first calls.

The probe's items are rows it reads from the database, so that a worker in another process sees
the same ones: every active user whose name starts with "probe" is due a "probe.ping" today, and
one "probe.pong" when their name also holds "pong". An item still holds while the name still
starts with "probe" (a person "who left" is renamed).
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from gsx_portal.reminders import Due, Kind, Source, falls_due
from organizations.models import User


def _ping(params: dict) -> str:
    return f"Ping about {params['title']}"


def _pong(params: dict) -> str:
    return f"Pong number {params['number']}"


PING = Kind(name="probe.ping", label="Pings", heading="Pings", sentence=_ping, names=("title",))
PONG = Kind(name="probe.pong", label="Pongs", heading="Pongs", sentence=_pong)


def _due(since, now):
    for user in User.objects.filter(name__startswith="probe", is_active=True).order_by("pk"):
        if falls_due(now.date(), "UTC", since, now):
            yield Due(
                user_id=user.pk,
                kind=PING.name,
                object_key=f"user:{user.pk}",
                occasion=now.date().isoformat(),
                params={"title": user.name},
                link="/account/settings/",
            )
        if "pong" in user.name:
            yield Due(
                user_id=user.pk,
                kind=PONG.name,
                object_key=f"user:{user.pk}",
                occasion="once",
                params={"number": user.pk},
                link="/",
            )


def _still_due(items) -> set[int]:
    holding = set(
        User.objects.filter(
            pk__in={item.user_id for item in items}, name__startswith="probe"
        ).values_list("pk", flat=True)
    )
    return {item.pk for item in items if item.user_id in holding}


delivered_log: list[int] = []

SOURCE = Source(
    name="probe",
    kinds=(PING, PONG),
    due=_due,
    still_due=_still_due,
    delivered=lambda items: delivered_log.extend(item.pk for item in items),
)


class FolderBackend(BaseEmailBackend):
    """Writes each accepted message to ``GSX_TEST_MAILBOX`` as a file. While a file named
    ``stall`` lies there, it first writes ``started-<pid>`` and waits: the test kills the worker
    in the middle of a send."""

    def send_messages(self, email_messages):
        folder = Path(os.environ["GSX_TEST_MAILBOX"])
        for message in email_messages:
            if (folder / "stall").exists():
                (folder / f"started-{os.getpid()}").write_text("")
                time.sleep(120)
            name = f"{time.time_ns()}-{os.getpid()}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


class FlakyBackend(LocmemBackend):
    """The local-memory backend that refuses its first ``failures`` calls, like a mail server
    that is down for a while."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("the mail server is down")
        return super().send_messages(email_messages)
