"""The plans of the search's statements, for the tests that check what answers them."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from organizations.search import organizations_search


def candidates_plan(queryset, text: str) -> dict:
    """EXPLAIN (FORMAT JSON) of the statement that takes a search's candidates, planned as the
    search plans it: after its first statement, which sets the planner settings."""
    with CaptureQueriesContext(connection) as captured:
        organizations_search(queryset, text)
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    first, candidates = statements
    assert "set_config" in first
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(first)
        cursor.execute("EXPLAIN (FORMAT JSON) " + candidates)
        (plan,) = cursor.fetchone()
        transaction.set_rollback(True)
    return plan[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def bitmap_indexes(plan: dict) -> set[str]:
    return {node["Index Name"] for node in nodes(plan) if node["Node Type"] == "Bitmap Index Scan"}
