"""Introduction requests: asked by verified requesters, decided by the CSO's admins, and the
secretariat's verification of requester organizations. Every decision is the services' and the
rules'; these views only ask them."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations.forms import IntroductionDecisionForm, IntroductionRequestForm
from organizations.introduction_forms import RequesterVerificationForm, RevokeVerificationForm
from organizations.models import IntroductionStatus
from organizations.rules import consent_holds, is_verified_requester, may_see_shared_contacts
from organizations.selectors import (
    introduction_ask_again_from,
    introduction_blocks_of,
    introductions_received_by,
    introductions_sent_by,
    organizations_visible_to,
    requester_organizations,
    requester_organizations_for_secretariat,
    requester_verification_of,
    requester_verifications_of,
    shareable_contacts_of,
    unverified_requester_organizations,
)
from organizations.services import (
    contacts_reveal,
    introduction_block,
    introduction_renew_consent,
    introduction_request,
    introduction_set_state,
    introduction_unblock,
    requester_verification_revoke,
    requester_verify,
)
from organizations.views.confirm import confirmation, with_names


def _visible(request, slug):
    return get_object_or_404(organizations_visible_to(request.user), slug=slug)


@require_http_methods(["GET", "POST"])
def introduction_new(request, slug):
    organization = _visible(request, slug)
    on_behalf_of = requester_organizations(request.user)
    if not on_behalf_of.exists():
        waiting = unverified_requester_organizations(request.user)
        if waiting.exists():
            return render(
                request,
                "organizations/introduction_unverified.html",
                {"organization": organization, "waiting": waiting},
                status=403,
            )
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


def _sent(request, public_id):
    # Only the requester's own requests that they may still see: anyone else gets a 404.
    return get_object_or_404(introductions_sent_by(request.user), public_id=public_id)


@require_GET
def introduction_detail(request, public_id):
    introduction = _sent(request, public_id)
    return render(
        request,
        "organizations/introduction_detail.html",
        {
            "introduction": introduction,
            "may_see_contacts": may_see_shared_contacts(request.user, introduction),
            "consent_holds": consent_holds(introduction),
            "ask_again_from": introduction_ask_again_from(introduction),
        },
    )


@require_GET
@reauthentication_required
def introduction_contacts(request, public_id):
    """The shared contacts, behind a fresh confirmation of who is looking; each view recorded."""
    introduction = _sent(request, public_id)
    contacts = contacts_reveal(introduction=introduction, user=request.user, channel="page")
    return render(
        request,
        "organizations/introduction_contacts.html",
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
            "blocks": introduction_blocks_of(organization),
        },
    )


@require_GET
def introduction_received(request, slug, public_id):
    """What the CSO sees before deciding: who asks, for which organization (its profile even if
    that organization is restricted), whether the secretariat verified it, and what accepting
    would share."""
    organization = _received(request, slug)
    introduction = get_object_or_404(introductions_received_by(organization), public_id=public_id)
    requester_organization = introduction.requester_organization
    return render(
        request,
        "organizations/introduction_received.html",
        {
            "organization": organization,
            "introduction": introduction,
            "requester_organization": requester_organization,
            "verification": requester_verification_of(requester_organization),
            "verified": is_verified_requester(requester_organization),
            "shared_contacts": shareable_contacts_of(organization),
            "consent_holds": consent_holds(introduction),
            "form": IntroductionDecisionForm(),
        },
    )


ACTIONS = {
    "withdraw": IntroductionStatus.WITHDRAWN,
    "accept": IntroductionStatus.ACCEPTED,
    "decline": IntroductionStatus.DECLINED,
}


@require_POST
def introduction_decision(request, slug, public_id):
    organization = _received(request, slug)
    introduction = get_object_or_404(introductions_received_by(organization), public_id=public_id)
    form = IntroductionDecisionForm(request.POST)
    back = redirect("organizations:introduction_received", slug=slug, public_id=public_id)
    try:
        if request.POST.get("withdraw"):
            introduction_set_state(
                introduction=introduction, to=ACTIONS["withdraw"], by=request.user
            )
            messages.success(request, _("Consent withdrawn: the contacts are no longer shown."))
        elif request.POST.get("renew"):
            introduction_renew_consent(introduction=introduction, by=request.user)
            messages.success(request, _("Consent renewed."))
        elif form.is_valid():
            introduction_set_state(
                introduction=introduction,
                to=ACTIONS[form.cleaned_data["decision"]],
                by=request.user,
                message=form.cleaned_data["message"],
            )
            messages.success(request, _("Your decision was recorded."))
        else:
            messages.error(request, _("Choose to accept or decline."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back


@require_http_methods(["GET", "POST"])
def introduction_withdraw(request, slug, public_id):
    """Withdrawing consent, confirmed first; the decision form's ``withdraw`` still does it too."""
    organization = _received(request, slug)
    introduction = get_object_or_404(introductions_received_by(organization), public_id=public_id)
    if request.method == "GET":
        return confirmation(
            request,
            title=with_names(
                _("Withdraw your consent to %(name)s?"),
                name=introduction.requester_organization.name,
            ),
            explanation=_(
                "Your shared contacts stop being shown to this person at once. They may ask "
                "again later; you may also block them."
            ),
            confirm_label=_("Withdraw consent"),
            cancel_url=reverse("organizations:introduction_received", args=[slug, public_id]),
        )
    try:
        introduction_set_state(introduction=introduction, to=ACTIONS["withdraw"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn: the contacts are no longer shown."))
    return redirect("organizations:introduction_received", slug=slug, public_id=public_id)


@require_http_methods(["GET", "POST"])
def introduction_block_view(request, slug, public_id):
    organization = _received(request, slug)
    introduction = get_object_or_404(introductions_received_by(organization), public_id=public_id)
    target = request.POST.get("target") if request.method == "POST" else request.GET.get("target")
    if target not in ("person", "organization"):
        messages.error(request, _("Choose whom to block."))
        return redirect("organizations:introduction_received", slug=slug, public_id=public_id)
    if request.method == "GET":
        if target == "person":
            title = with_names(_("Block %(person)s?"), person=introduction.requester.email)
        else:
            title = with_names(
                _("Block %(organization)s?"), organization=introduction.requester_organization.name
            )
        return confirmation(
            request,
            title=title,
            explanation=_(
                "Their open requests are declined, any consent you gave them is withdrawn, and "
                "their future requests are refused. You can unblock them later."
            ),
            confirm_label=_("Block"),
            cancel_url=reverse("organizations:introduction_received", args=[slug, public_id]),
            hidden=[("target", target)],
        )
    introduction_block(
        organization=organization,
        by=request.user,
        user=introduction.requester if target == "person" else None,
        requester_organization=(
            introduction.requester_organization if target == "organization" else None
        ),
    )
    messages.success(request, _("Blocked: no more requests will reach you from them."))
    return redirect("organizations:introductions_received", slug=slug)


@require_http_methods(["GET", "POST"])
def introduction_unblock_view(request, slug, public_id):
    organization = _received(request, slug)
    block = get_object_or_404(introduction_blocks_of(organization), public_id=public_id)
    if request.method == "GET":
        return confirmation(
            request,
            title=with_names(_("Unblock %(name)s?"), name=block.label),
            explanation=_("Their requests will reach your organization again."),
            confirm_label=_("Unblock"),
            cancel_url=reverse("organizations:introductions_received", args=[slug]),
        )
    introduction_unblock(block=block, by=request.user)
    messages.success(request, _("Unblocked."))
    return redirect("organizations:introductions_received", slug=slug)


def _secretariat(request):
    if not request.user.has_perm("organizations.verify_requesters"):
        raise Http404


@require_GET
def requesters(request):
    _secretariat(request)
    return render(
        request,
        "organizations/requesters.html",
        {"organizations": requester_organizations_for_secretariat()},
    )


@require_http_methods(["GET", "POST"])
def requester_verification_revoke_view(request, public_id):
    """The confirmation page for revoking, with the reason it asks for; the verification page's
    own revoke form still posts to that page."""
    _secretariat(request)
    organization = get_object_or_404(requester_organizations_for_secretariat(), public_id=public_id)
    current = requester_verification_of(organization)
    if current is None:
        raise Http404
    form = RevokeVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            requester_verification_revoke(
                verification=current, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Verification revoked."))
            return redirect("organizations:requester_verification", public_id=public_id)
    return confirmation(
        request,
        title=with_names(_("Revoke the verification of %(name)s?"), name=organization.name),
        explanation=_(
            "Revoking stops new requests from its members at once, and every accepted "
            "introduction stops showing contacts."
        ),
        confirm_label=_("Revoke the verification"),
        cancel_url=reverse("organizations:requester_verification", args=[public_id]),
        form=form,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def requester_verification(request, public_id):
    _secretariat(request)
    organization = get_object_or_404(requester_organizations_for_secretariat(), public_id=public_id)
    current = requester_verification_of(organization)
    verify_form = RequesterVerificationForm(
        request.POST if request.POST.get("action") == "verify" else None
    )
    revoke_form = RevokeVerificationForm(
        request.POST if request.POST.get("action") == "revoke" else None
    )
    try:
        if verify_form.is_bound and verify_form.is_valid():
            requester_verify(organization=organization, by=request.user, **verify_form.cleaned_data)
            messages.success(request, _("Verified."))
            return redirect("organizations:requester_verification", public_id=public_id)
        if revoke_form.is_bound and revoke_form.is_valid() and current is not None:
            requester_verification_revoke(
                verification=current, by=request.user, reason=revoke_form.cleaned_data["reason"]
            )
            messages.success(request, _("Verification revoked."))
            return redirect("organizations:requester_verification", public_id=public_id)
    except ValidationError as error:
        (verify_form if verify_form.is_bound else revoke_form).add_error(None, error)
    return render(
        request,
        "organizations/requester_verification.html",
        {
            "organization": organization,
            "current": current,
            "history": requester_verifications_of(organization),
            "verify_form": verify_form,
            "revoke_form": revoke_form,
        },
    )
