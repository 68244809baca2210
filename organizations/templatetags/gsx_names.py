"""Names, not codes, in the reader's language: ``{% load gsx_names %}``."""

from babel.lists import format_list
from django import template
from django.utils.translation import get_language

from organizations.languages import language_names

register = template.Library()


def locale_list(names) -> str:
    """Names joined as the reader's language joins a list ("a, b et c", "أ وب وج")."""
    names = [str(name) for name in names]
    if not names:
        return ""
    return format_list(names, locale=(get_language() or "en").replace("-", "_"))


@register.filter
def languages_list(codes) -> str:
    """``["fr", "ha"]`` → "French and Hausa" / "français et haoussa" / "الفرنسية والهوسا"."""
    return locale_list(language_names(codes or []))


@register.filter
def countries_list(countries) -> str:
    """A CountryField's countries by name, as a list in the reader's language."""
    return locale_list(country.name for country in countries or [])
