"""Supporting documents of a vetting application: downloaded and removed only through these
views, which check who asks at the moment they ask (no URL serves the files directly)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organizations.selectors.vetting import vetting_document_for
from organizations.services.vetting import EDITABLE_STATES
from organizations.services.vetting_documents import document_file_name, vetting_document_remove
from organizations.views.vetting import _organization


def _document(request, slug, public_id):
    # Anyone who may not follow the vetting learns nothing, not even that the document exists.
    organization = _organization(request, slug)
    document = vetting_document_for(request.user, organization, public_id)
    if document is None:
        raise Http404
    return organization, document


def document_response(document):
    """The file as an attachment, of the type found in its content, never cached or sniffed
    (the page and the API both answer with this)."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        # Again here for documents stored before names were cleaned at upload.
        filename=document_file_name(document.original_name, document.content_type),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    # Even opened in a tab by mistake, the file may not run anything or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def vetting_document(request, slug, public_id):
    _, document = _document(request, slug, public_id)
    return document_response(document)


@require_http_methods(["GET", "POST"])
def vetting_document_remove_view(request, slug, public_id):
    organization, document = _document(request, slug, public_id)
    if not request.user.has_perm("organizations.apply_for_vetting", organization):
        raise PermissionDenied
    error = None
    if document.application.status not in EDITABLE_STATES:
        error = _("The application can no longer be changed.")
    elif request.method == "POST":
        try:
            vetting_document_remove(document=document, by=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The document was removed."))
            return redirect("organizations:vetting", slug=organization.slug)
    return render(
        request,
        "organizations/vetting_document_remove.html",
        {"organization": organization, "document": document, "error": error},
        status=400 if error and request.method == "POST" else 200,
    )
