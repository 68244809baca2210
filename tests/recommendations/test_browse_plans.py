"""The list at scale: a search, ranked or not, is answered through the three languages' indexes
(never a scan of every recommendation), its count stops at the cap, and the facets are counted
only over a list short enough."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory

from recommendations.filters import RecommendationFilter, by_relevance
from recommendations.models import Recommendation, SourceDocument, SourceKind
from recommendations.selectors import recommendations_visible_to

ROWS = 20_000


@pytest.fixture
def many(migration_data):
    source = SourceDocument.objects.create(
        title="Many", kind=SourceKind.BRIEF, published_on=date(2020, 1, 1)
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            source=source,
            reference=f"BULK-{n:05}",
            title=f"Recommendation number {n}",
            text=f"Ordinary words about topic {n % 97}."
            + (" A rare mediator, rarement médiatrice, وسيطة نادرة." if n % 1000 == 7 else ""),
            addressee_types=["governments"] if n % 2 else ["donors"],
            published=True,
        )
        for n in range(ROWS)
    )
    # What autovacuum does on a live database (see test_filters.py).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE recommendations_recommendation")


def _results(**params):
    request = RequestFactory().get("/recommendations/", params)
    request.user = AnonymousUser()
    filterset = RecommendationFilter(
        request.GET, queryset=recommendations_visible_to(request.user), request=request
    )
    assert filterset.is_valid()
    return filterset.qs


@pytest.mark.django_db(transaction=True)
def test_a_ranked_search_reads_the_indexes(many):
    for word in ("rare", "médiatrice", "نادرة"):
        ranked = by_relevance(_results(q=word), word)
        assert ranked.count() == 20
        plan = ranked[:25].explain()
        for index in ("recommendation_search_en", "recommendation_search_fr"):
            assert index in plan, plan
        assert "recommendation_search_ar" in plan, plan
        assert "Seq Scan on recommendations_recommendation" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_a_long_list_is_capped_and_its_facets_not_counted(many, settings):
    settings.PAGE_CACHE_SECONDS = 0
    page = Client().get("/recommendations/?q=words").content.decode()
    assert "More than 1,000 recommendations" in page
    assert "Too many matches to rank" in page
    assert len(re.findall(r'class="rec-reference"', page)) == 25
    assert "once the list has 2,000 results or fewer" in page
    page = Client().get("/recommendations/?q=rare").content.decode()
    assert "20 recommendations" in page
    assert "Best matches first." in page
    assert "Governments (20)" in page and "Donors (0)" in page
