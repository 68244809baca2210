"""The pages the anonymous page cache keeps (gsx_portal/page_cache.py), one decorator line on
each view, and what of their query string goes into the key; and the directory's and the meeting
list's bodies, shared by signed-in readers of one audience."""

import functools
import re
from collections.abc import Callable

from gsx_portal.page_cache import anonymous_page, shared_fragment

YES_NO = frozenset({"true", "false"})
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")
# The first pages only: readers rarely go further, and every deeper number (each a valid key,
# even past the last page) would let a crawler spend the cache's size budget in a few thousand
# requests and leave every visitor uncached until the window ends.
PAGE_NUMBER = re.compile(r"[1-9]|1[0-9]|20")


@functools.cache
def _directory_parameters() -> dict[str, Callable[[str], bool]]:
    """The directory's parameters an anonymous page may be cached for, each with the values
    that key a page: exactly the filter's choices. Others (a search, ``updated_since``, a
    parameter the filter does not know) are not cached unless empty."""
    from django_countries import countries

    from organizations.filters import ORDERINGS
    from organizations.languages import LANGUAGE_CODES
    from organizations.models import Sector
    from organizations.regions import Region

    codes = frozenset(code for code, _name in countries)
    return {
        "sector": frozenset(Sector.values).__contains__,
        "country": codes.__contains__,
        "region": frozenset(Region.values).__contains__,
        "theme": lambda value: bool(SLUG.fullmatch(value)),  # and it exists: _theme_exists
        "women_led": YES_NO.__contains__,
        "youth_led": YES_NO.__contains__,
        "vetted": YES_NO.__contains__,
        "language": LANGUAGE_CODES.__contains__,
        "sort": frozenset(ORDERINGS).__contains__,
        "page": lambda value: bool(PAGE_NUMBER.fullmatch(value)),
    }


# Known to the directory but never part of a cached page's key unless empty.
DIRECTORY_UNCACHED = frozenset({"q", "vetting_status", "updated_since"})


def _canonical(
    query, parameters: dict, uncached: frozenset, *, empty: dict | None = None
) -> str | None:
    """``name=value`` pairs of ``query`` in a fixed order; None if any parameter is unknown,
    repeated or has a value its filter does not offer, or is one never cached (a search).
    ``empty``: the parameters whose empty value means something of its own, with its key."""
    kept = []
    for name, values in query.lists():
        if len(values) != 1:
            return None
        value = values[0]
        # The name first, even for an empty value: the page shows the query as it was asked
        # (pagination links, the sign-in link's next), so an unknown name must not be stored
        # under a known key for every later visitor to be sent.
        if name not in parameters and name not in uncached:
            return None
        if not value and empty and name in empty:
            kept.append(empty[name])
            continue
        if not value or (name == "page" and value == "1"):
            continue  # as if absent (the filter form sends every field): the same page
        if name in uncached or not parameters[name](value):
            return None
        kept.append(f"{name}={value}")
    return "&".join(sorted(kept))


def directory_query(query) -> str | None:
    """``sector=civil_society&country=YE`` in a fixed order; None if any parameter is unknown,
    repeated or has a value its filter does not offer, or if it is a search."""
    return _canonical(query, _directory_parameters(), DIRECTORY_UNCACHED)


def _theme_exists(request) -> bool:
    from organizations.models import Theme

    theme = request.GET.get("theme")
    return not theme or Theme.objects.filter(slug=theme).exists()


@functools.cache
def _meeting_list_parameters() -> dict[str, Callable[[str], bool]]:
    """The meeting list's parameters an anonymous page may be cached for (dialogues.filters),
    each with the values that key a page."""
    from django_countries import countries

    from dialogues.models import MeetingFormat, MeetingKind, MeetingStatus
    from organizations.regions import Region

    return {
        "working_group": lambda value: bool(SLUG.fullmatch(value)),  # and it exists
        "kind": frozenset(MeetingKind.values).__contains__,
        "status": frozenset(MeetingStatus.values).__contains__,
        "meeting_format": frozenset(MeetingFormat.values).__contains__,
        "country": frozenset(code for code, _name in countries).__contains__,
        "region": frozenset(Region.values).__contains__,
        "when": frozenset({"coming", "past"}).__contains__,
        "page": lambda value: bool(PAGE_NUMBER.fullmatch(value)),
    }


MEETING_LIST_UNCACHED = frozenset({"q", "from", "to", "updated_since"})


def meeting_list_query(query) -> str | None:
    """As ``directory_query``, for the meeting list; ``when`` empty (any time) is not ``when``
    absent (coming meetings), so it keeps its own key."""
    return _canonical(
        query, _meeting_list_parameters(), MEETING_LIST_UNCACHED, empty={"when": "when=any"}
    )


def meetings_api_query(query) -> str | None:
    """The meetings API list's query string if it is one whose answer may be shared: nothing,
    ``when`` coming or past, and the first pages, in this order; else None."""
    kept = []
    for name, values in query.lists():
        if len(values) != 1 or name not in ("when", "page"):
            return None
        value = values[0]
        if name == "when" and value not in ("coming", "past"):
            return None
        if name == "page" and not PAGE_NUMBER.fullmatch(value):
            return None
        kept.append(f"{name}={value}")
    return "&".join(sorted(kept))


def _working_group_exists(request) -> bool:
    from dialogues.models import WorkingGroup

    slug = request.GET.get("working_group")
    return not slug or WorkingGroup.objects.filter(slug=slug, active=True).exists()


# --- The recommendations' list (recommendations.views.browse) --------------------------------


@functools.cache
def _recommendation_list_parameters() -> dict[str, Callable[[str], bool]]:
    """The recommendations' list parameters an anonymous page may be cached for
    (recommendations.filters), each with the values that key a page. Values naming an object
    (a theme, an organization, a source, a working group, a cycle) need only be well formed:
    one that names nothing the visitor may see is answered 400, which is never stored."""
    from django_countries import countries

    from organizations.regions import Region
    from recommendations.filters import FIRST_YEAR, LAST_YEAR, ORDERINGS, STATUS_CHOICES
    from recommendations.models import AddresseeType, Section

    statuses = frozenset(value for value, _label in STATUS_CHOICES)
    years = frozenset(str(year) for year in range(FIRST_YEAR, LAST_YEAR + 1))

    def named(value):
        return bool(SLUG.fullmatch(value))

    return {
        "theme": named,
        "addressee_type": frozenset(AddresseeType.values).__contains__,
        "organization": named,
        "self_status": statuses.__contains__,
        "independent_status": statuses.__contains__,
        "source": named,
        "working_group": named,
        "cycle": named,
        "section": frozenset(Section.values).__contains__,
        "country": frozenset(code for code, _name in countries).__contains__,
        "region": frozenset(Region.values).__contains__,
        "year": years.__contains__,
        "ordering": frozenset(ORDERINGS).__contains__,
        "page": lambda value: bool(PAGE_NUMBER.fullmatch(value)),
    }


# Known to the list but never part of a cached page's key unless empty: a search (unbounded
# keys), the secretariat's "published" and the API's "updated_since".
RECOMMENDATION_LIST_UNCACHED = frozenset({"q", "published", "updated_since"})


def recommendation_list_names() -> frozenset[str]:
    """Every parameter the recommendations' list knows."""
    return frozenset(_recommendation_list_parameters()) | RECOMMENDATION_LIST_UNCACHED


def recommendation_list_permalink(query) -> list[tuple[str, str]]:
    """The canonical form of a recommendations' list query: the parameters the list knows,
    each once (the last value, as the filters read it), empty ones and ``page=1`` dropped, in
    the order of their names. The page redirects to it, so the address is the view's
    permalink; ``recommendation_list_query`` keys cached pages in the same form."""
    names = recommendation_list_names()
    pairs = []
    for name in sorted(query):
        value = query.get(name)
        if name in names and value and not (name == "page" and value == "1"):
            pairs.append((name, value))
    return pairs


def recommendation_list_query(query) -> str | None:
    """As ``directory_query``, for the recommendations' list (``theme=…&year=2019`` in the
    order of ``recommendation_list_permalink``); None for a search or an unknown value."""
    return _canonical(query, _recommendation_list_parameters(), RECOMMENDATION_LIST_UNCACHED)


# One line each on the views (organizations.views.directory, gsx_portal.views).
cached_home = anonymous_page("home", reads_data=False)
cached_directory = anonymous_page(
    "organizations:directory", canonical_query=directory_query, may_store=_theme_exists
)
cached_organization = anonymous_page("organizations:detail")
# Dialogues' public pages. What they show with time and no write (a meeting moving from
# coming to past, the timeline's current month) is at most PAGE_CACHE_SECONDS late.
cached_meeting = anonymous_page("dialogues:meeting")
cached_working_groups = anonymous_page("dialogues:working_groups")
cached_working_group = anonymous_page("dialogues:working_group")
cached_meeting_list = anonymous_page(
    "dialogues:meetings", canonical_query=meeting_list_query, may_store=_working_group_exists
)
cached_timeline = anonymous_page("dialogues:timeline")  # both its addresses: the key has the year
# The recommendations' dashboard and review cycles: counts over published recommendations (a
# cycle's gaps are a pass over every response: worth keeping for anonymous visitors).
cached_dashboard = anonymous_page("recommendations:dashboard")
cached_cycles = anonymous_page("recommendations:cycles")
cached_cycle = anonymous_page("recommendations:cycle")
# A recommendation's page and a source's page (recommendations.views.detail).
cached_recommendation = anonymous_page("recommendations:detail")
cached_source = anonymous_page("recommendations:source")
cached_recommendation_list = anonymous_page(
    "recommendations:list", canonical_query=recommendation_list_query
)


def directory_fragment(request, *, audience: str | None, render: Callable[[], str]):
    """The directory's body (``render()``), shared by everyone of ``audience`` for the same
    canonical query (``shared_fragment``); the key's query as for an anonymous page."""
    return shared_fragment(
        "organizations:directory",
        audience=audience,
        query=directory_query(request.GET),
        render=render,
        may_store=lambda: _theme_exists(request),
    )


def meeting_list_fragment(request, *, audience: str | None, render: Callable[[], str]):
    """The meeting list's body (``render()``), shared by everyone of ``audience`` for the same
    canonical query, as the directory's."""
    return shared_fragment(
        "dialogues:meetings",
        audience=audience,
        query=meeting_list_query(request.GET),
        render=render,
        may_store=lambda: _working_group_exists(request),
    )


def recommendation_list_fragment(
    request, *, audience: str | None, render: Callable[[], str], may_store: Callable[[], bool]
):
    """The recommendations' list body (``render()``), shared by everyone of ``audience`` for
    the same canonical query, as the directory's."""
    return shared_fragment(
        "recommendations:list",
        audience=audience,
        query=recommendation_list_query(request.GET),
        render=render,
        may_store=may_store,
    )
