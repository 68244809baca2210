from django.apps import AppConfig


class ProbeConfig(AppConfig):
    """Registers the probe source in a worker started by a test (worker_settings.py)."""

    name = "tests.reminders"
    label = "reminders_probe"

    def ready(self):
        from gsx_portal import reminders
        from tests.reminders.probe import SOURCE

        reminders.register_source(SOURCE)
