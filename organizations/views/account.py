from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organizations.adapters import remember_language
from organizations.forms import ApiTokenForm, PreferencesForm
from organizations.selectors import api_tokens_of, memberships_of
from organizations.services import api_token_create, api_token_revoke, user_update_preferences
from organizations.views.confirm import confirmation, with_names


@require_http_methods(["GET", "POST"])
def account_settings(request):
    user = request.user
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user_update_preferences(user=user, **form.cleaned_data)
        messages.success(request, _("Your settings were saved."))
        return remember_language(redirect("organizations:account_settings"), user.language)
    if request.method == "POST":
        # The form bound itself to the user instance; show the saved values elsewhere on the page.
        user.refresh_from_db()
    return render(
        request,
        "organizations/account_settings.html",
        {"form": form, "memberships": memberships_of(user)},
    )


@require_http_methods(["GET", "POST"])
# Any token acts as the person until revoked — a read-only one can read what they may read,
# shared contacts included, without the confirmation pages ask for: ask for the password (or a
# second factor) again before creating one. allauth replays the submitted form afterwards.
@reauthentication_required(allow_get=True)
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = api_token_create(user=request.user, **form.cleaned_data)
        form = ApiTokenForm()
    return render(
        request,
        "organizations/api_tokens.html",
        {"form": form, "tokens": api_tokens_of(request.user), "new_secret": new_secret},
    )


@require_http_methods(["GET", "POST"])
def api_token_revoke_view(request, public_id):
    # Looked up among the user's own tokens only: another user's token is a 404.
    token = get_object_or_404(api_tokens_of(request.user), public_id=public_id)
    if request.method == "GET":
        return confirmation(
            request,
            title=with_names(_("Revoke the token %(name)s?"), name=token.name),
            explanation=_(
                "Programs using this token lose access at once. A revoked token cannot be "
                "restored: you would create a new one."
            ),
            confirm_label=_("Revoke the token"),
            cancel_url=reverse("organizations:api_tokens"),
        )
    api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("organizations:api_tokens")
