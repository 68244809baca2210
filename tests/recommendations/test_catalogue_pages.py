"""The secretariat's catalogue pages and the import page, per role: the secretariat records and
publishes; everyone else gets 403 (what they may see) or 404 (what they may not know exists),
and nothing changes. Bad input keeps what was typed and never fails with a 500."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Sector
from recommendations.models import AddresseeResponse, Recommendation, SourceDocument, SourceKind
from recommendations.services import (
    recommendation_create,
    response_record,
    source_document_create,
)
from tests.conftest import signed_in
from tests.factories import MembershipFactory, OrganizationFactory


@pytest.fixture
def world(reviewer):
    ministry = OrganizationFactory(slug="ministry", sector=Sector.GOVERNMENT)
    public_source = source_document_create(
        by=reviewer, title="Public brief", kind=SourceKind.BRIEF, published_on=date(2017, 3, 1)
    )
    draft_source = source_document_create(
        by=reviewer, title="Draft note", kind=SourceKind.CONCEPT_NOTE, published_on=date(2018, 1, 1)
    )
    published = recommendation_create(
        by=reviewer,
        source=public_source,
        reference="PUB-1",
        title="A published one",
        text="Its text.",
        addressed_organizations=[ministry],
        published=True,
    )
    draft = recommendation_create(
        by=reviewer, source=draft_source, reference="DRAFT-1", title="A draft", text="Its text."
    )
    return {
        "ministry": ministry,
        "public_source": public_source,
        "draft_source": draft_source,
        "published": published,
        "draft": draft,
    }


def _edit(recommendation):
    return reverse("recommendations:recommendation_edit", args=[recommendation.public_id])


def _source_edit(source):
    return reverse("recommendations:source_edit", args=[source.public_id])


def test_sources_page_lists_every_source_for_the_secretariat(world, reviewer):
    response = signed_in(reviewer).get(reverse("recommendations:sources"))
    assert response.status_code == 200
    assert [s.title for s in response.context["page"].object_list] == ["Draft note", "Public brief"]
    assert [
        (s.recommendation_count, s.published_count) for s in response.context["page"].object_list
    ] == [(1, 0), (1, 1)]


@pytest.mark.parametrize("who", ["cso_member", "outsider", "government_user"])
def test_secretariat_pages_refuse_everyone_else(world, request, who):
    client = signed_in(request.getfixturevalue(who))
    for name in ("sources", "source_new", "import"):
        assert client.get(reverse(f"recommendations:{name}")).status_code == 403
    new = (
        reverse("recommendations:recommendation_new")
        + f"?source={world['public_source'].public_id}"
    )
    assert client.get(new).status_code == 403
    # What they see (a published recommendation, its source) they may not change: 403.
    assert client.get(_edit(world["published"])).status_code == 403
    assert client.get(_source_edit(world["public_source"])).status_code == 403
    assert client.post(_edit(world["published"]), {"title": "Hijacked"}).status_code == 403
    # What they may not know exists: 404.
    assert client.get(_edit(world["draft"])).status_code == 404
    assert client.get(_source_edit(world["draft_source"])).status_code == 404
    publish = reverse("recommendations:recommendation_publish", args=[world["draft"].public_id])
    assert client.post(publish).status_code == 404
    world["draft"].refresh_from_db()
    world["published"].refresh_from_db()
    assert (world["draft"].published, world["published"].title) == (False, "A published one")


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(reverse("recommendations:sources"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sources_page_query_count_is_constant(world, reviewer, django_assert_num_queries):
    client = signed_in(reviewer)
    client.get(reverse("recommendations:sources"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("recommendations:sources"))
    for n in range(5):
        source_document_create(
            by=reviewer,
            title=f"Brief {n}",
            kind=SourceKind.BRIEF,
            published_on=date(2019, 1, n + 1),
        )
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("recommendations:sources"))
    assert len(response.context["page"].object_list) == 7


def test_source_new_creates_and_bad_input_keeps_what_was_typed(world, reviewer):
    client = signed_in(reviewer)
    url = reverse("recommendations:source_new")
    bad = {"title": "Outcome\x00 of Rabat", "kind": "outcome_document", "published_on": "soon"}
    bad |= {"language": "en", "publishers": "ministry, nobody-here"}
    response = client.post(url, bad)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"title", "published_on", "publishers"}
    assert "No organization has this address: nobody-here." in form.errors["publishers"]
    assert b'value="soon"' in response.content
    assert b"error-summary" in response.content
    assert SourceDocument.objects.count() == 2
    good = bad | {
        "title": "Outcome of Rabat",
        "published_on": "2019-05-02",
        "publishers": "ministry",
    }
    response = client.post(url, good)
    source = SourceDocument.objects.get(title="Outcome of Rabat")
    assert response.status_code == 302
    assert response["Location"] == _source_edit(source)
    assert [o.slug for o in source.publishers.all()] == ["ministry"]


def test_source_edit_changes_the_source(world, reviewer):
    source = world["public_source"]
    data = {"title": "Public brief, revised", "kind": "brief", "published_on": "2017-03-01"}
    data |= {"language": "fr", "url": "https://example.org/b.pdf"}
    response = signed_in(reviewer).post(_source_edit(source), data)
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.title, source.language, source.url) == (
        "Public brief, revised",
        "fr",
        "https://example.org/b.pdf",
    )


def _recommendation_data(**fields) -> dict:
    return {
        "reference": "PUB-2",
        "section": "policy",
        "parent": "PUB-1",
        "position": "2",
        "title": "A sub-point",
        "text": "Its text.",
        "themes": ["community-policing"],
        "addressee_types": ["governments"],
        "addressed_organizations": "ministry",
        "countries": "ng ke",
        "regions": ["sub_saharan_africa"],
        "repeats": "DRAFT-1",
    } | fields


def test_recommendation_new_creates_a_draft_with_pending_responses(world, reviewer):
    source = world["public_source"]
    url = reverse("recommendations:recommendation_new") + f"?source={source.public_id}"
    response = signed_in(reviewer).post(url, _recommendation_data())
    created = Recommendation.objects.get(reference="PUB-2")
    assert response.status_code == 302
    assert response["Location"] == _source_edit(source) + f"#r-{created.public_id}"
    assert (created.published, created.parent, created.source) == (
        False,
        world["published"],
        source,
    )
    assert [str(c) for c in created.countries] == ["NG", "KE"]
    assert [t.slug for t in created.themes.all()] == ["community-policing"]
    assert list(created.repeats.all()) == [world["draft"]]
    assert list(created.responses.values_list("organization__slug", "status")) == [
        ("ministry", "pending")
    ]


def test_recommendation_new_refuses_a_parent_of_another_source(world, reviewer):
    source = world["public_source"]
    url = reverse("recommendations:recommendation_new") + f"?source={source.public_id}"
    response = signed_in(reviewer).post(url, _recommendation_data(parent="DRAFT-1"))
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == ["A sub-point belongs to the same source."]
    assert b'value="PUB-2"' in response.content
    assert not Recommendation.objects.filter(reference="PUB-2").exists()


def test_recommendation_new_needs_a_known_source(world, reviewer):
    client = signed_in(reviewer)
    assert client.get(reverse("recommendations:recommendation_new")).status_code == 404
    assert (
        client.get(reverse("recommendations:recommendation_new") + "?source=x\x00").status_code
        == 404
    )


def test_recommendation_edit_readdresses_but_keeps_who_responded(world, reviewer):
    recommendation = world["published"]
    donor = OrganizationFactory(slug="donor-fund", sector=Sector.DONOR)
    member = MembershipFactory(organization=world["ministry"]).user
    response = AddresseeResponse.objects.get(organization=world["ministry"])
    response_record(response=response, by=member, status="supported")
    client = signed_in(reviewer)
    data = _recommendation_data(
        reference="PUB-1", parent="", repeats="", addressed_organizations="donor-fund"
    )
    refused = client.post(_edit(recommendation), data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["addressed_organizations"] == [
        "These organizations have responded or reported: they stay addressed: ministry."
    ]
    assert b"donor-fund" in refused.content  # what was typed is kept
    recommendation.refresh_from_db()
    assert recommendation.title == "A published one"
    data["addressed_organizations"] = "ministry donor-fund"
    assert client.post(_edit(recommendation), data).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.title == "A sub-point"
    assert dict(recommendation.responses.values_list("organization", "status")) == {
        world["ministry"].pk: "supported",
        donor.pk: "pending",
    }


def test_recommendation_edit_of_a_published_one_keeps_its_reference(world, reviewer):
    data = _recommendation_data(reference="CHANGED-1", parent="", repeats="")
    signed_in(reviewer).post(_edit(world["published"]), data)
    world["published"].refresh_from_db()
    assert world["published"].reference == "PUB-1"


def test_recommendation_edit_unchanged_writes_nothing(world, reviewer):
    recommendation = world["draft"]
    before = recommendation.updated_at
    client = signed_in(reviewer)
    form = client.get(_edit(recommendation)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(_edit(recommendation), data)
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.updated_at == before


def test_publish_a_draft(world, reviewer):
    url = reverse("recommendations:recommendation_publish", args=[world["draft"].public_id])
    client = signed_in(reviewer)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    world["draft"].refresh_from_db()
    assert world["draft"].published is True


def test_recommendation_form_odd_input_is_refused_with_messages(world, reviewer):
    source = world["public_source"]
    url = reverse("recommendations:recommendation_new") + f"?source={source.public_id}"
    odd = _recommendation_data(
        reference="PUB\u202e-9",
        position="99999999999",
        text="Null\x00 text",
        countries="NG \x00",
        themes=["no-such-theme"],
        meeting="not-an-id",
        repeats="NOPE-1",
        parent="",
    )
    response = signed_in(reviewer).post(url, odd)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "reference",
        "position",
        "text",
        "countries",
        "themes",
        "meeting",
        "repeats",
    }
    assert response.context["form"].errors["reference"] == [
        "A reference is a letter or digit, then up to 79 letters, digits and . _ / -, "
        "e.g. PVE-CP-2017/POL-2a."
    ]
    assert b"99999999999" in response.content  # what was typed is kept
    assert not Recommendation.objects.filter(title="A sub-point").exists()
    fixed = odd | {"reference": "PUB-9", "position": "3", "text": "Text", "countries": "NG"}
    fixed |= {"themes": [], "meeting": "", "repeats": ""}
    assert signed_in(reviewer).post(url, fixed).status_code == 302
    assert Recommendation.objects.get(title="A sub-point").reference == "PUB-9"


# --- The update services' rules (shared by the pages and the import) ----------------------


def test_update_refuses_unpublishing_and_a_new_reference_when_published(world, reviewer):
    from django.core.exceptions import ValidationError

    from recommendations.services.catalogue import recommendation_update

    with pytest.raises(ValidationError) as refused:
        recommendation_update(
            by=reviewer, recommendation=world["published"], published=False, reference="NEW-1"
        )
    assert refused.value.message_dict == {
        "published": ["A published recommendation stays published."],
        "reference": ["The reference of a published recommendation is cited: it stays."],
    }
    world["published"].refresh_from_db()
    assert (world["published"].published, world["published"].reference) == (True, "PUB-1")


def test_update_refuses_a_circle_of_parents_and_moving_a_parent(world, reviewer):
    from django.core.exceptions import ValidationError

    from recommendations.services.catalogue import recommendation_update

    parent = world["published"]
    child = recommendation_create(
        by=reviewer,
        source=parent.source,
        reference="PUB-1a",
        title="Sub",
        text="Text.",
        parent=parent,
    )
    with pytest.raises(ValidationError) as refused:
        recommendation_update(by=reviewer, recommendation=parent, parent=child)
    assert refused.value.message_dict == {
        "parent": ["A recommendation cannot be a sub-point of itself or of its sub-points."]
    }
    with pytest.raises(ValidationError) as refused:
        recommendation_update(by=reviewer, recommendation=parent, source=world["draft_source"])
    assert refused.value.message_dict["source"] == [
        "This recommendation has sub-points: it stays in its source."
    ]
    with pytest.raises(ValidationError) as refused:
        recommendation_update(by=reviewer, recommendation=parent, repeats=[parent])
    assert refused.value.message_dict == {"repeats": ["A recommendation cannot repeat itself."]}
    parent.refresh_from_db()
    assert (parent.parent, parent.source) == (None, world["public_source"])


def test_update_is_refused_to_anyone_but_the_secretariat(world, cso_admin):
    from django.core.exceptions import PermissionDenied

    from recommendations.services.catalogue import recommendation_update, source_document_update

    with pytest.raises(PermissionDenied):
        recommendation_update(by=cso_admin, recommendation=world["published"], title="X")
    with pytest.raises(PermissionDenied):
        source_document_update(by=cso_admin, source=world["public_source"], title="X")
    world["published"].refresh_from_db()
    assert world["published"].title == "A published one"


def test_source_page_query_count_is_constant_in_its_recommendations(
    world, reviewer, django_assert_num_queries
):
    client = signed_in(reviewer)
    url = _source_edit(world["public_source"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        recommendation_create(
            by=reviewer,
            source=world["public_source"],
            reference=f"PUB-1{'abcde'[n]}",
            title="Sub-point",
            text="Text.",
            parent=world["published"],
        )
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert [r.reference for r in response.context["recommendations"]] == [
        "PUB-1",
        "PUB-1a",
        "PUB-1b",
        "PUB-1c",
        "PUB-1d",
        "PUB-1e",
    ]


def test_secretariat_forms_render_with_labels(world, reviewer):
    client = signed_in(reviewer)
    page = client.get(reverse("recommendations:import")).content.decode()
    assert '<label for="id_file">' in page and "<code>source_publishers</code>" in page
    page = client.get(reverse("recommendations:source_new")).content.decode()
    assert '<label for="id_title">' in page and '<label for="id_publishers">' in page
    new = reverse("recommendations:recommendation_new")
    page = client.get(f"{new}?source={world['public_source'].public_id}").content.decode()
    assert '<label for="id_reference">' in page and 'name="published"' in page
    page = client.get(_edit(world["published"])).content.decode()
    assert 'name="published"' not in page and 'value="PUB-1"' in page and "disabled" in page
