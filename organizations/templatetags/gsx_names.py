"""Names, not codes, in the reader's language: ``{% load gsx_names %}``."""

from django import template

from organizations.languages import language_names, locale_list

register = template.Library()


@register.filter
def languages_list(codes) -> str:
    """``["fr", "ha"]`` → "French and Hausa" / "français et haoussa" / "الفرنسية والهوسا"."""
    return locale_list(language_names(codes or []))


@register.filter
def countries_list(countries) -> str:
    """A CountryField's countries by name, as a list in the reader's language."""
    return locale_list(country.name for country in countries or [])


register.filter("locale_list", locale_list)
