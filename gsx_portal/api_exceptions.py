from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler

from organizations.exceptions import RateLimited


def api_exception_handler(exc, context):
    """Services validate with ``full_clean``; their errors reach API clients as 400, not 500,
    and their rate limits as 429."""
    if isinstance(exc, RateLimited):
        exc = exceptions.Throttled(detail=" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)
