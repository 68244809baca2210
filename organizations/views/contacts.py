from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations.forms import ContactForm, IntroductionDecisionForm, IntroductionRequestForm
from organizations.selectors import (
    contacts_of_own_organization,
    introductions_received_by,
    introductions_sent_by,
    organizations_visible_to,
    requester_organizations,
)
from organizations.services import (
    contact_delete,
    contact_save,
    contacts_reveal,
    introduction_decide,
    introduction_request,
    introduction_withdraw_consent,
)


def _visible(request, slug):
    return get_object_or_404(organizations_visible_to(request.user), slug=slug)


@require_http_methods(["GET", "POST"])
def contacts_manage(request, slug, public_id=None):
    organization = _visible(request, slug)
    contacts = contacts_of_own_organization(request.user, organization)
    if contacts is None:
        raise PermissionDenied
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


@require_POST
def contact_remove(request, slug, public_id):
    organization = _visible(request, slug)
    contacts = contacts_of_own_organization(request.user, organization)
    if contacts is None:
        raise PermissionDenied
    contact_delete(contact=get_object_or_404(contacts, public_id=public_id), by=request.user)
    messages.success(request, _("The contact was deleted."))
    return redirect("organizations:contacts", slug=slug)


@require_http_methods(["GET", "POST"])
def introduction_new(request, slug):
    organization = _visible(request, slug)
    on_behalf_of = requester_organizations(request.user)
    if not on_behalf_of.exists():
        raise PermissionDenied
    form = IntroductionRequestForm(request.POST or None, requester_organizations=on_behalf_of)
    if request.method == "POST" and form.is_valid():
        try:
            introduction = introduction_request(
                requester=request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request was sent. The organization decides."))
            return redirect("organizations:introduction", public_id=introduction.public_id)
    return render(
        request, "organizations/introduction_new.html", {"organization": organization, "form": form}
    )


@require_GET
def introductions_sent(request):
    return render(
        request,
        "organizations/introductions_sent.html",
        {"introductions": introductions_sent_by(request.user)},
    )


@require_GET
def introduction_detail(request, public_id):
    # Only the requester's own requests: anyone else gets a 404.
    introduction = get_object_or_404(introductions_sent_by(request.user), public_id=public_id)
    contacts = None
    if introduction.status == "accepted":
        contacts = contacts_reveal(introduction=introduction, user=request.user, channel="page")
    return render(
        request,
        "organizations/introduction_detail.html",
        {"introduction": introduction, "contacts": contacts},
    )


def _received(request, slug):
    organization = _visible(request, slug)
    if not request.user.has_perm("organizations.decide_introductions", organization):
        raise PermissionDenied
    return organization


@require_GET
def introductions_received(request, slug):
    organization = _received(request, slug)
    return render(
        request,
        "organizations/introductions_received.html",
        {
            "organization": organization,
            "introductions": introductions_received_by(organization),
            "form": IntroductionDecisionForm(),
        },
    )


@require_POST
def introduction_decision(request, slug, public_id):
    organization = _received(request, slug)
    introduction = get_object_or_404(introductions_received_by(organization), public_id=public_id)
    form = IntroductionDecisionForm(request.POST)
    try:
        if request.POST.get("withdraw"):
            introduction_withdraw_consent(introduction=introduction, by=request.user)
            messages.success(request, _("Consent withdrawn: the contacts are no longer shown."))
        elif form.is_valid():
            introduction_decide(
                introduction=introduction,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                message=form.cleaned_data["message"],
            )
            messages.success(request, _("Your decision was recorded."))
        else:
            messages.error(request, _("Choose to accept or decline."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("organizations:introductions_received", slug=slug)
