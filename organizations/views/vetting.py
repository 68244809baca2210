import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organizations.forms import AssessmentForm, EndorsementRequestForm, EvidenceForm, MessageForm
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
    vetting_queue,
)
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

security_log = logging.getLogger("gsx.security")


def _organization(request, slug):
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    # Whether an application exists is not for outsiders to learn: 404, not 403.
    if not request.user.has_perm("organizations.view_vetting", organization):
        raise Http404
    return organization


def _context(request, organization, application, **forms):
    criteria = list(Criterion.objects.all())
    reviewer = application is not None and may_review(request.user, application)
    evidence = {e.criterion_id: e.text for e in application.evidence.all()} if application else {}
    assessments = (
        list(application.assessments.select_related("reviewer", "criterion")) if application else []
    )
    return {
        "organization": organization,
        "application": application,
        "approval": current_approval_of(organization),
        "history": vetting_applications_of(organization),
        "evidence_rows": [(c, evidence.get(c.pk, "")) for c in criteria],
        "can_assess": reviewer
        and application.status in (VettingStatus.SUBMITTED, VettingStatus.IN_REVIEW),
        "can_apply": request.user.has_perm("organizations.apply_for_vetting", organization),
        "editable": application is not None and application.status in EDITABLE_STATES,
        "open": application is not None and application.status in OPEN_STATES,
        "reviewer": reviewer,
        # Reviewer notes are for the secretariat; the applicant sees ratings only.
        "assessments": assessments,
        "show_notes": is_vetting_reviewer(request.user),
        "rule_failures": vetting_rule_failures(application) if reviewer else [],
        "endorsements": application.endorsements.select_related("endorser") if application else [],
        **forms,
    }


@require_http_methods(["GET", "POST"])
def vetting(request, slug):
    organization = _organization(request, slug)
    application = vetting_applications_of(organization).first()
    criteria = list(Criterion.objects.all())
    evidence_form = assessment_form = None
    if application is not None:
        texts = {e.criterion_id: e.text for e in application.evidence.all()}
        evidence_form = EvidenceForm(
            request.POST if request.POST.get("action") in ("save", "submit") else None,
            criteria=criteria,
            initial_texts=texts,
        )
        mine = (
            {
                a.criterion_id: (a.rating, a.note)
                for a in application.assessments.filter(reviewer=request.user)
            }
            if request.user.is_authenticated
            else {}
        )
        assessment_form = AssessmentForm(
            request.POST if request.POST.get("action") == "assess" else None,
            criteria=criteria,
            initial_ratings=mine,
        )
    message_form = MessageForm(request.POST or None)
    endorsement_form = EndorsementRequestForm(
        request.POST if request.POST.get("action") == "endorse" else None,
        endorsers=vetted_organizations_visible_to(request.user).exclude(pk=organization.pk),
    )
    if request.method == "POST":
        response = _act(
            request,
            organization,
            application,
            evidence_form,
            assessment_form,
            message_form,
            endorsement_form,
        )
        if response is not None:
            return response
    return render(
        request,
        "organizations/vetting.html",
        _context(
            request,
            organization,
            application,
            evidence_form=evidence_form,
            assessment_form=assessment_form,
            message_form=message_form,
            endorsement_form=endorsement_form,
        ),
    )


def _act(
    request,
    organization,
    application,
    evidence_form,
    assessment_form,
    message_form,
    endorsement_form,
):
    action = request.POST.get("action")
    try:
        if action == "start":
            vetting_start(organization=organization, by=request.user)
        elif application is None:
            raise ValidationError(_("There is no application."))
        elif action in ("save", "submit"):
            if not evidence_form.is_valid():
                return None
            vetting_save_evidence(
                application=application, by=request.user, texts=evidence_form.texts()
            )
            if action == "submit":
                vetting_set_state(
                    application=application, to=VettingStatus.SUBMITTED, by=request.user
                )
        elif action == "assess":
            if not assessment_form.is_valid():
                return None
            vetting_assess(
                application=application, reviewer=request.user, ratings=assessment_form.ratings()
            )
        elif action in ("request_changes", "approve", "decline"):
            target = {
                "request_changes": VettingStatus.CHANGES_REQUESTED,
                "approve": VettingStatus.APPROVED,
                "decline": VettingStatus.DECLINED,
            }[action]
            message = message_form.cleaned_data["message"] if message_form.is_valid() else ""
            vetting_set_state(application=application, to=target, by=request.user, message=message)
        elif action == "endorse":
            if not endorsement_form.is_valid():
                return None
            endorsement_request(
                application=application,
                by=request.user,
                endorser=endorsement_form.cleaned_data["endorser"],
            )
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        # Keep what was typed: show the page again with the submitted forms.
        return None
    messages.success(request, _("Saved."))
    return redirect("organizations:vetting", slug=organization.slug)


@require_GET
def vetting_queue_view(request):
    if not is_vetting_reviewer(request.user):
        raise PermissionDenied
    return render(request, "organizations/vetting_queue.html", {"applications": vetting_queue()})


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
