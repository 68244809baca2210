"""The directory's queries are answered from their indexes (organizations/models/directory.py),
as the planner sees them on a table big enough to prefer them: the count and the page of the
anonymous list, the signed-in list and a filtered list, exactly as the view runs them.

Transactional: the table is vacuumed (visibility map, statistics) as autovacuum keeps a real
one, which a test inside a transaction cannot do.
"""

import json
import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import MembershipRole, Organization, VisibilityTier
from tests.conftest import signed_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
DIRECTORY = reverse("organizations:directory")
ORGANIZATIONS = 5_000
TABLE = "organizations_organization"
COUNTRIES = ["NE", "TD", "ML", "NG", "KE", "SO", "YE", "IQ", "AF", "CO"]
SECTORS = ["civil_society"] * 7 + ["government", "media", "research"]
TIERS = (
    [VisibilityTier.PUBLIC] * 11 + [VisibilityTier.NETWORK] * 7 + [VisibilityTier.RESTRICTED] * 2
)
NAMES = ["Peace", "Women", "Youth", "Forum", "Network", "Alliance", "Circle", "Mediators"]


@pytest.fixture
def big_directory(settings):
    # The cap stands to this table as 10,000 does to 100,000 organizations.
    settings.LIST_COUNT_CAP = 500
    rng = random.Random(8)  # noqa: S311 (test data, not secrets)
    rows = []
    for n in range(ORGANIZATIONS):
        headquarters = rng.choice(COUNTRIES) if rng.random() < 0.8 else rng.choice(["FR", "BR"])
        rows.append(
            Organization(
                name=" ".join(rng.sample(NAMES, 3)),  # names repeat, as they do at scale
                slug=f"planned-{n:05}",
                sector=rng.choice(SECTORS),
                visibility_tier=rng.choice(TIERS),
                headquarters_country=headquarters,
                countries=sorted({headquarters, *rng.sample(COUNTRIES, rng.randint(0, 2))}),
                # Hausa and Somali are rarer than the four portal languages.
                working_languages=[rng.choice(["en", "fr", "ar", "es"])]
                + (["ha"] if rng.random() < 0.03 else []),
                regions=["sub_saharan_africa"],
                summary="Community mediation and prevention work. " * 8,
                description="Local committees, dialogue with authorities, training. " * 12,
            )
        )
    Organization.objects.bulk_create(rows, batch_size=1_000)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {TABLE}")


def _plan(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        found = cursor.fetchone()[0]
    return (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _queries_of(client: Client, query: dict) -> tuple[dict, dict]:
    """The plans of the count and of the page, from the SQL the view ran."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DIRECTORY, query).status_code == 200
    listed = [q["sql"] for q in queries if f'FROM "{TABLE}"' in q["sql"]]
    count = [sql for sql in listed if sql.startswith("SELECT COUNT(*) FROM (SELECT")]
    page = [sql for sql in listed if sql.startswith(f'SELECT "{TABLE}"."id"') and "LIMIT" in sql]
    assert (len(count), len(page)) == (1, 1), listed
    return _plan(count[0]), _plan(page[0])


def _indexes(plan: dict) -> set[str]:
    return {node["Index Name"] for node in _nodes(plan) if "Index Name" in node}


def _assert_no_full_table_work(plan: dict) -> None:
    for node in _nodes(plan):
        scans_table = node.get("Relation Name") == TABLE
        assert not (scans_table and node["Node Type"] == "Seq Scan"), node
        if node["Node Type"] == "Sort":  # not "Incremental Sort"
            sorted_rows = node["Plans"][0]["Plan Rows"]
            assert sorted_rows < ORGANIZATIONS / 10, node


def test_anonymous_lists_read_their_indexes(big_directory):
    count, page = _queries_of(Client(), {})
    _assert_no_full_table_work(count)
    _assert_no_full_table_work(page)
    assert "organization_name" in _indexes(page)
    assert any(node["Node Type"] == "Index Only Scan" for node in _nodes(count))

    count, page = _queries_of(Client(), {"sector": "civil_society", "country": "NE"})
    _assert_no_full_table_work(count)
    _assert_no_full_table_work(page)
    assert {"organization_headquarters", "organization_country_codes"} <= _indexes(count)

    for query, index in [
        ({"language": "ha"}, "organization_languages"),
        ({"sector": "media"}, "organization_sector"),
    ]:
        count, page = _queries_of(Client(), query)
        _assert_no_full_table_work(count)
        _assert_no_full_table_work(page)
        assert index in _indexes(count)


def test_the_signed_in_list_reads_its_indexes(big_directory):
    member = MembershipFactory(
        organization=Organization.objects.filter(visibility_tier=VisibilityTier.RESTRICTED)[0],
        role=MembershipRole.MEMBER,
    ).user
    client = signed_in(member)
    for query in ({}, {"sort": "-updated"}, {"page": "40"}):
        count, page = _queries_of(client, query)
        _assert_no_full_table_work(count)
        _assert_no_full_table_work(page)
        assert any(node["Node Type"] == "Index Only Scan" for node in _nodes(count))
    assert "organization_name" in _indexes(_queries_of(client, {})[1])
