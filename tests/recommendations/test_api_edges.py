"""Edges of the recommendations API: privileged callers without a second factor, references
with dots or shaped like a UUID, keys that name nothing, odd bodies."""

import json
import uuid

import pytest
from django.test import Client

from recommendations.models import Follow, ImplementationUpdate
from recommendations.services import recommendation_create
from tests.conftest import bearer
from tests.factories import UserFactory
from tests.recommendations.api_world import API, REFERENCE, make_world


@pytest.fixture
def world(reviewer, outsider, cso_member, government_user, working_group):
    return make_world(
        secretariat=reviewer,
        outsider=outsider,
        cso_member=cso_member,
        government_user=government_user,
        working_group=working_group,
    )


def _post(client, path, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"{API}/{path}", data, content_type="application/json")


def test_the_secretariat_without_a_second_factor_is_refused(world):
    unenrolled = UserFactory(groups=["secretariat"])
    client = bearer(unenrolled)
    answer = client.get(f"{API}/recommendations/")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "Enable two-factor authentication first."}
    path = f"implementation-updates/{world.self_report.public_id}/hide/"
    assert _post(client, path, {"reason": "x"}).status_code == 403
    assert ImplementationUpdate.objects.get(pk=world.self_report.pk).hidden_at is None


def test_references_with_dots_or_shaped_like_a_uuid_are_found(world):
    secretariat = world.people["secretariat"]
    shaped = str(uuid.uuid4())
    for reference in ("PVE.2019/FIN-1.a", shaped):
        recommendation_create(
            by=secretariat,
            source=world.source,
            reference=reference,
            title=f"Fund {reference}",
            text="Fund local organizations over several years.",
            published=True,
        )
    client = Client()
    dotted = client.get(f"{API}/recommendations/PVE.2019/FIN-1.a/")
    assert dotted.status_code == 200 and dotted.json()["reference"] == "PVE.2019/FIN-1.a"
    by_shape = client.get(f"{API}/recommendations/{shaped}/")
    assert by_shape.status_code == 200 and by_shape.json()["reference"] == shaped
    # Its public id still answers first.
    published = client.get(f"{API}/recommendations/{world.published.public_id}/")
    assert published.json()["reference"] == REFERENCE


@pytest.mark.parametrize(
    "path",
    [
        "recommendations/not%20a%20reference/",
        "recommendations/-leading-dash/",
        "review-cycles/no-such-cycle/",
        "review-cycles/00000000-0000-0000-0000-000000000000/",
        "source-documents/00000000-0000-0000-0000-000000000000/",
        "follows/garbage/",
        "follows/theme:no-such-theme/",
        "follows/recommendation:not-a-uuid/",
        "follows/working_group:00000000-0000-0000-0000-000000000000/",
    ],
)
def test_keys_that_name_nothing_answer_404(world, path):
    assert world.client("outsider").get(f"{API}/{path}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"recommendation": ' * 5000,
        json.dumps({"theme": ["a", "list"], "summary": ["a", "list"]}),
    ],
)
def test_odd_bodies_answer_400_and_write_nothing(world, body):
    answer = _post(world.client("government_user"), "implementation-updates/", body)
    assert answer.status_code == 400
    assert ImplementationUpdate.objects.count() == 3
    follow = _post(world.client("outsider"), "follows/", body)
    assert follow.status_code == 400
    assert not Follow.objects.exists()


def test_a_summary_with_a_nul_byte_is_refused(world):
    body = {
        "recommendation": REFERENCE,
        "perspective": "self_report",
        "reporting_organization": str(world.ministry.public_id),
        "status": "implemented",
        "summary": "Done\x00.",
    }
    answer = _post(world.client("government_user"), "implementation-updates/", body)
    assert answer.status_code == 400
    assert list(answer.json()) == ["summary"]
    assert ImplementationUpdate.objects.count() == 3


@pytest.mark.parametrize(
    "path",
    [
        "recommendations/",
        f"recommendations/{REFERENCE}/",
        "source-documents/",
        "responses/",
        "implementation-updates/",
        "review-cycles/",
        "review-cycles/gsx-2027/",
        "review-cycles/gsx-2027/snapshot/",
        "follows/",
    ],
)
def test_the_browsable_api_renders_each_resource(world, path):
    answer = world.client("secretariat").get(f"{API}/{path}", headers={"Accept": "text/html"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    assert "ETag" not in answer  # validators are for JSON bodies only


def test_a_read_only_token_of_the_secretariat_changes_nothing(world):
    client = world.client("secretariat", write=False)
    writes = [
        (f"implementation-updates/{world.self_report.public_id}/hide/", {"reason": "x"}),
        ("review-cycles/gsx-2027/close/", {}),
        ("follows/", {"theme": "community-policing"}),
    ]
    for path, body in writes:
        answer = _post(client, path, body)
        assert answer.status_code == 403, path
        assert answer.json() == {"detail": "This token may only read."}
    assert ImplementationUpdate.objects.get(pk=world.self_report.pk).hidden_at is None
    world.cycle.refresh_from_db()
    assert world.cycle.state == "open"
    assert not Follow.objects.exists()


def test_sources_filter_by_kind_year_group_and_updated_since(world):
    client = world.client("secretariat")

    def titles(**params):
        answer = client.get(f"{API}/source-documents/", params)
        assert answer.status_code == 200, answer.content
        return [row["title"] for row in answer.json()["results"]]

    brief = "Security interventions and community policing"
    assert titles(kind="brief") == [brief]
    assert titles(kind="concept_note") == ["Draft brief"]
    assert titles(year="2017") == [brief]
    assert titles(working_group=str(world.group.public_id)) == [brief]
    assert titles(working_group=world.group.slug) == [brief]
    since = world.draft_source.updated_at.isoformat()
    assert titles(updated_since=since) == ["Draft brief"]
