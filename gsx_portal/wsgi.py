import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gsx_portal.settings")
application = get_wsgi_application()

if settings.BENCH:
    # `make bench` only (GSX_BENCH=1): hello world without middleware, the yardstick.
    from gsx_portal.bench import with_bare_hello

    application = with_bare_hello(application)
