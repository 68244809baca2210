"""Settings for a Celery worker that a test starts as a separate process: the portal's own,
on the test database and broker, with the probe source and a mail backend that writes to a
folder (the mail server stands outside the test)."""

import os

from gsx_portal.settings import *  # noqa: F403
from gsx_portal.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.reminders.apps.ProbeConfig"]
DATABASES["default"]["NAME"] = os.environ["GSX_TEST_DATABASE"]
DATABASES["default"]["CONN_MAX_AGE"] = 0
CELERY_BROKER_URL = os.environ["GSX_TEST_BROKER_URL"]
# A task whose worker died is given to another worker after a few seconds, not an hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 4,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
MAILERS = {"default": {"BACKEND": "tests.reminders.probe.FolderBackend"}}
