import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gsx_portal.celery import app as celery_app
from organizations.services import user_update_preferences

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def home(request):
    return render(request, "home.html")


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


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": "ok" if _database_reachable() else "unreachable",
        "broker": "ok" if _broker_reachable() else "unreachable",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


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
