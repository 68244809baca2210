from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GsxPortalConfig(AppConfig):
    name = "gsx_portal"
    verbose_name = _("GSX Portal")

    def ready(self):
        from gsx_portal import checks  # noqa: F401  (registers the deploy checks)
