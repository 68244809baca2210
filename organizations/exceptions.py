from django.core.exceptions import ValidationError


class RateLimited(ValidationError):
    """Refused because of how many times it was done lately: pages show the message, the API
    answers 429."""
