"""Following a recommendation, a theme or a working group, and the "What I follow" page. One's
own follows only: someone else's follow answers 404 and is left as it was."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues.selectors import working_groups_visible_to
from organizations.models import Theme
from recommendations import services
from recommendations.forms.progress import FollowForm
from recommendations.models import Follow
from recommendations.selectors import recommendations_visible_to


def _next(request, fallback: str) -> str:
    """Where to go back: a path of this site (never another host), else ``fallback``."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and target.isprintable()
        and len(target) <= 2000
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def follow(request):
    """Follow exactly one of ``recommendation`` (its public id), ``theme`` or ``working_group``
    (their slugs). Something the reader may not see: 404, nothing followed."""
    back = _next(request, reverse("recommendations:following"))
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(_form_errors(form)))
        return redirect(back)
    data = form.cleaned_data
    user = request.user
    target = {}
    if data["recommendation"]:
        target["recommendation"] = get_object_or_404(
            recommendations_visible_to(user), public_id=data["recommendation"]
        )
    elif data["theme"]:
        target["theme"] = get_object_or_404(Theme, slug=data["theme"])
    else:
        target["working_group"] = get_object_or_404(
            working_groups_visible_to(user), slug=data["working_group"]
        )
    try:
        services.follow(by=user, **target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You follow it now: its changes come in your daily digest."))
    return redirect(back)


def _form_errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@require_POST
def unfollow(request, pk):
    if not Follow.objects.filter(user=request.user, pk=pk).exists():
        raise Http404
    services.unfollow(by=request.user, follow_id=pk)
    messages.success(request, _("You no longer follow it."))
    return redirect(_next(request, reverse("recommendations:following")))


@require_GET
def following(request):
    """The reader's follows, newest first, each with an unfollow button; and forms to follow a
    theme or a working group."""
    user = request.user
    follows = list(
        Follow.objects.filter(user=user)
        .select_related("recommendation", "theme", "working_group")
        .order_by("-created_at", "-id")
    )
    visible = set(
        recommendations_visible_to(user)
        .filter(pk__in=[f.recommendation_id for f in follows if f.recommendation_id])
        .values_list("pk", flat=True)
    )
    for item in follows:
        # A recommendation taken back to draft since it was followed is not named.
        item.shown = item.recommendation_id is None or item.recommendation_id in visible
    themes = {f.theme_id for f in follows if f.theme_id}
    groups = {f.working_group_id for f in follows if f.working_group_id}
    context = {
        "follows": follows,
        "themes": [t for t in Theme.objects.order_by("order", "slug") if t.pk not in themes],
        "groups": [
            g for g in working_groups_visible_to(user).order_by("name", "id") if g.pk not in groups
        ],
    }
    return _private(render(request, "recommendations/following.html", context))
