"""Small helpers for the page frame (base.html)."""

from django import template
from django.contrib.messages import constants

register = template.Library()


@register.filter
def errors_only(messages):
    """Error messages go in an assertive live region (role="alert"), the others in a polite one."""
    return [message for message in messages if message.level >= constants.ERROR]


@register.filter
def without_errors(messages):
    return [message for message in messages if message.level < constants.ERROR]
