"""The import page: upload → dry run (every problem, or what would happen) → import → done.

Between the dry run and the import, the file is kept server-side, in the shared cache, for
``KEPT_MINUTES``, under a random key bound to the person who uploaded it (another person's
token finds nothing): the browser never sends it twice and cannot swap it. The import checks
the kept file again, all or nothing, so rows changed meanwhile are reported, not half-imported.
"""

import hashlib
import re
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from recommendations.exchange import COLUMNS, LIST_COLUMNS, REQUIRED_COLUMNS, SEPARATOR
from recommendations.forms.catalogue import ImportForm
from recommendations.rules import may_manage_recommendations
from recommendations.services.imports import recommendations_import

KEPT_MINUTES = 30
# A page of more problems would be too heavy to read; the command lists them all.
PROBLEMS_SHOWN = 1000
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _key(user, token: str) -> str:
    return f"recommendations-import:{user.pk}:{token}"


def _private(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _format_context() -> dict:
    return {
        "columns": COLUMNS,
        "required_columns": REQUIRED_COLUMNS,
        "list_columns": sorted(LIST_COLUMNS),
        "separator": SEPARATOR,
        "kept_minutes": KEPT_MINUTES,
    }


def _report_context(report) -> dict:
    return {
        "report": report,
        "problems": report.problems[:PROBLEMS_SHOWN],
        "problems_not_shown": max(len(report.problems) - PROBLEMS_SHOWN, 0),
    }


@require_http_methods(["GET", "POST"])
def import_start(request):
    if not may_manage_recommendations(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        report = recommendations_import(by=request.user, file=data, dry_run=True)
        token = ""
        if report.ok:
            token = secrets.token_urlsafe(32)
            cache.set(_key(request.user, token), data, timeout=KEPT_MINUTES * 60)
        return _private(
            render(
                request,
                "recommendations/import_report.html",
                {
                    **_report_context(report),
                    "token": token,
                    "name": form.cleaned_data["file"].name,
                    "digest": hashlib.sha256(data).hexdigest(),
                    **_format_context(),
                },
            )
        )
    return _private(
        render(request, "recommendations/import.html", {"form": form, **_format_context()})
    )


@require_POST
def import_confirm(request):
    if not may_manage_recommendations(request.user):
        raise PermissionDenied
    token = request.POST.get("token", "")
    data = None
    if TOKEN_PATTERN.fullmatch(token):
        data = cache.get(_key(request.user, token))
    if data is None:
        messages.error(
            request,
            _(
                "The checked file is no longer kept (for %(minutes)d minutes at most): "
                "upload it again."
            )
            % {"minutes": KEPT_MINUTES},
        )
        return redirect("recommendations:import")
    report = recommendations_import(by=request.user, file=data, dry_run=False)
    if report.ok:
        cache.delete(_key(request.user, token))
        template = "recommendations/import_done.html"
    else:
        template = "recommendations/import_report.html"
    return _private(
        render(
            request,
            template,
            {
                **_report_context(report),
                "token": "",
                "digest": hashlib.sha256(data).hexdigest(),
            },
        )
    )
