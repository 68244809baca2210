"""Isolating user-written text inside translated sentences without changing their msgids::

    {% blocktranslate with name=org.name|bdi %}Contacts of {{ name }}{% endblocktranslate %}

keeps the sentence translators already have, while an Arabic name in an English sentence (or a
Latin one in Arabic) cannot pull the punctuation around it to the wrong side."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from organizations.languages import locale_list

register = template.Library()


@register.filter
def bdi(value):
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def ltr(value):
    """Emails, phone numbers, URLs and codes read left to right in every language."""
    return format_html('<span dir="ltr">{}</span>', value)


@register.filter
def bdi_list(values):
    """Names joined the way the reader's language joins a list ("A, B and C", "A وB وC"), each
    isolated. The connecting words come from CLDR (Babel), trusted data with no markup."""
    items = [str(format_html("<bdi>{}</bdi>", value)) for value in values]
    return mark_safe(locale_list(items))  # noqa: S308 — items escaped above
