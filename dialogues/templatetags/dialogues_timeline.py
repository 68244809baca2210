"""The timeline's days in the reader's language: ``{% load dialogues_timeline %}``."""

import functools

from django import template
from django.utils import formats, translation

register = template.Library()


@register.filter
def month_day(value) -> str:
    """ "November 4", "4 novembre", "4 de noviembre", "4 نوفمبر": the day in each language's
    order (MONTH_DAY_FORMAT). A year's timeline shows hundreds; each day is formatted once per
    language."""
    return _month_day(value, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _month_day(value, language) -> str:
    return formats.date_format(value, "MONTH_DAY_FORMAT")
