"""The one FilterSet of the list page, its exports and the API: each facet selects exactly the
rows it names; bad values are form errors that name the parameter; what the reader may not see
cannot be named; the search uses each language's index."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory

from organizations.models import Sector, Theme, VisibilityTier
from recommendations.filters import RecommendationFilter, by_relevance
from recommendations.models import (
    ImplementationStatus,
    Perspective,
    Recommendation,
    Section,
    SourceDocument,
    SourceKind,
)
from recommendations.selectors import recommendations_visible_to
from recommendations.services import (
    implementation_update_add,
    recommendation_create,
    source_document_create,
)
from tests.factories import MembershipFactory, OrganizationFactory

IS = ImplementationStatus


def _filter(user, **params):
    request = RequestFactory().get("/recommendations/", params)
    request.user = user
    return RecommendationFilter(
        request.GET, queryset=recommendations_visible_to(user), request=request
    )


def _references(user, **params) -> list[str]:
    filterset = _filter(user, **params)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("reference", flat=True))


@pytest.fixture
def catalogue(reviewer):
    ministry = OrganizationFactory(
        name="Ministry of Interior",
        sector=Sector.GOVERNMENT,
        visibility_tier=VisibilityTier.PUBLIC,
    )
    hidden = OrganizationFactory(
        name="Women at Risk Network",
        sector=Sector.CIVIL_SOCIETY,
        visibility_tier=VisibilityTier.RESTRICTED,
    )
    old = source_document_create(
        by=reviewer, title="Brief", kind=SourceKind.BRIEF, published_on=date(2017, 3, 1)
    )
    new = source_document_create(
        by=reviewer,
        title="Outcome",
        kind=SourceKind.OUTCOME_DOCUMENT,
        published_on=date(2019, 9, 21),
    )
    policing = Theme.objects.get(slug="community-policing")

    def make(reference, source, **fields):
        fields.setdefault("published", True)
        return recommendation_create(
            by=reviewer, source=source, reference=reference, title=reference, text="x", **fields
        )

    a = make(
        "A-1",
        old,
        themes=[policing],
        addressee_types=["governments"],
        addressed_organizations=[ministry, hidden],
        countries=["NG"],
        section=Section.POLICY,
    )
    make("B-1", new, addressee_types=["donors", "governments"], regions=["sub_saharan_africa"])
    make("C-1", new, addressee_types=["all"])
    make("D-draft", new, published=False, addressed_organizations=[ministry])
    official = MembershipFactory(organization=ministry).user
    implementation_update_add(
        by=official,
        recommendation=a,
        perspective=Perspective.SELF_REPORT,
        reporting_organization=ministry,
        status=IS.IMPLEMENTED,
        summary="Done.",
    )
    return {"ministry": ministry, "hidden": hidden, "old": old, "new": new, "theme": policing}


def test_each_facet_selects_exactly_its_rows(catalogue, reviewer):
    anyone = AnonymousUser()
    assert _references(anyone) == ["A-1", "B-1", "C-1"]
    assert _references(anyone, theme="community-policing") == ["A-1"]
    assert _references(anyone, addressee_type="governments") == ["A-1", "B-1"]
    assert _references(anyone, addressee_type="all") == ["C-1"]
    assert _references(anyone, organization=catalogue["ministry"].slug) == ["A-1"]
    assert _references(anyone, organization=str(catalogue["ministry"].public_id)) == ["A-1"]
    assert _references(anyone, self_status="implemented") == ["A-1"]
    assert _references(anyone, self_status="none") == ["B-1", "C-1"]
    assert _references(anyone, independent_status="none") == ["A-1", "B-1", "C-1"]
    assert _references(anyone, source=str(catalogue["new"].public_id)) == ["B-1", "C-1"]
    assert _references(anyone, country="NG") == ["A-1"]
    assert _references(anyone, region="sub_saharan_africa") == ["B-1"]
    assert _references(anyone, year="2019") == ["B-1", "C-1"]
    assert _references(anyone, section="policy") == ["A-1"]
    assert _references(anyone, ordering="-date") == ["B-1", "C-1", "A-1"]
    assert _references(anyone, ordering="self_status") == ["A-1", "B-1", "C-1"]
    assert _references(anyone, published="false") == []
    assert _references(reviewer, published="false") == ["D-draft"]
    assert _references(reviewer, organization=catalogue["ministry"].slug) == ["A-1", "D-draft"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("theme", "no-such-theme"),
        ("addressee_type", "everyone"),
        ("organization", "no-such-organization"),
        ("self_status", "done"),
        ("source", "not-a-uuid"),
        ("source", "00000000-0000-0000-0000-000000000000"),
        ("cycle", "gsx-1999"),
        ("country", "XX"),
        ("region", "atlantis"),
        ("year", "1789"),
        ("year", "twenty"),
        ("published", "maybe"),
        ("updated_since", "yesterday"),
        ("ordering", "-reference; drop table"),
        ("q", "peace\x00"),
        ("q", "x" * 201),
        ("working_group", "no-such-group"),
    ],
)
def test_a_bad_value_is_an_error_naming_its_parameter(catalogue, parameter, value):
    filterset = _filter(AnonymousUser(), **{parameter: value})
    assert not filterset.is_valid()
    assert list(filterset.errors) == [parameter]


def test_what_the_reader_may_not_see_cannot_be_named(catalogue, reviewer, outsider):
    hidden = catalogue["hidden"]
    for user in (AnonymousUser(), outsider):
        filterset = _filter(user, organization=hidden.slug)
        assert not filterset.is_valid()
        assert list(filterset.errors) == ["organization"]
    assert _references(reviewer, organization=hidden.slug) == ["A-1"]
    draft_only = source_document_create(
        by=reviewer, title="Unpublished", kind=SourceKind.BRIEF, published_on=date(2020, 1, 1)
    )
    assert not _filter(outsider, source=str(draft_only.public_id)).is_valid()
    assert _references(reviewer, source=str(draft_only.public_id)) == []


def test_search_stems_each_language(catalogue, reviewer):
    source = catalogue["new"]
    for reference, title, text in [
        ("EN-1", "Community policing", "Train police officers with women's organizations."),
        ("FR-1", "Police de proximité", "Former les policières aux politiques de prévention."),
        ("AR-1", "الشرطة المجتمعية", "تدريب الشرطة على العمل مع المجتمعات المحلية"),
    ]:
        recommendation_create(
            by=reviewer, source=source, reference=reference, title=title, text=text, published=True
        )
    anyone = AnonymousUser()
    assert _references(anyone, q="policed") == ["EN-1", "FR-1"]  # "police" in both
    assert _references(anyone, q="politique") == ["FR-1"]
    assert _references(anyone, q="organization") == ["EN-1"]
    assert _references(anyone, q="المجتمع") == ["AR-1"]
    assert _references(anyone, q='"community policing" -women') == []


def test_search_reads_each_languages_index(migration_data):
    source = SourceDocument.objects.create(
        title="Many", kind=SourceKind.BRIEF, published_on=date(2020, 1, 1)
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            source=source,
            reference=f"BULK-{n}",
            title=f"Recommendation number {n}",
            text=f"Ordinary words about topic {n % 97}."
            + (" A rare mediator, rarement médiatrice, وسيطة نادرة." if n % 1000 == 7 else ""),
            published=True,
        )
        for n in range(20_000)
    )
    # What autovacuum does on a live database: moves the GIN indexes' pending entries into the
    # index proper (the planner prices a long pending list as a scan of it) and counts rows.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE recommendations_recommendation")
    for word in ("rare", "médiatrice", "نادرة"):
        assert _filter(AnonymousUser(), q=word).qs.count() == 20
        plan = _filter(AnonymousUser(), q=word).qs.explain()
        for index in ("recommendation_search_en", "recommendation_search_fr"):
            assert index in plan, plan
        assert "recommendation_search_ar" in plan, plan
        assert "Seq Scan on recommendations_recommendation" not in plan, plan
    plan = _filter(AnonymousUser(), q="bulk-1234").qs.explain()
    assert "recommendation_reference_trgm" in plan, plan
    assert "Seq Scan on recommendations_recommendation" not in plan, plan


def test_a_reference_cited_in_part_is_found_first(catalogue, reviewer):
    source = catalogue["new"]
    for reference, title in [
        ("PVE-CP-2017/PRG-8", "Train local officers"),
        ("PVE-CP-2017/PRG-9", "Fund women's networks"),
        ("GSX-2017/REC-08", "Mentions PRG-8 in its title"),
    ]:
        recommendation_create(
            by=reviewer, source=source, reference=reference, title=title, text="x", published=True
        )
    anyone = AnonymousUser()
    assert _references(anyone, q="prg-8") == ["GSX-2017/REC-08", "PVE-CP-2017/PRG-8"]
    assert _references(anyone, q="pve-cp-2017") == ["PVE-CP-2017/PRG-8", "PVE-CP-2017/PRG-9"]
    filterset = _filter(anyone, q="prg-8")
    assert filterset.is_valid()
    ranked = by_relevance(filterset.qs, "prg-8")
    assert list(ranked.values_list("reference", flat=True)) == [
        "PVE-CP-2017/PRG-8",
        "GSX-2017/REC-08",
    ]
    # Words are no reference: no substring search (nor its cost) for them.
    assert _references(anyone, q="officers") == ["PVE-CP-2017/PRG-8"]
    assert _references(anyone, q="G-") == []  # shorter than three characters: words only
