"""Supporting documents of a vetting application: the one door in and the one door out.

A document's type is decided from its first bytes, never from the browser's content type or the
file name; the file is stored privately under a random name (organizations.storage) and removed
from disk once the deletion of its row is committed, whichever way the row goes (removal here, or
the erasure of the application or organization, which cascade).
"""

import logging
import unicodedata

import puremagic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_delete
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from organizations.models import User, VettingApplication, VettingDocument
from organizations.services.vetting import EDITABLE_STATES

log = logging.getLogger(__name__)

ALLOWED_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")
SNIFF_BYTES = 2048
# The extension a downloaded file is saved with, by the type found in its content.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/webp": (".webp",),
}
NAME_MAX_LENGTH = 200
# Zero-width (non-)joiners are part of Persian and Arabic spelling; every other format character
# (direction overrides, isolates, marks) is dropped from names.
JOINERS = ("\u200c", "\u200d")


def _printable(character: str) -> bool:
    return unicodedata.category(character)[0] not in "CZ"  # control, format, separator


def document_file_name(name: str, content_type: str) -> str:
    """The name a document is shown and downloaded under: the uploader's name without folders,
    control or direction characters (a right-to-left override shows "cod.exe" as "exe.doc"),
    and with the extension of the type found in its content. A PDF that is also an HTML page
    uploaded as "report.html" is saved as "report.html.pdf", so that opening the download
    shows a PDF rather than running the page from the disk, where no header protects it."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c in JOINERS or c == " " or _printable(c))
    name = " ".join(name.split()).strip(". ") or "document"
    extensions = EXTENSIONS.get(content_type, ("",))
    found = next((e for e in extensions if e and name.lower().endswith(e)), None)
    stem, extension = (name[: -len(found)], name[-len(found) :]) if found else (name, extensions[0])
    return stem[: NAME_MAX_LENGTH - len(extension)] + extension


def detected_type(upload) -> str | None:
    """The content type found in the file's first bytes, if it is one we accept."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not head:
        return None
    try:
        found = puremagic.from_string(head, mime=True)
    except puremagic.PureError:
        return None
    return found if found in ALLOWED_TYPES else None


def _check_editable(application: VettingApplication, by: User) -> None:
    if not by.has_perm("organizations.apply_for_vetting", application.organization):
        raise PermissionDenied
    if application.status not in EDITABLE_STATES:
        raise ValidationError(_("The application can no longer be changed."))


@transaction.atomic
def vetting_document_add(
    *, application: VettingApplication, by: User, upload, kind: str, description: str = ""
) -> VettingDocument:
    """Attach a file to an application being written (draft or changes requested).

    Refused (ValidationError on the ``file`` field) when it is larger than
    VETTING_DOCUMENT_MAX_BYTES, when its content is not a PDF, PNG, JPEG or WebP, or when the
    application already has VETTING_DOCUMENTS_MAX_COUNT documents.
    """
    application = VettingApplication.objects.select_for_update().get(pk=application.pk)
    _check_editable(application, by)
    if application.documents.count() >= settings.VETTING_DOCUMENTS_MAX_COUNT:
        raise ValidationError(
            {
                "file": _("An application can carry at most %(n)d documents.")
                % {"n": settings.VETTING_DOCUMENTS_MAX_COUNT}
            }
        )
    if upload.size > settings.VETTING_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)s.")
                % {"limit": filesizeformat(settings.VETTING_DOCUMENT_MAX_BYTES)}
            }
        )
    content_type = detected_type(upload)
    if content_type is None:
        raise ValidationError(
            {"file": _("The file is not a PDF, PNG, JPEG or WebP image (checked by its content).")}
        )
    document = VettingDocument(
        application=application,
        kind=kind,
        description=description.strip(),
        original_name=document_file_name(upload.name, content_type),
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    document.file.save("upload", upload, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        # A row refused after the file was written leaves no orphan on disk.
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def vetting_document_remove(*, document: VettingDocument, by: User) -> None:
    """Remove a document while its application is editable; the file goes after commit."""
    _check_editable(document.application, by)
    document.delete()


def _delete_file_on_commit(sender, instance: VettingDocument, **kwargs) -> None:
    # The one hook that also catches cascades (an erased application or organization): the file
    # goes only when the deletion is committed, so a rollback never leaves a row without a file.
    name, storage = instance.file.name, instance.file.storage
    if not name:
        return

    def delete():
        try:
            storage.delete(name)
        except OSError:
            log.exception("Could not delete the private file %s", name)

    transaction.on_commit(delete)


post_delete.connect(
    _delete_file_on_commit, sender=VettingDocument, dispatch_uid="gsx-vetting-document-file"
)
