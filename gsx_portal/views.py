import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dialogues.selectors import coming_up
from gsx_portal.cached_pages import cached_home
from gsx_portal.celery import app as celery_app
from gsx_portal.forms import VerifyLetterForm
from organizations.selectors.dashboard import dashboard_of, invitations_addressed_to
from organizations.services import invitation_accept, user_update_preferences

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
@cached_home
def home(request):
    """Signed in: what waits for me and my organizations. Anonymous: what the GSX is and how
    to join, with the directory search and the letter check."""
    if not request.user.is_authenticated:
        return render(request, "home.html", {"verify_form": VerifyLetterForm()})
    context = {"board": dashboard_of(request.user), "coming_up": coming_up(request.user)}
    return render(request, "home.html", context)


@login_not_required
@require_GET
def verify_letter_lookup(request):
    """The home page's "verify a letter" box: a well-formed code leads to the letter's check;
    anything else is explained at the field, with what was typed kept (NUL bytes dropped)."""
    if "code" not in request.GET:
        return render(request, "verify_lookup.html", {"form": VerifyLetterForm()})
    form = VerifyLetterForm(request.GET)
    if form.is_valid():
        return redirect("organizations:verify_letter", code=form.cleaned_data["code"])
    # Shown again as typed, without NUL bytes (no code has one; the error says why it failed).
    form.data = {"code": request.GET["code"].replace("\x00", "")[:64]}
    return render(request, "verify_lookup.html", {"form": form}, status=400)


@require_POST
def invitation_accept_from_home(request, public_id):
    """Accept, from the home page, an invitation addressed to one of my verified addresses
    (the service checks it again, with every other condition the email's link has)."""
    invitation = get_object_or_404(invitations_addressed_to(request.user), public_id=public_id)
    try:
        invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("home")
    messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organization.name})
    return redirect("organizations:detail", slug=invitation.organization.slug)


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database unreachable", exc_info=True)
        return False


def _broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        logger.warning("health check: broker unreachable", exc_info=True)
        return False


def _cache_reachable() -> bool:
    # The Redis cache answers from a per-process fallback while Redis is down, so a round trip
    # through it would always succeed: ask Redis itself.
    if hasattr(cache, "ping"):
        return cache.ping()
    try:
        cache.set("healthz", "ok", 5)
        return cache.get("healthz") == "ok"
    except Exception:
        logger.warning("health check: cache unreachable", exc_info=True)
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Which part is down. Only the database makes the site unable to serve (503); with the broker
    or the cache down pages, sign-in and the API keep working, mail waits in the outbox, and the
    answer is 200 with status "degraded" so that a load balancer keeps the web processes."""
    checks = {
        "database": "ok" if _database_reachable() else "unreachable",
        "broker": "ok" if _broker_reachable() else "unreachable",
        "cache": "ok" if _cache_reachable() else "unreachable",
    }
    if checks["database"] != "ok":
        status, code = "error", 503
    elif any(value != "ok" for value in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks}, status=code)


@login_not_required
@require_POST
def set_language(request):
    """Django's language switcher, which also remembers the choice on a signed-in user."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(user._meta.get_field("language").choices):
        user_update_preferences(
            user=user, name=user.name, language=language, timezone=user.timezone
        )
    return response
