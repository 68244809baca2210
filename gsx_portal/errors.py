from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context: the database or a context processor may be the fault.
    return HttpResponseServerError(get_template("500.html").render())
