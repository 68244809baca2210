"""CSV and XLSX exports of the recommendations the list page shows: the same query string
(``RecommendationFilter``) over the same selector (``recommendations_visible_to``). Published
recommendations are public data, so anonymous visitors may export them too; drafts are the
secretariat's. Each export is recorded as a security event, as the directory's is."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from recommendations import exports
from recommendations.exports import csv_chunks, export_rows, xlsx_file
from recommendations.filters import RecommendationFilter
from recommendations.selectors import recommendations_visible_to

security_log = logging.getLogger("gsx.security")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
