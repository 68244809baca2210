from django.conf import settings
from django.core.management.base import BaseCommand
from kombu.utils.url import maybe_sanitize_url

from gsx_portal import embedded_redis


def broker_in_use() -> str:
    """The Celery broker and cache the settings chose, in words (no password)."""
    if settings.REDIS_SERVER == "configured":
        return f"Redis at {maybe_sanitize_url(settings.REDIS_URL)} (REDIS_URL)"
    if settings.REDIS_SERVER == "embedded":
        socket = embedded_redis.socket_path(settings.DATA_DIR / "valkey")
        db = settings.REDIS_URL.rpartition("db=")[2]
        return f"embedded Valkey on {socket}, database {db} (no REDIS_URL set)"
    return (
        f"filesystem broker under {settings.BROKER_DIR} (no REDIS_URL set, and no valkey-server "
        "for this platform)"
    )


class Command(BaseCommand):
    help = "Print the Celery broker and cache in use: REDIS_URL, embedded Valkey or filesystem."
    requires_system_checks = []

    def handle(self, *args, **options):
        self.stdout.write(broker_in_use())
