import pytest
from django.core.management import call_command
from django.utils import translation
from django_countries.data import COUNTRIES

from organizations.models import Criterion, CriterionGroup, Theme
from organizations.regions import _MEMBERS, REGION_OF_COUNTRY, Region, regions_of

pytestmark = pytest.mark.django_db


def test_the_better_peace_tool_criteria_are_loaded_by_migration():
    counts = {group: Criterion.objects.filter(group=group).count() for group in CriterionGroup}
    assert counts == {
        CriterionGroup.CORE_VALUE: 5,
        CriterionGroup.COMPETENCY: 9,
        CriterionGroup.CONSTITUENCY: 4,
    }
    first = Criterion.objects.first()
    assert first.code == "core-non-violence"
    assert set(first.titles) == {"en", "fr", "ar", "es"}


def test_criterion_titles_follow_the_active_language():
    criterion = Criterion.objects.get(code="core-non-violence")
    with translation.override("fr"):
        assert criterion.title == "Non-violence et règlement pacifique des différends"
    with translation.override("ar"):
        assert criterion.title == "اللاعنف وحل النزاعات سلمياً"
    with translation.override("de"):
        assert criterion.title == "Non-violence and peaceful resolution of disputes"


def test_the_shared_themes_are_loaded():
    assert Theme.objects.count() == 14
    assert Theme.objects.get(slug="community-policing").name == "Community policing"


def test_every_country_has_exactly_one_region():
    listed = [code for codes in _MEMBERS.values() for code in codes.split()]
    assert len(listed) == len(set(listed)) == len(COUNTRIES)
    assert set(REGION_OF_COUNTRY) == set(COUNTRIES)


def test_regions_are_derived_in_a_stable_order():
    assert regions_of(["NG", "KE", "FR", "XX", "PK"]) == [
        Region.EUROPE_CENTRAL_ASIA,
        Region.SOUTH_ASIA,
        Region.SUB_SAHARAN_AFRICA,
    ]


def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_working_languages_are_validated_without_choices_in_the_schema(cso):
    from django.core.exceptions import ValidationError

    cso.working_languages = ["fr", "zz"]
    with pytest.raises(ValidationError, match="zz is not a known language code"):
        cso.full_clean()
