import logging

from django import forms as forms_module
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from organizations.forms import (
    AssessmentForm,
    DocumentForm,
    EndorsementRequestForm,
    EvidenceForm,
    MessageForm,
    QueueFilterForm,
)
from organizations.letters import letter_language, letter_reference, recognition_letter_pdf
from organizations.models import (
    Criterion,
    Endorsement,
    EndorsementStatus,
    VettingApplication,
    VettingStatus,
)
from organizations.rules import is_vetting_reviewer
from organizations.selectors import (
    current_approval_of,
    organizations_visible_to,
    vetted_organizations_visible_to,
    vetting_applications_of,
)
from organizations.selectors.vetting import vetting_documents_of, vetting_grid, vetting_queue_for
from organizations.services import (
    endorsement_decide,
    endorsement_request,
    vetting_assess,
    vetting_rule_failures,
    vetting_save_evidence,
    vetting_set_state,
    vetting_start,
)
from organizations.services.vetting import EDITABLE_STATES, OPEN_STATES, may_review
from organizations.services.vetting_documents import vetting_document_add

security_log = logging.getLogger("gsx.security")


def _organization(request, slug):
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    # Whether an application exists is not for outsiders to learn: 404, not 403.
    if not request.user.has_perm("organizations.view_vetting", organization):
        raise Http404
    return organization


def _context(request, organization, application, criteria, **forms):
    reviewer = application is not None and may_review(request.user, application)
    can_assess = reviewer and application.status in (
        VettingStatus.SUBMITTED,
        VettingStatus.IN_REVIEW,
    )
    columns, rows = vetting_grid(application, criteria) if application else ([], [])
    if can_assess:
        for row in rows:
            row.rating_field, row.note_field = forms["assessment_form"].pair(row.criterion)
    return {
        "organization": organization,
        "application": application,
        "approval": current_approval_of(organization),
        "history": vetting_applications_of(organization),
        "rows": rows,
        "columns": columns,
        "assessed": any(cell for row in rows for cell in row.cells),
        "documents": list(vetting_documents_of(application)) if application else [],
        "documents_max": settings.VETTING_DOCUMENTS_MAX_COUNT,
        "document_max_bytes": settings.VETTING_DOCUMENT_MAX_BYTES,
        "can_assess": can_assess,
        "can_apply": request.user.has_perm("organizations.apply_for_vetting", organization),
        "editable": application is not None and application.status in EDITABLE_STATES,
        "open": application is not None and application.status in OPEN_STATES,
        "reviewer": reviewer,
        # Reviewer notes are for the secretariat; the applicant sees ratings only.
        "show_notes": is_vetting_reviewer(request.user),
        "rule_failures": vetting_rule_failures(application) if can_assess else [],
        "endorsements": application.endorsements.select_related("endorser") if application else [],
        **forms,
    }


def _posted(request, *actions: str):
    """The POST data for the form of one of ``actions``, None (an unbound form) otherwise."""
    return request.POST if request.POST.get("action") in actions else None


@require_http_methods(["GET", "POST"])
def vetting(request, slug):
    """The applicant's guided application and, for reviewers, the side-by-side review: the
    same URL, so that a link in an email works for both."""
    organization = _organization(request, slug)
    application = vetting_applications_of(organization).first()
    criteria = list(Criterion.objects.all())
    forms = {"start_form": forms_module.Form(_posted(request, "start"))}
    if application is not None:
        texts = {e.criterion_id: e.text for e in application.evidence.all()}
        forms["evidence_form"] = EvidenceForm(
            _posted(request, "save", "submit"), criteria=criteria, initial_texts=texts
        )
        mine = (
            {
                a.criterion_id: (a.rating, a.note)
                for a in application.assessments.filter(reviewer=request.user)
            }
            if request.user.is_authenticated
            else {}
        )
        forms["assessment_form"] = AssessmentForm(
            _posted(request, "assess"), criteria=criteria, initial_ratings=mine
        )
        forms["message_form"] = MessageForm(
            _posted(request, "request_changes", "approve", "decline")
        )
        forms["document_form"] = DocumentForm(
            _posted(request, "upload"), request.FILES if _posted(request, "upload") else None
        )
        forms["endorsement_form"] = EndorsementRequestForm(
            _posted(request, "endorse"),
            endorsers=vetted_organizations_visible_to(request.user).exclude(pk=organization.pk),
        )
    if request.method == "POST":
        response = _act(request, organization, application, forms)
        if response is not None:
            return response
    context = _context(request, organization, application, criteria, **forms)
    template = "vetting_review" if context["can_assess"] else "vetting"
    return render(request, f"organizations/{template}.html", context)


# The form that shows the errors of each action, at its fields or at its top.
_FORM_OF = {
    "start": "start_form",
    "save": "evidence_form",
    "submit": "evidence_form",
    "assess": "assessment_form",
    "request_changes": "message_form",
    "approve": "message_form",
    "decline": "message_form",
    "upload": "document_form",
    "endorse": "endorsement_form",
}


def _act(request, organization, application, forms):
    action = request.POST.get("action")
    if action not in _FORM_OF or (application is None and action != "start"):
        return HttpResponseBadRequest(_("Unknown action."))
    form = forms[_FORM_OF[action]]
    if not form.is_valid():
        return None
    try:
        _perform(request, organization, application, action, form)
    except ValidationError as error:
        # Keep what was typed, and say what is wrong where it is wrong.
        if action == "submit" and hasattr(error, "error_dict"):
            form.add_submission_errors(error.message_dict)
        elif hasattr(error, "error_dict"):
            for name, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(name if name in form.fields else None, text)
        else:
            for text in error.messages:
                form.add_error(None, text)
        return None
    messages.success(request, _SUCCESS.get(action, _("Saved.")))
    return redirect("organizations:vetting", slug=organization.slug)


_SUCCESS = {
    "submit": _lazy("Your application was submitted. The secretariat will review it."),
    "save": _lazy("Your draft was saved."),
    "upload": _lazy("The document was attached."),
}


def _perform(request, organization, application, action, form):
    if action == "start":
        vetting_start(organization=organization, by=request.user)
    elif action in ("save", "submit"):
        vetting_save_evidence(application=application, by=request.user, texts=form.texts())
        if action == "submit":
            vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=request.user)
    elif action == "assess":
        vetting_assess(application=application, reviewer=request.user, ratings=form.ratings())
    elif action in ("request_changes", "approve", "decline"):
        target = {
            "request_changes": VettingStatus.CHANGES_REQUESTED,
            "approve": VettingStatus.APPROVED,
            "decline": VettingStatus.DECLINED,
        }[action]
        vetting_set_state(
            application=application,
            to=target,
            by=request.user,
            message=form.cleaned_data["message"],
        )
    elif action == "upload":
        vetting_document_add(
            application=application,
            by=request.user,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
        )
    elif action == "endorse":
        endorsement_request(
            application=application, by=request.user, endorser=form.cleaned_data["endorser"]
        )


@require_GET
def vetting_queue_view(request):
    if not is_vetting_reviewer(request.user):
        raise PermissionDenied
    filters = QueueFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    applications = vetting_queue_for(
        request.user,
        status=data.get("status", ""),
        assessed=data.get("assessed", ""),
        newest_first=data.get("order") == "newest",
    )
    return render(
        request,
        "organizations/vetting_queue.html",
        {"applications": applications, "filters": filters},
    )


@require_http_methods(["GET", "POST"])
def endorsements(request, slug):
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    if not request.user.has_perm("organizations.decide_introductions", organization):
        raise PermissionDenied
    requests = Endorsement.objects.filter(endorser=organization).select_related(
        "application__organization"
    )
    if request.method == "POST":
        endorsement = get_object_or_404(requests, public_id=request.POST.get("endorsement"))
        try:
            endorsement_decide(
                endorsement=endorsement,
                by=request.user,
                give=request.POST.get("decision") == "give",
                statement=request.POST.get("statement", "")[:4000],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("organizations:endorsements", slug=slug)
    return render(
        request,
        "organizations/endorsements.html",
        {
            "organization": organization,
            "endorsements": requests,
            "requested": EndorsementStatus.REQUESTED,
        },
    )


@require_GET
def recognition_letter(request, slug):
    organization = _organization(request, slug)
    # The approval in force, even while a re-vetting is under way.
    application = current_approval_of(organization)
    if application is None:
        raise Http404
    security_log.info(
        "letter.downloaded organization=%s user=%s", organization.public_id, request.user.pk
    )
    # In the language chosen at download (?language=fr), else the reader's.
    language = letter_language(request.GET.get("language"))
    response = HttpResponse(
        recognition_letter_pdf(application, language), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="gsx-recognition-{organization.slug}-{language}.pdf"'
    )
    return response


@login_not_required
@require_GET
def verify_letter(request, code):
    """Public: is this letter genuine, and is it still valid? Nothing else is shown."""
    application = VettingApplication.objects.filter(
        verification_code=code,
        status__in=[VettingStatus.APPROVED, VettingStatus.EXPIRED],
    ).first()
    valid = bool(
        application
        and application.status == VettingStatus.APPROVED
        and application.valid_until > timezone.now()
    )
    return render(
        request,
        "organizations/verify_letter.html",
        {
            "application": application,
            "valid": valid,
            "reference": letter_reference(application) if application else "",
        },
        status=200 if application else 404,
    )
