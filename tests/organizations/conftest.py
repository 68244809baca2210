import pytest

from organizations.models import MembershipRole, VisibilityTier
from tests.conftest import enrol_totp, verify  # noqa: F401 (verify: imported from here by tests)
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def public_cso(db):
    return OrganizationFactory(
        name="Réseau des Femmes pour la Paix",
        slug="reseau-femmes-paix",
        acronym="RFP",
        visibility_tier=VisibilityTier.PUBLIC,
        women_led=True,
        headquarters_country="SN",
        countries=["SN", "ML"],
        regions=["sub_saharan_africa"],
        working_languages=["fr", "wo"],
        summary="Médiation communautaire et prévention au Sahel.",
    )


@pytest.fixture
def network_cso(cso):
    # The shared world's CSO (with its admin and member) is visible to the network.
    cso.visibility_tier = VisibilityTier.NETWORK
    cso.youth_led = True
    cso.headquarters_country = "KE"
    cso.regions = ["sub_saharan_africa"]
    cso.working_languages = ["en", "sw"]
    cso.save()
    return cso


@pytest.fixture
def restricted_cso(db):
    return OrganizationFactory(
        name="شبكة الشباب للسلام",
        slug="youth-peace-network",
        acronym="YPN",
        visibility_tier=VisibilityTier.RESTRICTED,
        headquarters_country="YE",
        regions=["middle_east_north_africa"],
        working_languages=["ar"],
    )


@pytest.fixture
def restricted_member(restricted_cso):
    return MembershipFactory(
        organization=restricted_cso, role=MembershipRole.ADMIN, user__email="dina@ypn.example"
    ).user


@pytest.fixture
def directory(public_cso, network_cso, restricted_cso):
    return {"public": public_cso, "network": network_cso, "restricted": restricted_cso}


@pytest.fixture
def second_reviewer(db):
    user = UserFactory(email="ravi@secretariat.example", groups=["secretariat"])
    enrol_totp(user)
    return user


def vetting_submitted(organization, admin):
    """An application of ``organization`` with evidence for every criterion, submitted."""
    from organizations.models import Criterion, VettingStatus
    from organizations.services import vetting_save_evidence, vetting_set_state, vetting_start

    application = vetting_start(organization=organization, by=admin)
    vetting_save_evidence(
        application=application,
        by=admin,
        texts={c.pk: f"Evidence for {c.code}" for c in Criterion.objects.all()},
    )
    return vetting_set_state(application=application, to=VettingStatus.SUBMITTED, by=admin)


def vetting_rate_all(application, reviewer, rating="met", except_codes=(), other="not_met"):
    from organizations.models import Criterion
    from organizations.services import vetting_assess

    vetting_assess(
        application=application,
        reviewer=reviewer,
        ratings={
            c.pk: (other if c.code in except_codes else rating, f"note by {reviewer.email}")
            for c in Criterion.objects.all()
        },
    )


def vetting_approved(application, first, second):
    from organizations.models import VettingStatus
    from organizations.services import vetting_set_state

    vetting_rate_all(application, first)
    vetting_rate_all(application, second)
    return vetting_set_state(application=application, to=VettingStatus.APPROVED, by=first)
