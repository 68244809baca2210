"""What `make bench` needs inside the portal, present only when GSX_BENCH=1 (never in production).

The hello-world view is the yardstick every page's throughput is divided by: the same gunicorn,
middleware and process model, no template and no query. The query counter adds one response
header so the runner can report queries per request with DEBUG off (where Django keeps no log).
"""

from django.contrib.auth.decorators import login_not_required
from django.db import connections
from django.http import HttpResponse
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def hello(request):
    return HttpResponse("hello", content_type="text/plain")


class QueryCountMiddleware:
    """Outermost middleware: counts every query of the request, the session's and the user's too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
