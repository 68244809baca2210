"""Typed readers for environment variables that refuse values they do not understand.

A misspelt boolean must stop the process instead of silently meaning False: ``DEBUG=flase``
would otherwise switch a production site into an unknown state.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    normalized = value.strip().lower()
    if normalized in _TRUE:
        return True
    if normalized in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of: 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, *, schemes: set[str]) -> str | None:
    """A URL whose scheme is one of ``schemes``, or None when the variable is unset or empty."""
    value = env_str(name)
    if not value:
        return None
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL starting with one of: {allowed}.")
    return value


# The periods Django REST framework's throttles understand (it reads only the first letter).
_RATE_PERIODS = {
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "m": "m",
    "min": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
}


def env_rate(name: str, default: str) -> str:
    """A request rate such as ``600/min`` (per ``s``, ``min``, ``hour`` or ``day``).

    Checked here because the throttles parse it only on the first request: a typo would
    otherwise turn every API request into a server error instead of stopping the start.
    """
    value = env_str(name) or default
    number, _slash, period = value.partition("/")
    if not (number.isdigit() and int(number) > 0 and period.lower() in _RATE_PERIODS):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate; write requests per period, e.g. 600/min "
            "(periods: s, min, hour, day)."
        )
    return f"{int(number)}/{period.lower()}"


def env_hours(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A span of hours of the day such as ``8-12``: from the first, up to before the second."""
    value = env_str(name)
    if not value:
        return default
    first, _dash, last = value.partition("-")
    if not (first.strip().isdigit() and last.strip().isdigit()):
        raise ImproperlyConfigured(f"{name}={value!r} is not a span of hours; write e.g. 8-12.")
    start, end = int(first), int(last)
    if not 0 <= start < end <= 24:
        raise ImproperlyConfigured(
            f"{name}={value!r}: hours run from 0 to 24, the first before the last."
        )
    return start, end
