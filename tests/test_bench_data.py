import re

import pytest

from bench.data import (
    RefusedTarget,
    check_database_name,
    check_only_bench_data,
    generate,
    main,
)
from organizations.models import (
    Assessment,
    Contact,
    Membership,
    Organization,
    User,
    VettingApplication,
    VettingStatus,
    VisibilityTier,
)
from organizations.search import organizations_search
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SCRIPTS = {
    "latin": re.compile(r"^[A-Za-z' ]+$"),
    "french accents": re.compile(r"[éèêôàç]"),
    "arabic": re.compile(r"[\u0600-\u06ff]"),
    "spanish": re.compile(r"[ñáíóú]|\b(Red|Coalición|Foro|Alianza|Iniciativa)\b"),
}


@pytest.fixture
def dataset():
    return generate(orgs=200, seed=3)


def test_generate_writes_the_counted_rows_per_table(dataset):
    tables = {
        "organizations.Organization": Organization,
        "organizations.Contact": Contact,
        "organizations.User": User,
        "organizations.Membership": Membership,
        "organizations.VettingApplication": VettingApplication,
        "organizations.Assessment": Assessment,
    }
    assert Organization.objects.count() == 200
    for label, model in tables.items():
        assert model.objects.count() == dataset[label], label
    assert Contact.objects.count() >= 200
    # One administrator per organization, 66 more accounts, 2 reviewers.
    assert User.objects.count() == 200 + 66 + 2
    assert Membership.objects.filter(role="admin").count() == 200
    themes = Organization.themes.through.objects.count()
    assert themes == dataset["organizations.Organization_themes"]


def test_generate_is_deterministic_for_a_seed():
    generate(orgs=30, seed=5)
    first = list(Organization.objects.order_by("slug").values_list("name", "summary", "sector"))
    Organization.objects.all().delete()
    User.objects.all().delete()
    generate(orgs=30, seed=5)
    again = list(Organization.objects.order_by("slug").values_list("name", "summary", "sector"))
    assert again == first


def test_generate_names_organizations_in_four_scripts(dataset):
    names = list(Organization.objects.values_list("name", flat=True))
    for script, pattern in SCRIPTS.items():
        assert any(pattern.search(name) for name in names), script


def test_generate_covers_every_vetting_state_and_tier(dataset):
    states = set(VettingApplication.objects.values_list("status", flat=True))
    assert states == set(VettingStatus.values)
    tiers = set(Organization.objects.values_list("visibility_tier", flat=True))
    assert tiers == set(VisibilityTier.values)
    approved = Organization.objects.filter(vetting_applications__status="approved")
    assert approved.filter(vetted_until__isnull=True).count() == 0
    assert Assessment.objects.filter(application__status="draft").count() == 0
    assert Assessment.objects.filter(application__status="in_review").exists()


@pytest.mark.parametrize("pattern", ["arabic", "french accents"])
def test_generated_names_are_found_by_search(dataset, pattern):
    organization = next(
        org for org in Organization.objects.order_by("slug") if SCRIPTS[pattern].search(org.name)
    )
    found = organizations_search(Organization.objects.all(), organization.name)
    assert organization.slug in set(found.values_list("slug", flat=True)[:50])
    assert found.exists()


def test_search_document_is_filled_by_the_database(dataset):
    assert Organization.objects.filter(search_document__isnull=True).count() == 0


@pytest.mark.parametrize("name", ["gsx", "gsx_wt_benchdata", "gsx_main", "benchmark", ""])
def test_check_database_name_refuses_a_non_bench_name(name):
    with pytest.raises(RefusedTarget):
        check_database_name(name)


def test_check_database_name_refuses_the_development_database():
    with pytest.raises(RefusedTarget):
        check_database_name("gsx_bench", protected=("gsx_bench",))


def test_check_database_name_accepts_a_bench_name():
    check_database_name("gsx_bench")
    check_database_name("test_gsx_bench_20k")


def test_check_only_bench_data_refuses_other_organizations(dataset):
    check_only_bench_data()
    OrganizationFactory()
    with pytest.raises(RefusedTarget):
        check_only_bench_data()


def test_main_refuses_to_reset_a_non_bench_database(capsys):
    # Refused before any connection: the named database (which need not exist) is not dropped.
    url = "postgres://postgres@127.0.0.1:5432/gsx_not_a_benchmark"
    assert main(["--reset", "--orgs", "1", "--database-url", url]) == 2
    assert "Refusing to fill database 'gsx_not_a_benchmark'" in capsys.readouterr().err
