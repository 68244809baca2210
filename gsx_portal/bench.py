"""What `make bench` needs inside the portal, present only when GSX_BENCH=1 (never in production).

The hello-world view is the yardstick every page's throughput is divided by (DESIGN.md §7: "one
view, no middleware"): served by the same gunicorn, in the same worker processes, but through a
Django handler that has no middleware (``with_bare_hello``, wrapped around the WSGI application
in gsx_portal/wsgi.py), so the ratios count what the middleware stack costs each page. The query
counter adds one response header so the runner can report queries per request with DEBUG off
(where Django keeps no log).
"""

from django.contrib.auth.decorators import login_not_required
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
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


HELLO_PATH = "/bench/hello/"


class BareHandler(WSGIHandler):
    """Django's WSGI handler without any middleware: URL resolution and the view alone."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


def with_bare_hello(application):
    """``application``, except that hello world is answered by a handler with no middleware."""
    bare = BareHandler()

    def bench_application(environ, start_response):
        if environ.get("PATH_INFO") == HELLO_PATH:
            return bare(environ, start_response)
        return application(environ, start_response)

    return bench_application
