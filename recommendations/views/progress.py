"""The recommendation page's actions, each on a page of its own so that it works without
JavaScript: an addressee's response, a self-report, an independent assessment, and the
secretariat's moderation. Who sees a form is who may post it (``recommendations.rules``, asked
against the roles now, on GET and again by the service on POST); a refusal changes nothing and
says why; typed text is kept on any error."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gsx_portal.pagination import CappedPaginator
from recommendations import services
from recommendations.forms.progress import (
    AssessmentForm,
    HideForm,
    ResponseForm,
    SelfReportForm,
    changed_meanwhile,
)
from recommendations.models import Perspective
from recommendations.rules import may_manage_recommendations, may_respond_for
from recommendations.selectors import (
    HIDDEN_ORGANIZATION,
    organization_ids_shown_to,
    recommendations_visible_to,
    responses_visible_to,
    updates_visible_to,
)
from recommendations.selectors_detail import (
    addressees_shown,
    moderation_queue,
    progress_choices,
    version_seen,
)

MODERATION_PAGE_SIZE = 25
RESPONSE_REFUSED = gettext_lazy(
    "Only members of the addressed organization, or the secretariat, may record its response. "
    "Nothing was recorded."
)


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _visible(request, public_id):
    return get_object_or_404(
        recommendations_visible_to(request.user).select_related("source"), public_id=public_id
    )


def _to_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, next to the field it names when it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


CHANGED_MEANWHILE = gettext_lazy(
    "This recommendation or its response changed since you opened this form: read it again "
    "before you send. Nothing was recorded; what you typed is kept."
)


def _changed_meanwhile(form, version: str) -> bool:
    return changed_meanwhile(form, version, CHANGED_MEANWHILE)


def _back(recommendation, anchor: str):
    return redirect(reverse("recommendations:detail", args=[recommendation.public_id]) + anchor)


def _refused(request, recommendation, message: str):
    """403 with the reason, and the way back: the reader sees the recommendation but may not
    make this change (any more: roles are asked now, not when the form was opened)."""
    context = {"recommendation": recommendation, "message": message}
    return _private(render(request, "recommendations/respond_refused.html", context, status=403))


@require_http_methods(["GET", "POST"])
def respond(request, public_id, response_id):
    recommendation = _visible(request, public_id)
    response = get_object_or_404(
        responses_visible_to(request.user).filter(recommendation=recommendation),
        public_id=response_id,
    )
    if not may_respond_for(request.user, response.organization):
        return _refused(request, recommendation, RESPONSE_REFUSED)
    initial = {"status": response.status if response.status != "pending" else None}
    initial |= {"comment": response.comment, "responded_on": response.responded_on}
    version = version_seen(recommendation, response)
    form = ResponseForm(request.POST or None, initial={**initial, "seen": version})
    if request.method == "POST" and form.is_valid() and not _changed_meanwhile(form, version):
        try:
            data = form.cleaned_data
            services.response_record(
                response=response,
                by=request.user,
                status=data["status"],
                comment=data["comment"],
                responded_on=data["responded_on"],
            )
        except PermissionDenied:
            return _refused(request, recommendation, RESPONSE_REFUSED)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The response was recorded."))
            return _back(recommendation, "#responses-title")
    shown = organization_ids_shown_to(request.user, [response.organization_id])
    context = {
        "form": form,
        "recommendation": recommendation,
        "response": response,
        "organization_name": response.organization.name if shown else HIDDEN_ORGANIZATION,
    }
    return _private(render(request, "recommendations/respond.html", context))


def _update_page(request, public_id, perspective: str):
    user = request.user
    recommendation = _visible(request, public_id)
    if not recommendation.published:
        messages.error(request, _("Updates are for published recommendations."))
        return _back(recommendation, "")
    key = "self_report" if perspective == Perspective.SELF_REPORT else "assess"
    organizations = progress_choices(user, recommendation)[key]
    if not organizations:
        return _refused(request, recommendation, REFUSALS[key])
    version = version_seen(recommendation)
    if key == "self_report":
        form = SelfReportForm(
            request.POST or None, organizations=organizations, initial={"seen": version}
        )
    else:
        form = AssessmentForm(
            request.POST or None,
            organizations=organizations,
            addressees=addressees_shown(user, recommendation),
            initial={"seen": version},
        )
    if request.method == "POST" and form.is_valid() and not _changed_meanwhile(form, version):
        data = form.cleaned_data
        try:
            services.implementation_update_add(
                by=user,
                recommendation=recommendation,
                perspective=perspective,
                reporting_organization=data["organization"],
                status=data["status"],
                summary=data["summary"],
                evidence_links=data["evidence_links"],
                reported_on=data["reported_on"],
                addressee=data.get("addressee"),
            )
        except PermissionDenied:
            return _refused(request, recommendation, REFUSALS[key])
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, str(DONE[key]))
            return _back(recommendation, "#perspectives-title")
    context = {"form": form, "recommendation": recommendation, "kind": key}
    return _private(render(request, "recommendations/update_form.html", context))


REFUSALS = {
    "self_report": gettext_lazy(
        "Only members of an organization this recommendation addresses may report on its "
        "behalf. Nothing was recorded."
    ),
    "assess": gettext_lazy(
        "Only members of a civil society organization vetted now may publish an independent "
        "assessment. Nothing was recorded."
    ),
}
DONE = {
    "self_report": gettext_lazy("Your organization's report was published."),
    "assess": gettext_lazy("Your independent assessment was published."),
}


@require_http_methods(["GET", "POST"])
def self_report(request, public_id):
    return _update_page(request, public_id, Perspective.SELF_REPORT)


@require_http_methods(["GET", "POST"])
def assess(request, public_id):
    return _update_page(request, public_id, Perspective.INDEPENDENT)


def _moderator(request):
    if not may_manage_recommendations(request.user):
        raise Http404


@require_http_methods(["GET", "POST"])
def update_hide(request, public_id):
    """The secretariat hides an update, saying why. Others: 404 (they may not know of hidden
    updates, and moderation is not theirs)."""
    _moderator(request)
    update = get_object_or_404(
        updates_visible_to(request.user).select_related("recommendation", "hidden_by"),
        public_id=public_id,
    )
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.implementation_update_hide(
                update=update, by=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The update is hidden; the reason is recorded."))
            return redirect(_safe_next(request) or reverse("recommendations:moderation"))
    context = {"form": form, "update": update, "next": _safe_next(request)}
    return _private(render(request, "recommendations/moderation_hide.html", context))


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return ""


@require_GET
def moderation(request):
    """Recent updates, newest first, each with a form to hide it, or why and by whom it was."""
    _moderator(request)
    paginator = CappedPaginator(moderation_queue(request.user), MODERATION_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"page": page, "hide_form": HideForm()}
    return _private(render(request, "recommendations/moderation.html", context))
