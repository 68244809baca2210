"""What the directory says about a search (templates/organizations/includes/search_limited.html)."""

from django import template

from organizations.search import search_limit

register = template.Library()


@register.simple_tag
def search_limit_reached(filterset, count: int) -> int | None:
    """The most results a search shows, when the list of ``count`` results of ``filterset``'s
    search may have been cut there; otherwise None (no search, or fewer results)."""
    if not filterset.is_valid():
        return None  # the list shown is then unfiltered (views.directory)
    return search_limit(filterset.form.cleaned_data.get("q") or "", count)
