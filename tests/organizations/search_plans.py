"""The plans of the search's statements, for the tests that check what answers them."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from organizations.search import organizations_search


def statement_plan(run, *, analyze: bool = False) -> dict:
    """EXPLAIN (FORMAT JSON) of the second of the two statements ``run()`` executes, planned as
    the search plans it: after its first statement, which sets the planner settings."""
    with CaptureQueriesContext(connection) as captured:
        run()
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    first, second = statements
    assert "set_config" in first
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(first)
        cursor.execute(explain + second)
        (plan,) = cursor.fetchone()
        transaction.set_rollback(True)
    return plan[0]["Plan"]


def candidates_plan(queryset, text: str, *, analyze: bool = False) -> dict:
    """The plan of the statement that takes a search's candidates."""
    return statement_plan(lambda: organizations_search(queryset, text), analyze=analyze)


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def bitmap_indexes(plan: dict) -> set[str]:
    return {node["Index Name"] for node in nodes(plan) if node["Node Type"] == "Bitmap Index Scan"}
