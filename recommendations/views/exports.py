"""CSV and XLSX exports of the recommendations the list page shows: the same query string
(``RecommendationFilter``) over the same selector (``recommendations_visible_to``). Published
recommendations are public data, so anonymous visitors may export them too; drafts are the
secretariat's. Each export is recorded as a security event, as the directory's is."""

import logging
import math
import time

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from rest_framework.throttling import BaseThrottle

from gsx_portal.api_auth import take_from_bucket
from recommendations import exports
from recommendations.exports import csv_chunks, export_rows, xlsx_file
from recommendations.filters import RecommendationFilter
from recommendations.selectors import recommendations_visible_to

security_log = logging.getLogger("gsx.security")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# A whole catalogue export is seconds of a server's time: each client (a signed-in person, or
# an address) has a bucket of this many exports, refilled evenly over the period.
EXPORTS_PER_PERIOD = 20
EXPORT_PERIOD = 3600.0


def _refused_for_rate(request):
    """A 429 saying when to come back, once the client's bucket of exports is empty."""
    if request.user.is_authenticated:
        ident = f"user:{request.user.pk}"
    else:
        ident = f"address:{BaseThrottle().get_ident(request)}"
    wait = take_from_bucket(
        cache,
        f"recommendations-export:{ident}",
        interval=EXPORT_PERIOD / EXPORTS_PER_PERIOD,
        period=EXPORT_PERIOD,
        now=time.time(),
    )
    if wait is None:
        return None
    minutes = max(1, math.ceil(wait / 60))
    response = HttpResponse(
        _("Too many exports from you in the last hour: try again in %(minutes)s min.")
        % {"minutes": minutes},
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(math.ceil(wait))
    return response


def _filtered(request, kind: str):
    """The reader's recommendations under the query's filters, or a 400 naming the bad ones."""
    filterset = RecommendationFilter(
        request.GET, queryset=recommendations_visible_to(request.user), request=request
    )
    if not filterset.is_valid():
        return None, HttpResponseBadRequest(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    refused = _refused_for_rate(request)
    if refused is not None:
        return None, refused
    security_log.info(
        "recommendations.exported format=%s user=%s query=%s",
        kind,
        request.user.pk if request.user.is_authenticated else "anonymous",
        request.GET.urlencode()[:500],
    )
    return filterset.qs, None


def _name(extension: str) -> str:
    return f"gsx-recommendations-{timezone.localdate().isoformat()}.{extension}"


def _private(response):
    # Drafts are in the secretariat's export: no shared cache may keep any export.
    response["Cache-Control"] = "no-store, private"
    return response


@login_not_required
@require_GET
def export_csv(request):
    recommendations, refused = _filtered(request, "csv")
    if refused:
        return refused
    response = StreamingHttpResponse(
        csv_chunks(export_rows(request.user, recommendations)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_name("csv")}"'
    return _private(response)


@login_not_required
@require_GET
def export_xlsx(request):
    recommendations, refused = _filtered(request, "xlsx")
    if refused:
        return refused
    # Written whole first (a workbook is a zip archive), then streamed in blocks; the response
    # closes (and so deletes) the temporary file once sent.
    output = xlsx_file(export_rows(request.user, recommendations))
    response = FileResponse(
        output, as_attachment=True, filename=_name("xlsx"), content_type=XLSX_TYPE
    )
    response.block_size = exports.XLSX_BLOCK
    return _private(response)
