from django.core.management.base import BaseCommand
from django.db.models import Count, Min
from django.utils import timezone

from gsx_portal import reminders
from gsx_portal.models import (
    DeliveryState,
    DigestState,
    ReminderDelivery,
    ReminderDigest,
    ReminderSweepRun,
)


class Command(BaseCommand):
    help = (
        "Reminders: 'sweep' runs the periodic sweep once now (the workers send the digests it "
        "queues); 'status' shows each source's last run and what is waiting or failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep", "status"])

    def handle(self, *args, action, **options):
        if action == "sweep":
            done = reminders.reminders_send_due()
            for name, count in done.items():
                self.stdout.write(f"{name}: {count}")
            return
        self._status()

    def _status(self):
        now = timezone.now()
        runs = dict(ReminderSweepRun.objects.values_list("source", "last_run_at"))
        self.stdout.write("Sources (last run):")
        for source in reminders.sources():
            last = runs.get(source.name)
            when = f"{last:%Y-%m-%d %H:%M} UTC ({_ago(now - last)} ago)" if last else "never"
            self.stdout.write(f"  {source.name}: {when}")
        waiting = ReminderDelivery.objects.filter(state=DeliveryState.PENDING).aggregate(
            count=Count("pk"), oldest=Min("claimed_at")
        )
        self.stdout.write(f"Items waiting for a digest: {waiting['count']}")
        if waiting["oldest"]:
            self.stdout.write(f"  oldest claimed {_ago(now - waiting['oldest'])} ago")
        digests = dict(
            ReminderDigest.objects.values_list("state").annotate(n=Count("pk")).order_by()
        )
        for state in DigestState:
            self.stdout.write(f"Digests {state.value}: {digests.get(state.value, 0)}")


def _ago(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} days"
