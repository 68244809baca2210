from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_shared_broker(app_configs, **kwargs):
    if settings.REDIS_URL:
        return []
    return [
        Warning(
            "REDIS_URL is not set: Celery uses a filesystem broker and a file cache.",
            hint="Both work on one machine only; set REDIS_URL for production.",
            id="gsx.W001",
        )
    ]
