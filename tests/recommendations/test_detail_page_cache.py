# ruff: noqa: F811  (the shared world is a fixture imported from test_detail_world)
"""The recommendation's and the source's pages in the anonymous page cache: they read only the
tables whose writes end stored pages, and a committed change shows at once. These tests commit
(the generation moves at commit)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gsx_portal import page_cache
from recommendations.models import Recommendation
from recommendations.services import implementation_update_hide, response_record
from tests.recommendations.test_detail_world import assessment, self_report, world  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]

TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z_]+)"')
# The responses' audit trail is written only by the triggers of
# recommendations_addresseeresponse, in the same transaction: every change to it moves the
# generation through that tracked table.
WRITTEN_WITH_A_TRACKED_TABLE = {"recommendations_addresseeresponseevent"}


def paths(world):
    return [
        f"/recommendations/{world['recommendation'].public_id}/",
        f"/recommendations/sources/{world['source'].public_id}/",
    ]


def test_the_public_pages_read_only_tracked_tables(world, settings):
    settings.PAGE_CACHE_SECONDS = 0  # render, to see every query
    self_report(world)
    assessment(world)
    for path in paths(world):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(path).status_code == 200, path
        read = {table for q in queries.captured_queries for table in TABLE.findall(q["sql"])}
        allowed = set(page_cache.TRACKED_TABLES) | WRITTEN_WITH_A_TRACKED_TABLE
        assert read <= allowed, (path, read - allowed)


def test_a_committed_change_ends_the_stored_pages(redis_cache, world, monkeypatch):
    served = []
    original = page_cache.StoredPage.response

    def response(self, request):
        served.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(page_cache.StoredPage, "response", response)
    detail = paths(world)[0]
    for path in paths(world):
        Client().get(path)
        Client().get(path)
    assert served == paths(world)
    served.clear()
    update = assessment(world)
    assert "No training seen in the provinces" in Client().get(detail).content.decode()
    implementation_update_hide(update=update, by=world["secretariat"], reason="Spam")
    assert "No training seen in the provinces" not in Client().get(detail).content.decode()
    answer = world["recommendation"].responses.get(organization=world["ministry"])
    response_record(response=answer, by=world["official"], status="supported", comment="Agreed.")
    assert "Agreed." in Client().get(detail).content.decode()
    assert served == []
    Recommendation.objects.filter(pk=world["recommendation"].pk).update(published=False)
    assert Client().get(detail).status_code == 404
