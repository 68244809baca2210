"""An upload handler that keeps at most FILE_UPLOAD_MAX_BYTES of a request's files on disk.

Django writes every uploaded file to a temporary file before any view runs (the CSRF check
already reads the body), so without a cap anyone, signed in or not, could fill the disk with
one large request: nothing in front of gunicorn limits a body's size. Past the cap the rest is
read and dropped, but each file keeps its real size, so the view that checks sizes (a vetting
document) still says at the field that the file is too large.
"""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = 0  # bytes written for the whole request, over all its files

    def receive_data_chunk(self, raw_data, start):
        room = max(settings.FILE_UPLOAD_MAX_BYTES - self.kept, 0)
        kept = raw_data[:room]
        if kept:
            self.file.write(kept)
            self.kept += len(kept)
        return None
