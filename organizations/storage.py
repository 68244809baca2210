"""Where files that must never be public are kept (supporting documents of vetting).

The storage is rooted at PRIVATE_MEDIA_ROOT, outside static/ and MEDIA_ROOT, and has no URL:
no URL pattern or whitenoise serves it; files leave only through permission-checked views.
"""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    # Read at each use rather than once, so that tests (and a changed setting) move it.
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks access.")


private_storage = PrivateStorage()


def private_storage_callable() -> PrivateStorage:
    return private_storage


def random_document_name(instance, filename: str) -> str:
    # The uploader's file name stays in the database only: on disk, nothing to guess or inject.
    return f"vetting/{uuid.uuid4().hex}"
