"""The search is answered from its GIN indexes and ranks its candidates only, whatever the word:
checked on the plans PostgreSQL makes for a directory of a few thousand organizations in the
benchmark's languages (analysed), with the candidates limited below the matches of a common
word. The search's planner settings (organizations.search.SEARCH_PLANNER_SETTINGS) make the
plan the same at any size; a condition no index can answer would still be read in order."""

import json
import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from bench.words import LANGUAGES, TIERS, WORDS
from organizations.models import Organization
from organizations.search import organization_suggestions, organizations_search
from organizations.selectors import organizations_visible_to
from tests.organizations.search_plans import bitmap_indexes, candidates_plan, nodes, statement_plan

pytestmark = pytest.mark.django_db
ROWS = 4000
CANDIDATES = 40
SEARCHES = {
    "common": "peace",
    "rare": "ushirika",
    "accented": "médiatrices",
    "arabic": "السلام",
    "prefix": "peac",
    "typo": "paece",
    "two words": "réseau kivu",
}


@pytest.fixture
def big_directory(db, settings):
    settings.SEARCH_CANDIDATES = CANDIDATES
    rng = random.Random(8)  # noqa: S311 (reproducible data)
    rows = []
    for n in range(ROWS):
        language = rng.choices(*zip(*LANGUAGES, strict=True))[0]
        kinds, focuses, places, sentence, who, what = WORDS[language]
        rare = n % 1000 == 7  # a word four organizations have
        rows.append(
            Organization(
                slug=f"org-{n}",
                name=f"{rng.choice(kinds)} {rng.choice(focuses)} {rng.choice(places)}"
                + (" Ushirika" if rare else ""),
                summary=sentence.format(
                    who=rng.choice(who), what=rng.choice(what), n=rng.randint(3, 90)
                ),
                sector="civil_society",
                visibility_tier="public" if rare else rng.choices(*zip(*TIERS, strict=True))[0],
            )
        )
    Organization.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organizations_organization")


def _visible():
    return organizations_visible_to(AnonymousUser())


def _candidates_run(text: str) -> dict:
    """EXPLAIN ANALYZE of the statement that took a search's candidates."""
    return candidates_plan(_visible(), text, analyze=True)


def test_the_candidates_come_from_the_indexes_and_only_they_are_ranked(big_directory):
    for kind, text in SEARCHES.items():
        plan = candidates_plan(_visible(), text)
        types = {node["Node Type"] for node in nodes(plan)}
        assert "Seq Scan" not in types, kind
        assert "Index Scan" not in types, kind  # no walk through another index either
        assert bitmap_indexes(plan) == {"organization_search", "organization_name_trgm"}, kind
        # Ranked and sorted: what the limit let through, never the table.
        assert plan["Node Type"] == "Sort", kind
        (limit,) = plan["Plans"]
        assert limit["Node Type"] == "Limit", kind
        assert limit["Plan Rows"] <= CANDIDATES, kind


def test_a_common_word_fills_the_candidates_from_its_best_tiers_alone(big_directory):
    for text in ("peace", "peac", "السلام"):
        assert organizations_search(_visible(), text).count() == CANDIDATES, text
        scans = [
            node for node in nodes(_candidates_run(text)) if node["Node Type"] == "Bitmap Heap Scan"
        ]
        assert sum(node["Actual Rows"] for node in scans) == CANDIDATES, text
        # The last tiers' scans never ran: PostgreSQL stopped at the limit.
        assert scans[-1]["Actual Loops"] == 0, text


def test_the_page_of_results_sorts_the_candidates_by_their_place_only(big_directory):
    for kind, text in SEARCHES.items():
        found = organizations_search(_visible(), text)
        if not found.count():
            assert kind == "typo"
            continue  # nothing found: the page asks nothing more
        (plan,) = json.loads(found[:25].explain(format="json"))
        sort = next(node for node in nodes(plan["Plan"]) if node["Node Type"] == "Sort")
        keys = " ".join(sort["Sort Key"])
        assert "width_bucket" in keys, kind
        assert "ts_rank" not in keys, kind
        (rows,) = sort["Plans"]
        assert rows["Plan Rows"] <= CANDIDATES, kind


def test_suggestions_come_from_the_trigram_index(big_directory):
    plan = statement_plan(lambda: organization_suggestions(_visible(), "paece"))
    assert "Seq Scan" not in {node["Node Type"] for node in nodes(plan)}
    assert bitmap_indexes(plan) == {"organization_name_trgm"}
    assert plan["Node Type"] == "Limit"
