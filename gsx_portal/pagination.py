"""Pagination whose count stops at a cap, for the HTML lists and the API.

Counting every row of a long list costs a second scan of it on every page (at 100,000
organizations, more than the page itself), and nobody pages through ten thousand results:
``CappedPaginator`` counts at most ``LIST_COUNT_CAP + 1`` rows and says whether it stopped
there. Pages beyond the cap stay reachable: a page past the counted ones fetches one row more
than it shows, which tells whether a next page exists.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import (
    PageNumberPagination,
    _get_displayed_page_numbers,
    _get_page_links,
)
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# From this many rows skipped on, a page is read as its ids first (CappedPaginator._rows).
DEEP_OFFSET = 500
# No list has this many rows; a larger page number is refused rather than sent to the
# database as an OFFSET it cannot hold (PostgreSQL's bigint).
MAX_OFFSET = 2**40


class CappedPage(Page):
    asked_number: int | None = None  # the number asked for, when that page does not exist

    def __init__(self, object_list, number, paginator, *, has_more: bool | None = None):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        if self._has_more is not None:
            return self._has_more
        return super().has_next()

    def end_index(self) -> int:
        if not self.object_list:
            return super().end_index()
        return self.start_index() + len(self.object_list) - 1

    @property
    def known_pages(self) -> int:
        """How many pages are known to exist: all of them unless the count was capped, else
        those the ``cap + 1`` counted rows fill, or up to the next page of this one."""
        paginator = self.paginator
        if not paginator.count_capped:
            return paginator.num_pages
        counted = -(-(paginator.cap + 1) // paginator.per_page)
        return max(counted, self.number + (1 if self.has_next() else 0))

    @property
    def is_last_known(self) -> bool:
        """True when the total is known: the count was exact, or this page is the last."""
        return not self.paginator.count_capped or not self.has_next()


class CappedPaginator(Paginator):
    """A ``Paginator`` that counts at most ``cap + 1`` rows (``LIST_COUNT_CAP`` by default).

    ``count`` is exact up to ``cap`` and ``cap`` beyond it, with ``count_capped`` true;
    ``num_pages`` then covers the counted rows only. Pages past them are served by fetching
    ``per_page + 1`` rows (``has_next`` comes from the extra row). ``get_page`` past the last
    row counts exactly, once, to answer with the last page as ``Paginator.get_page`` does.
    """

    deep_offset = DEEP_OFFSET

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = settings.LIST_COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            if not (rows.query.distinct or rows.query.combinator):
                # Neither the order nor the selected columns change how many rows there are;
                # without them the database counts from the narrowest index it has.
                rows = rows.order_by().values("pk")
            return rows[: self.cap + 1].count()
        return len(rows[: self.cap + 1])

    @property
    def count_capped(self) -> bool:
        """True when there are more rows than ``cap`` (and ``count`` is ``cap``)."""
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    def count_exactly(self) -> None:
        """Count every row (for a page number past the last row, or ``?page=last``)."""
        rows = self.object_list
        counted = rows.count() if hasattr(rows, "query") else len(rows)
        for name in ("count", "num_pages"):
            self.__dict__.pop(name, None)
        self.cap = self.__dict__["_counted"] = counted

    def validate_number(self, number):
        if not self.count_capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.count_capped or top + self.orphans < self.count:
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._rows(bottom, top), number, self)
        # Past the counted rows: one row more than the page says whether another follows.
        rows = list(self._rows(bottom, top + 1))
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        has_more = len(rows) > self.per_page
        return self._get_page(rows[: self.per_page], number, self, has_more=has_more)

    def _rows(self, bottom: int, top: int):
        rows = self.object_list
        if bottom < self.deep_offset or not hasattr(rows, "query"):
            return rows[bottom:top]
        if rows.query.distinct or rows.query.combinator:
            return rows[bottom:top]
        # Deep in a long list, the rows skipped by OFFSET are each read from the table and
        # have their annotations computed (the secretariat's latest vetting state is a
        # subquery per row: a second at 100,000). The page's ids come first, from an index
        # alone where one covers the filter and order; then only their rows, in one query.
        return rows.filter(pk__in=rows.values("pk")[bottom:top])

    def get_page(self, number):
        try:
            page = super().get_page(number)
        except EmptyPage:
            # Past the last row of a list too long to have been counted.
            self.count_exactly()
            page = super().get_page(self.num_pages)
        # A number past the end (an old link, a list that shrank) is answered with the last
        # page, and the page says so rather than show another number than the address.
        try:
            asked = int(number)
        except (TypeError, ValueError):
            asked = None
        if asked is not None and asked != page.number:
            page.asked_number = asked
        return page

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)


class CappedPageNumberPagination(PageNumberPagination):
    """The API's pagination: ``count`` exact up to ``LIST_COUNT_CAP`` and the cap beyond it,
    with ``count_capped`` saying which; ``next`` is there whenever another page exists."""

    django_paginator_class = CappedPaginator

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            if paginator.count_capped:
                paginator.count_exactly()
            return paginator.num_pages
        return number

    def paginate_queryset(self, queryset, request, view=None):
        results = super().paginate_queryset(queryset, request, view)
        # DRF shows the browsable API's page links when num_pages > 1; past a capped count
        # there may be other pages whatever num_pages says.
        if results is not None and self.template is not None and self.page.has_other_pages():
            self.display_page_controls = True
        return results

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = (
            "How many results there are, counted up to the cap (10,000 by default); "
            "the cap itself when there are more (then count_capped is true)."
        )
        response["properties"] = {
            "count": properties.pop("count"),
            "count_capped": {
                "type": "boolean",
                "example": False,
                "description": "True when there are more results than count: the count "
                "stopped at the cap. Follow next until it is null to read them all.",
            },
            **properties,
        }
        response["required"] = ["count", "count_capped", "next", "previous", "results"]
        return response

    def get_html_context(self):
        # DRF's own numbers the page links up to num_pages, which does not reach past a capped
        # count (and asserts that the current page is within it): link as far as pages are
        # known to exist.
        base_url = self.request.build_absolute_uri()

        def page_number_to_url(page_number):
            if page_number == 1:
                return remove_query_param(base_url, self.page_query_param)
            return replace_query_param(base_url, self.page_query_param, page_number)

        current = self.page.number
        page_numbers = _get_displayed_page_numbers(current, self.page.known_pages)
        return {
            "previous_url": self.get_previous_link(),
            "next_url": self.get_next_link(),
            "page_links": _get_page_links(page_numbers, current, page_number_to_url),
        }
