"""The secretariat's catalogue: sources (with those that carry no published recommendation
yet), sources and recommendations created and edited, drafts published. Everyone else is
refused: 403 on the secretariat's own pages and on what they may see (a published
recommendation, a source that carries one), 404 on what they may not know exists (a draft, a
source of drafts only); nothing changes."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from recommendations import services
from recommendations.forms.catalogue import RecommendationForm, SourceForm, version_of
from recommendations.forms.progress import changed_meanwhile
from recommendations.rules import may_manage_recommendations
from recommendations.selectors import recommendations_visible_to, sources_visible_to
from recommendations.services.catalogue import recommendation_update, source_document_update

SOURCES_PER_PAGE = 50


EDITED_MEANWHILE = gettext_lazy(
    "Someone else saved a change here since you opened this form: compare with the values now "
    "recorded before you save. Nothing was saved; what you typed is kept."
)


def _secretariat_only(request) -> None:
    if not may_manage_recommendations(request.user):
        raise PermissionDenied


def _to_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, next to the field it names when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _source_page(source, anchor: str = ""):
    url = reverse("recommendations:source_edit", args=[source.public_id])
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _source(request, public_id):
    source = get_object_or_404(sources_visible_to(request.user), public_id=public_id)
    _secretariat_only(request)
    return source


def _recommendation(request, public_id):
    recommendation = get_object_or_404(
        recommendations_visible_to(request.user).select_related("source", "parent", "meeting"),
        public_id=public_id,
    )
    _secretariat_only(request)
    return recommendation


@require_http_methods(["GET"])
def source_list(request):
    _secretariat_only(request)
    sources = (
        sources_visible_to(request.user)
        .select_related("working_group")
        .annotate(
            recommendation_count=Count("recommendations"),
            published_count=Count("recommendations", filter=Q(recommendations__published=True)),
        )
        .order_by("-published_on", "title", "id")
    )
    page = Paginator(sources, SOURCES_PER_PAGE).get_page(request.GET.get("page"))
    return _private(render(request, "recommendations/catalogue_sources.html", {"page": page}))


@require_http_methods(["GET", "POST"])
def source_new(request):
    _secretariat_only(request)
    form = SourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_document_create(by=request.user, **form.service_fields())
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("The source was saved. Add its recommendations."))
            return _source_page(source)
    return _private(render(request, "recommendations/catalogue_source_form.html", {"form": form}))


@require_http_methods(["GET", "POST"])
def source_edit(request, public_id):
    source = _source(request, public_id)
    initial = SourceForm.initial_of(source)
    version = version_of(initial)
    form = SourceForm(request.POST or None, user=request.user, initial={**initial, "seen": version})
    if (
        request.method == "POST"
        and form.is_valid()
        and not changed_meanwhile(form, version, EDITED_MEANWHILE)
    ):
        try:
            _saved, changed = source_document_update(
                by=request.user, source=source, **form.service_fields()
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(
                request, _("The source was saved.") if changed else _("Nothing was changed.")
            )
            return _source_page(source)
    recommendations = source.recommendations.select_related("parent").order_by(
        "position", "reference", "id"
    )
    return _private(
        render(
            request,
            "recommendations/catalogue_source_form.html",
            {"form": form, "source": source, "recommendations": recommendations},
        )
    )


@require_http_methods(["GET", "POST"])
def recommendation_new(request):
    _secretariat_only(request)
    source = get_object_or_404(
        sources_visible_to(request.user), public_id=_uuid_or_404(request.GET.get("source"))
    )
    form = RecommendationForm(request.POST or None, user=request.user, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_create(
                by=request.user, source=source, **form.service_fields()
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(
                request,
                _("%(reference)s was saved.") % {"reference": recommendation.reference},
            )
            return _source_page(source, f"r-{recommendation.public_id}")
    return _private(
        render(
            request,
            "recommendations/catalogue_recommendation_form.html",
            {"form": form, "source": source, "recommendation": None},
        )
    )


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value or ""))
    except ValueError:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def recommendation_edit(request, public_id):
    recommendation = _recommendation(request, public_id)
    initial = RecommendationForm.initial_of(recommendation)
    version = version_of(initial)
    form = RecommendationForm(
        request.POST or None,
        user=request.user,
        source=recommendation.source,
        recommendation=recommendation,
        initial={**initial, "seen": version},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and not changed_meanwhile(form, version, EDITED_MEANWHILE)
    ):
        try:
            _updated, changed = recommendation_update(
                by=request.user, recommendation=recommendation, **form.service_fields()
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(
                request,
                _("%(reference)s was saved.") % {"reference": recommendation.reference}
                if changed
                else _("Nothing was changed."),
            )
            return _source_page(recommendation.source, f"r-{recommendation.public_id}")
    return _private(
        render(
            request,
            "recommendations/catalogue_recommendation_form.html",
            {"form": form, "source": recommendation.source, "recommendation": recommendation},
        )
    )


@require_POST
def recommendation_publish(request, public_id):
    recommendation = _recommendation(request, public_id)
    try:
        services.recommendation_publish(recommendation=recommendation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(reference)s is published.") % {"reference": recommendation.reference}
        )
    return _source_page(recommendation.source, f"r-{recommendation.public_id}")
