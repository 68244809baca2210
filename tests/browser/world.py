"""The people and organizations the journeys start from, made through the factories and the
services, so that each journey starts from a known state; the recommendations' journeys start
from the whole demo, loaded by the project's own command (``demo_recommendations``)."""

import io

from organizations.demo import DEMO_DOMAIN, DEMO_TOTP_SECRET
from organizations.models import MembershipRole, Sector, VisibilityTier
from tests.conftest import enrol_totp
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.organizations.conftest import verify, vetting_approved, vetting_submitted

__all__ = [
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "PASSWORD",
    "approved_cso",
    "cso_with_submitted_application",
    "demo_recommendations",
    "reviewers",
    "verified_government_user",
]

DEMO_PASSWORD = "demo-password-for-browsers"


def reviewers(language: str = "en"):
    """Two reviewers of the secretariat with an authenticator app, as their role requires, who
    chose ``language`` in their account settings."""
    first = UserFactory(email="rita@secretariat.example", groups=["secretariat"], language=language)
    second = UserFactory(email="ravi@secretariat.example", groups=["secretariat"])
    enrol_totp(first)
    enrol_totp(second)
    return first, second


def cso_with_submitted_application(language: str = "en"):
    """A public CSO whose admin (who reads the portal in ``language``) submitted an application
    with evidence for every criterion."""
    admin = MembershipFactory(
        organization=OrganizationFactory(
            name="Coastal Youth Forum",
            slug="coastal-youth-forum",
            visibility_tier=VisibilityTier.PUBLIC,
            summary="Youth dialogue clubs on the coast.",
        ),
        role=MembershipRole.ADMIN,
        user__email="alice@cso.example",
        user__language=language,
    )
    application = vetting_submitted(admin.organization, admin.user)
    return admin.organization, admin.user, application


def approved_cso():
    """A public, vetted CSO (approved by two reviewers) and its approved application."""
    admin = MembershipFactory(
        organization=OrganizationFactory(
            name="Réseau des Femmes pour la Paix",
            slug="reseau-femmes-paix",
            acronym="RFP",
            visibility_tier=VisibilityTier.PUBLIC,
            women_led=True,
            headquarters_country="SN",
            countries=["SN", "ML"],
            working_languages=["fr", "wo"],
            summary="Médiation communautaire et prévention au Sahel.",
        ),
        role=MembershipRole.ADMIN,
        user__email="awa@rfp.example",
    )
    first = UserFactory(groups=["secretariat"])
    second = UserFactory(groups=["secretariat"])
    application = vetting_submitted(admin.organization, admin.user)
    return admin.organization, vetting_approved(application, first, second)


def verified_government_user(language: str = "en"):
    """A member of a ministry that the secretariat verified as a requester, with an
    authenticator app (as requesters must), who reads the portal in ``language``."""
    member = MembershipFactory(
        organization=OrganizationFactory(
            name="Ministry of Community Safety", sector=Sector.GOVERNMENT
        ),
        user__email="grace@gov.example",
        user__language=language,
    )
    enrol_totp(member.user)
    verify(member.organization)
    return member.user


def demo_recommendations(settings) -> None:
    """The demo as `make run` shows it (accounts, directory, meetings, and the recommendations
    of recommendations/demo.py with their responses, updates, cycles and follows), loaded by the
    project's command on dates relative to now; demo accounts sign in with DEMO_PASSWORD and the
    privileged ones with DEMO_TOTP_SECRET."""
    from django.core.management import call_command

    settings.DEBUG = True
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
