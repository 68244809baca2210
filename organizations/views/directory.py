import logging

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organizations.exports import organizations_csv_rows
from organizations.filters import OrganizationFilter
from organizations.forms import OrganizationForm
from organizations.models import Sector
from organizations.selectors import (
    introduction_of_requester,
    organization_list,
    organizations_visible_to,
    requester_organizations,
)
from organizations.services import is_vetted, organization_register, organization_update

PAGE_SIZE = 25
security_log = logging.getLogger("gsx.security")


@login_not_required
@require_GET
def organization_directory(request):
    filterset = OrganizationFilter(request.GET, queryset=organization_list(request.user))
    # Invalid filters are shown on the form and the list stays unfiltered rather than failing.
    organizations = filterset.qs if filterset.is_valid() else organization_list(request.user)
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/directory.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_not_required
@require_GET
def organization_detail(request, slug):
    organization = get_object_or_404(
        organizations_visible_to(request.user).prefetch_related("themes"), slug=slug
    )
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "can_edit": request.user.has_perm("organizations.change_profile", organization),
            "can_view_members": request.user.has_perm("organizations.view_members", organization),
            "can_view_vetting": request.user.has_perm("organizations.view_vetting", organization),
            "can_view_history": request.user.has_perm("organizations.view_history", organization),
            "vetted": is_vetted(organization),
            "can_decide_introductions": request.user.has_perm(
                "organizations.decide_introductions", organization
            ),
            "may_request_introduction": organization.sector == Sector.CIVIL_SOCIETY
            and organization.accepts_introductions
            and requester_organizations(request.user).exists(),
            "introduction": introduction_of_requester(request.user, organization),
        },
    )


@require_http_methods(["GET", "POST"])
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = organization_register(user=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(name)s is registered. You are its administrator.") % {"name": organization.name},
        )
        return redirect("organizations:detail", slug=organization.slug)
    return render(request, "organizations/form.html", {"form": form, "organization": None})


@require_http_methods(["GET", "POST"])
def organization_edit(request, slug):
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    if not request.user.has_perm("organizations.change_profile", organization):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        organization_update(organization=organization, user=request.user, **form.cleaned_data)
        messages.success(request, _("The profile was saved."))
        return redirect("organizations:detail", slug=organization.slug)
    return render(request, "organizations/form.html", {"form": form, "organization": organization})


EXPORT_CHUNK = 500


@require_GET
@reauthentication_required  # a list of organizations leaves the portal: confirm who asks
def organization_export(request):
    """The current filter of the directory as CSV, streamed; a security event."""
    filterset = OrganizationFilter(request.GET, queryset=organization_list(request.user))
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
        )
    security_log.info(
        "directory.exported user=%s query=%s", request.user.pk, request.GET.urlencode()[:500]
    )
    rows = organizations_csv_rows(filterset.qs.iterator(chunk_size=EXPORT_CHUNK))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="gsx-organizations.csv"'
    return response
