"""Isolating user-written text inside translated sentences without changing their msgids::

    {% blocktranslate with name=org.name|bdi %}Contacts of {{ name }}{% endblocktranslate %}

keeps the sentence translators already have, while an Arabic name in an English sentence (or a
Latin one in Arabic) cannot pull the punctuation around it to the wrong side."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bdi(value):
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def ltr(value):
    """Emails, phone numbers, URLs and codes read left to right in every language."""
    return format_html('<span dir="ltr">{}</span>', value)
