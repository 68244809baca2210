import copy
import logging
import uuid

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gsx_portal.cached_pages import cached_directory, cached_organization, directory_fragment
from gsx_portal.pagination import CappedPaginator
from organizations.exports import organizations_csv_rows
from organizations.filters import (
    OrganizationFilter,
    filter_option_counts,
    label_options_with_counts,
)
from organizations.forms import OrganizationForm
from organizations.models import REQUESTER_SECTORS, Organization, Sector
from organizations.rules import is_member_of, is_secretariat
from organizations.search import directory_suggestions
from organizations.selectors import (
    NETWORK_READER,
    held_organizations,
    introduction_ask_again_from,
    introduction_of_requester,
    organization_list,
    organizations_visible_to,
    requester_organizations,
    requester_verification_of,
    unverified_requester_organizations,
    visibility_audience,
)
from organizations.services import (
    is_vetted,
    organization_clear_hold,
    organization_register,
    organization_update,
    visibility_change_warning,
)
from organizations.services.directory import IDENTITY_FIELDS

PAGE_SIZE = 25
security_log = logging.getLogger("gsx.security")


# The filters folded in <details> (the search box stays in view).
FILTER_PARAMETERS = ("sector", "country", "region", "theme", "women_led", "youth_led")
FILTER_PARAMETERS += ("language", "vetted", "vetting_status", "updated_since")


@login_not_required
@require_GET
@cached_directory
def organization_directory(request):
    # Anonymous pages are cached whole (cached_directory); the body of a signed-in reader's
    # page is shared with those who see the same organizations (directory_fragment).
    audience = visibility_audience(request.user) if request.user.is_authenticated else None
    # What is shared is rendered for the audience's rows, not the user's: a membership that
    # changes during this request must not slip into what others are given.
    reader = NETWORK_READER if audience == "network" else None
    body = directory_fragment(
        request, audience=audience, render=lambda: _directory_body(request, reader=reader)
    )
    return render(request, "organizations/directory.html", {"body": body})


def _directory_body(request, *, reader=None) -> str:
    """The directory as ``request``'s reader (or ``reader``) sees it, without the site's frame:
    made from the organizations they see and the query alone (never from the user, a session
    or a token)."""
    visible = organization_list(request.user, reader=reader)
    filterset = OrganizationFilter(request.GET, queryset=visible, request=request)
    # Invalid filters are shown on the form and the list stays unfiltered rather than failing.
    organizations = filterset.qs if filterset.is_valid() else visible
    paginator = CappedPaginator(organizations, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    # Counting per option aggregates over every result: only worth it on a narrowed list.
    counted_options = (
        not paginator.count_capped and paginator.count <= settings.DIRECTORY_OPTION_COUNTS_LIMIT
    )
    if counted_options:
        label_options_with_counts(filterset, filter_option_counts(organizations))
    query = request.GET.copy()
    query.pop("page", None)
    text = filterset.form.cleaned_data.get("q") if filterset.is_valid() else ""
    return render_to_string(
        "organizations/directory_body.html",
        {
            "signed_in": request.user.is_authenticated,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "active_filters": sum(1 for name in FILTER_PARAMETERS if request.GET.get(name)),
            "counted_options": counted_options,
            "option_counts_limit": settings.DIRECTORY_OPTION_COUNTS_LIMIT,
            "suggestions": directory_suggestions(visible, text)
            if text and not page.paginator.count
            else [],
        },
    )


@login_not_required
@require_GET
@cached_organization
def organization_detail(request, slug):
    organization = get_object_or_404(
        organizations_visible_to(request.user).prefetch_related("themes"), slug=slug
    )
    introduction = introduction_of_requester(request.user, organization)
    summary, summary_language = organization.summary_for(get_language())
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "summary": summary,
            "summary_language": summary_language,
            # Offered to readers of other languages; the one shown is not "also" available.
            "other_summary_languages": [
                get_language_info(code)["name_translated"]
                for code in organization.summary_languages()
                if code != summary_language
            ],
            "can_edit": request.user.has_perm("organizations.change_profile", organization),
            "can_view_members": request.user.has_perm("organizations.view_members", organization),
            "can_view_vetting": request.user.has_perm("organizations.view_vetting", organization),
            "can_view_history": request.user.has_perm("organizations.view_history", organization),
            "vetted": is_vetted(organization),
            "can_decide_introductions": request.user.has_perm(
                "organizations.decide_introductions", organization
            ),
            "may_request_introduction": organization.sector == Sector.CIVIL_SOCIETY
            # A held CSO shows the same button; the request is refused as by one that accepts
            # none, so that nothing shows a hold.
            and organization.accepts_introductions
            and requester_organizations(request.user).exists(),
            "awaiting_verification": organization.sector == Sector.CIVIL_SOCIETY
            and not is_member_of(request.user, organization)
            and unverified_requester_organizations(request.user).exists(),
            "requester_verification": requester_verification_of(organization),
            "is_requester_sector": organization.sector in REQUESTER_SECTORS,
            "is_member": is_member_of(request.user, organization),
            "introduction": introduction,
            "ask_again_from": introduction and introduction_ask_again_from(introduction),
        },
    )


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_register(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered. You are its administrator.")
                % {"name": organization.name},
            )
            if organization.sector in REQUESTER_SECTORS:
                messages.info(
                    request,
                    _(
                        "The secretariat will verify %(name)s before its members can ask civil "
                        "society organizations for introductions. Until then you can browse "
                        "the directory like anyone signed in."
                    )
                    % {"name": organization.name},
                )
            return redirect("organizations:detail", slug=organization.slug)
    return render(request, "organizations/form.html", {"form": form, "organization": None})


def _editable_fields(user, organization) -> list[str]:
    if not user.has_perm("organizations.change_profile", organization):
        return list(IDENTITY_FIELDS)  # the secretariat, for the recognised identity
    fields = list(OrganizationForm.Meta.fields)
    if not user.has_perm("organizations.change_visibility", organization):
        fields.remove("visibility_tier")
    return fields


@require_http_methods(["GET", "POST"])
def organization_edit(request, slug):
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    if not (
        request.user.has_perm("organizations.change_profile", organization)
        or request.user.has_perm("organizations.change_identity", organization)
    ):
        raise PermissionDenied
    # The form writes into its own copy, so the page keeps showing the stored name on errors.
    form = OrganizationForm(
        request.POST or None,
        instance=copy.copy(organization),
        editable_fields=_editable_fields(request.user, organization),
    )
    if request.method == "POST" and form.is_valid():
        tier = form.cleaned_data.get("visibility_tier", organization.visibility_tier)
        confirmed = request.POST.get("confirm_visibility_change") == "yes"
        if tier != organization.visibility_tier and not confirmed:
            # A change of who sees the profile is applied only after the admin has read what it
            # shows: this page carries the submitted values on, without JavaScript.
            return render(
                request,
                "organizations/confirm_visibility.html",
                {
                    "organization": organization,
                    "warning": visibility_change_warning(organization.visibility_tier, tier),
                    "fields": [
                        (name, value)
                        for name, values in request.POST.lists()
                        if name not in ("csrfmiddlewaretoken", "confirm_visibility_change")
                        for value in values
                    ],
                },
            )
        try:
            organization_update(
                organization=organization,
                user=request.user,
                confirm_visibility_change=confirmed,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("organizations:detail", slug=organization.slug)
    return render(request, "organizations/form.html", {"form": form, "organization": organization})


@require_http_methods(["GET", "POST"])
def held_organizations_view(request):
    """The secretariat's list of organizations held for a name close to another's."""
    if not is_secretariat(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            public_id = uuid.UUID(request.POST.get("organization", ""))
        except ValueError:
            raise Http404 from None
        organization = get_object_or_404(Organization, public_id=public_id, held_for_review=True)
        organization_clear_hold(organization=organization, by=request.user)
        messages.success(request, _("%(name)s is no longer held.") % {"name": organization.name})
        return redirect("organizations:held")
    return render(request, "organizations/held.html", {"organizations": held_organizations()})


EXPORT_CHUNK = 500


@require_GET
@reauthentication_required  # a list of organizations leaves the portal: confirm who asks
def organization_export(request):
    """The current filter of the directory as CSV, streamed; a security event."""
    filterset = OrganizationFilter(
        request.GET, queryset=organization_list(request.user), request=request
    )
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
        )
    security_log.info(
        "directory.exported user=%s query=%s", request.user.pk, request.GET.urlencode()[:500]
    )
    rows = organizations_csv_rows(
        filterset.qs.iterator(chunk_size=EXPORT_CHUNK), language=get_language()
    )
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="gsx-organizations.csv"'
    return response
