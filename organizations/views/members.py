from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations.forms import InvitationForm, RoleForm
from organizations.models import Invitation, Membership
from organizations.selectors import (
    contact_reveals_of,
    members_of,
    open_invitations_of,
    organization_history,
    organizations_visible_to,
)
from organizations.services import (
    invitation_accept,
    invitation_for_token,
    invitation_revoke,
    membership_change_role,
    membership_invite,
    membership_remove,
)
from organizations.views.confirm import confirmation, with_names


def _organization(request, slug, permission):
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    if not request.user.has_perm(permission, organization):
        raise PermissionDenied
    return organization


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_http_methods(["GET", "POST"])
def organization_members(request, slug):
    organization = _organization(request, slug, "organizations.view_members")
    can_manage = request.user.has_perm("organizations.manage_members", organization)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                membership_invite(organization=organization, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("email", _error_text(error))
            else:
                messages.success(
                    request,
                    _("The invitation was sent to %(email)s.")
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("organizations:members", slug=slug)
    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "members": members_of(organization),
            "invitations": open_invitations_of(organization) if can_manage else [],
            "can_manage": can_manage,
            "form": form,
            "roles": RoleForm.base_fields["role"].choices,
        },
    )


def _membership(request, slug, public_id):
    organization = _organization(request, slug, "organizations.view_members")
    return get_object_or_404(Membership, organization=organization, public_id=public_id)


@require_POST
def membership_role(request, slug, public_id):
    membership = _membership(request, slug, public_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("organizations:members", slug=slug)
    try:
        membership_change_role(membership=membership, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The role was changed."))
    return redirect("organizations:members", slug=slug)


def _confirm_removal(request, membership, leaving):
    organization = membership.organization
    if not (leaving or request.user.has_perm("organizations.manage_members", organization)):
        raise PermissionDenied
    if leaving:
        title = with_names(_("Leave %(organization)s?"), organization=organization.name)
        explanation = _(
            "You will no longer see its members, contacts or requests, and you can only come "
            "back if an administrator invites you again."
        )
        label = _("Leave the organization")
    else:
        person = membership.user.name or membership.user.email
        title = with_names(
            _("Remove %(person)s from %(organization)s?"),
            person=person,
            organization=organization.name,
        )
        explanation = _(
            "They will no longer see the organization's members, contacts or requests, and any "
            "introduction they asked for on its behalf stops sharing contacts."
        )
        label = _("Remove the member")
    return confirmation(
        request,
        title=title,
        explanation=explanation,
        confirm_label=label,
        cancel_url=reverse("organizations:members", args=[organization.slug]),
    )


@require_http_methods(["GET", "POST"])
def membership_delete(request, slug, public_id):
    membership = _membership(request, slug, public_id)
    leaving = membership.user_id == request.user.pk
    if request.method == "GET":
        return _confirm_removal(request, membership, leaving)
    try:
        membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("organizations:members", slug=slug)
    if leaving:
        messages.success(request, _("You left the organization."))
        return redirect("organizations:directory")
    messages.success(request, _("The member was removed."))
    return redirect("organizations:members", slug=slug)


@require_http_methods(["GET", "POST"])
def invitation_revoke_view(request, slug, public_id):
    organization = _organization(request, slug, "organizations.manage_members")
    found = get_object_or_404(Invitation, organization=organization, public_id=public_id)
    if request.method == "GET":
        return confirmation(
            request,
            title=with_names(_("Revoke the invitation to %(email)s?"), email=found.email),
            explanation=_(
                "The link in the invitation stops working. You can invite the same address again."
            ),
            confirm_label=_("Revoke the invitation"),
            cancel_url=reverse("organizations:members", args=[slug]),
        )
    try:
        invitation_revoke(invitation=found, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("The invitation to %(email)s was revoked.") % {"email": found.email}
        )
    return redirect("organizations:members", slug=slug)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    found = invitation_for_token(token)
    if found is None:
        return render(request, "organizations/invitation.html", {"invitation": None}, status=404)
    error = None
    if request.method == "POST":
        try:
            invitation_accept(invitation=found, user=request.user)
        except ValidationError as problem:
            error = _error_text(problem)
        else:
            messages.success(request, _("Welcome to %(name)s.") % {"name": found.organization.name})
            return redirect("organizations:detail", slug=found.organization.slug)
    elif not found.is_open:
        error = _("This invitation has expired or has already been used.")
    return render(
        request,
        "organizations/invitation.html",
        {"invitation": found, "error": error},
        status=400 if error else 200,
    )


@require_GET
def organization_history_view(request, slug):
    organization = _organization(request, slug, "organizations.view_history")
    return render(
        request,
        "organizations/history.html",
        {
            "organization": organization,
            "events": organization_history(organization, viewer=request.user),
            "reveals": contact_reveals_of(organization),
        },
    )
