"""The list's facet counts: each option's count is the number of current results it keeps, for
every option of every facet, whoever reads; nothing the reader may not see is named or
counted on the page; long option lists hold the options that keep a result and the chosen one."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from recommendations import facets
from recommendations.facets import FACETS, facet_counts
from recommendations.filters import FIRST_YEAR, RecommendationFilter
from recommendations.selectors import recommendations_visible_to
from tests.conftest import signed_in
from tests.factories import MembershipFactory
from tests.recommendations.test_browse_world import make_browse_world


@pytest.fixture
def browse_world(reviewer, working_group):
    return make_browse_world(reviewer, working_group)


def _filterset(user, params):
    request = RequestFactory().get("/recommendations/", params)
    request.user = user
    return RecommendationFilter(
        request.GET, queryset=recommendations_visible_to(user), request=request
    )


def _ids(user, params) -> set[int] | None:
    filterset = _filterset(user, params)
    if not filterset.is_valid():
        return None
    return set(filterset.qs.values_list("pk", flat=True))


def _options(filterset, facet) -> list[tuple[str, str]]:
    """Every (parameter value, key in the counts) the reader may choose for ``facet``."""
    field = filterset.form.fields[facet]
    if facet == "year":
        # The years around the world's (1990 to 2100 are all accepted, and all alike).
        return [(str(year), str(year)) for year in (FIRST_YEAR, *range(2015, 2023))]
    if facet == "published":
        return [("true", "true"), ("false", "false")]
    if hasattr(field, "queryset"):
        key = {
            "theme": lambda item: item.slug,
            "cycle": lambda item: str(item.public_id),
        }.get(facet, lambda item: str(item.public_id))
        return [(key(item), str(item.pk)) for item in field.queryset]
    return [(str(value), str(value)) for value, _label in field.choices if value != ""]


BASES = [
    {},
    {"addressee_type": "governments", "theme": "community-policing"},
    {"q": "police", "country": "NG"},
    {"self_status": "none", "year": "2019"},
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("role", ["anonymous", "cso_member", "reviewer"])
def test_each_options_count_is_the_results_it_keeps(browse_world, request, role, base):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    filterset = _filterset(user, base)
    assert filterset.is_valid(), filterset.errors
    current = set(filterset.qs.values_list("pk", flat=True))
    counts = facet_counts(filterset.qs)
    checked = 0
    for facet in FACETS:
        if facet == "published" and role != "reviewer":
            continue
        for value, key in _options(filterset, facet):
            kept = _ids(user, {**base, facet: value})
            assert kept is not None, (facet, value)
            # Added to the current filters (or in place of the facet's own value): the
            # results it keeps among those listed now.
            assert counts[facet].get(key, 0) == len(current & kept), (role, base, facet, value)
            checked += 1
    assert checked > 300


def test_counts_are_exact_on_the_small_world(browse_world):
    world = browse_world
    counts = facet_counts(_filterset(AnonymousUser(), {}).qs)
    assert counts["addressee_type"] == {
        "governments": 2,
        "security_sector": 1,
        "donors": 1,
        "all": 1,
    }
    assert counts["theme"] == {str(world["policing"].pk): 2, str(world["other_theme"].pk): 1}
    assert counts["self_status"] == {"implemented": 1, "none": 2}
    # The hidden assessment of B-1 counts for no one: its status is none, its cycle unused.
    assert counts["independent_status"] == {"stalled": 1, "none": 2}
    assert counts["cycle"] == {str(world["cycle"].pk): 1}
    assert counts["year"] == {"2017": 1, "2019": 2}
    assert counts["country"] == {"NG": 2, "KE": 1}
    assert counts["region"] == {"sub_saharan_africa": 1}
    assert counts["working_group"] == {
        str(world["working_group"].pk): 1,
        str(world["dormant"].pk): 2,
    }
    assert counts["published"] == {"true": 3}
    assert facet_counts(_filterset(AnonymousUser(), {"country": "FR"}).qs) == {
        facet: {} for facet in FACETS
    }


def _select(page: str, name: str) -> list[str]:
    block = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert block, name
    return [
        re.sub(r"\s+", " ", label)
        for label in re.findall(r"<option [^>]*>([^<]*)</option>", block.group(1))
    ]


def test_the_page_labels_every_option_with_its_count(browse_world):
    page = Client().get("/recommendations/").content.decode()
    assert _select(page, "addressee_type") == [
        "Any",
        "Governments (2)",
        "Security sector (1)",
        "Donors (1)",
        "Multilaterals (0)",
        "Civil society (0)",
        "All (1)",
    ]
    assert _select(page, "self_status")[-1] == "No update yet (2)"
    assert _select(page, "cycle") == ["Any", "GSX 2027 (1)"]
    # Only the groups anonymous visitors may see: the dormant group is not named.
    assert _select(page, "working_group") == ["Any", "Security Interventions (1)"]
    assert _select(page, "year") == ["Any", "2019 (2)", "2017 (1)"]
    # Long lists: only what keeps a result.
    assert _select(page, "country") == ["Any", "Kenya (1)", "Nigeria (2)"]
    assert _select(page, "source") == [
        "Any",
        "Outcome of the convening (2019) (2)",
        "Community policing brief (2017) (1)",
    ]


def test_a_chosen_option_stays_listed_even_with_no_result(browse_world):
    page = Client().get("/recommendations/?country=FR").content.decode()
    assert _select(page, "country") == ["Any", "France (0)"]
    assert '<option value="FR" selected>' in page
    assert _select(page, "year") == ["Any"]
    assert "0 recommendations" in page


@pytest.mark.parametrize(
    ("role", "named"),
    [
        ("anonymous", ["Ministry of Interior (1)"]),
        ("outsider", ["Ministry of Interior (1)", "Network Peace Forum (1)"]),
        ("restricted_member", ["Ministry of Interior (1)", "Network Peace Forum (1)"]),
        (
            "reviewer",
            [
                "Ministry of Interior (2)",
                "Network Peace Forum (1)",
                "Women at Risk Network (2)",
            ],
        ),
    ],
)
def test_addressees_are_named_only_to_who_may_see_them(browse_world, request, role, named):
    hidden = browse_world["hidden"]
    if role == "anonymous":
        client = Client()
    elif role == "restricted_member":
        member = MembershipFactory(organization=hidden).user
        client = signed_in(member)
        named = ["Ministry of Interior (1)", "Network Peace Forum (1)", "Women at Risk Network (2)"]
    else:
        client = signed_in(request.getfixturevalue(role))
    page = client.get("/recommendations/").content.decode()
    assert sorted(_select(page, "organization")[1:]) == named
    if "Women at Risk Network (2)" not in named:
        assert "Women at Risk" not in page
        assert hidden.slug not in page and str(hidden.public_id) not in page


def test_a_long_list_shows_no_counts_and_only_the_chosen_long_options(browse_world, monkeypatch):
    monkeypatch.setattr(facets, "FACET_COUNTS_LIMIT", 2)
    page = Client().get("/recommendations/").content.decode()
    assert "once the list has 2 results or fewer" in page
    assert _select(page, "addressee_type")[1] == "Governments"
    assert _select(page, "organization") == ["Any"]
    assert _select(page, "source") == ["Any"]
    years = _select(page, "year")
    assert years[:2] == ["Any", str(date.today().year)] and years[-1] == "1990"
    assert "Narrow the list to choose among them." in page
    chosen = Client().get("/recommendations/?organization=ministry-of-interior&year=2017")
    # Narrowed to one result: counted again.
    assert _select(chosen.content.decode(), "organization") == ["Any", "Ministry of Interior (1)"]
    monkeypatch.setattr(facets, "FACET_COUNTS_LIMIT", 0)
    chosen = Client().get("/recommendations/?organization=ministry-of-interior")
    assert _select(chosen.content.decode(), "organization") == ["Any", "Ministry of Interior"]
