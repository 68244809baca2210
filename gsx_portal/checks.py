from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_shared_broker(app_configs, **kwargs):
    if settings.REDIS_SERVER == "configured":
        return []
    if settings.REDIS_SERVER == "embedded":
        message = "REDIS_URL is not set: Celery and the cache use the embedded Valkey server."
    else:
        message = "REDIS_URL is not set: Celery uses a filesystem broker and a file cache."
    return [
        Warning(
            message,
            hint="Both work on one machine only; set REDIS_URL for production.",
            id="gsx.W001",
        )
    ]
