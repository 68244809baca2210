from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organizations.forms import ContactForm
from organizations.selectors import contacts_of_own_organization, organizations_visible_to
from organizations.services import contact_delete, contact_save
from organizations.views.confirm import confirmation, with_names


def _visible(request, slug):
    return get_object_or_404(organizations_visible_to(request.user), slug=slug)


@require_http_methods(["GET", "POST"])
def contacts_manage(request, slug, public_id=None):
    organization = _visible(request, slug)
    if not request.user.has_perm("organizations.view_contacts", organization):
        raise PermissionDenied
    contacts = contacts_of_own_organization(request.user, organization)
    can_manage = request.user.has_perm("organizations.manage_contacts", organization)
    contact = get_object_or_404(contacts, public_id=public_id) if public_id else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            contact_save(
                organization=organization, by=request.user, contact=contact, **form.cleaned_data
            )
            messages.success(request, _("The contact was saved."))
            return redirect("organizations:contacts", slug=slug)
    return render(
        request,
        "organizations/contacts.html",
        {
            "organization": organization,
            "contacts": contacts,
            "form": form,
            "editing": contact,
            "can_manage": can_manage,
        },
    )


@require_http_methods(["GET", "POST"])
def contact_remove(request, slug, public_id):
    organization = _visible(request, slug)
    if not request.user.has_perm("organizations.view_contacts", organization):
        raise PermissionDenied
    contacts = contacts_of_own_organization(request.user, organization)
    contact = get_object_or_404(contacts, public_id=public_id)
    if request.method == "GET":
        if not request.user.has_perm("organizations.manage_contacts", organization):
            raise PermissionDenied
        return confirmation(
            request,
            title=with_names(_("Delete the contact %(name)s?"), name=contact.name),
            explanation=_(
                "The contact disappears from your organization's contacts, and from what "
                "accepted introductions share. This cannot be undone."
            ),
            confirm_label=_("Delete the contact"),
            cancel_url=reverse("organizations:contacts", args=[slug]),
        )
    contact_delete(contact=contact, by=request.user)
    messages.success(request, _("The contact was deleted."))
    return redirect("organizations:contacts", slug=slug)
