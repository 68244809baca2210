"""The world of the recommendation page's tests (no tests here): a ministry and a council it
addresses, a vetted monitor, an at-risk (restricted) vetted monitor, an unvetted CSO, a
published recommendation with a sub-point and a later one repeating it, and a draft."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from organizations.models import Organization, Sector, Theme, VisibilityTier
from recommendations.models import ImplementationStatus, Perspective, Section, SourceKind
from recommendations.services import (
    implementation_update_add,
    recommendation_create,
    source_document_create,
)
from tests.conftest import enrol_totp
from tests.factories import MembershipFactory, OrganizationFactory


def enrolled(user):
    enrol_totp(user)
    return user


def vetted(organization):
    Organization.objects.filter(pk=organization.pk).update(
        vetted_until=timezone.now() + timedelta(days=300)
    )
    return Organization.objects.get(pk=organization.pk)


@pytest.fixture
def world(reviewer):
    ministry = OrganizationFactory(
        name="Ministry of Community Safety",
        slug="ministry",
        sector=Sector.GOVERNMENT,
        visibility_tier=VisibilityTier.PUBLIC,
    )
    council = OrganizationFactory(
        name="Regional Security Council",
        slug="council",
        sector=Sector.SECURITY_SECTOR,
        visibility_tier=VisibilityTier.NETWORK,
    )
    monitor = vetted(
        OrganizationFactory(
            name="Sahel Women Mediators", slug="monitor", visibility_tier=VisibilityTier.PUBLIC
        )
    )
    at_risk = vetted(
        OrganizationFactory(
            name="Hidden Youth Watch",
            slug="hidden-watch",
            visibility_tier=VisibilityTier.RESTRICTED,
        )
    )
    unvetted = OrganizationFactory(name="New Youth Forum", slug="new-forum")
    source = source_document_create(
        by=reviewer,
        title="Security interventions and community policing",
        kind=SourceKind.BRIEF,
        published_on=date(2017, 3, 1),
        url="https://example.org/brief.pdf",
        publishers=[monitor, at_risk],
    )
    theme = Theme.objects.get(slug="community-policing")
    recommendation = recommendation_create(
        by=reviewer,
        source=source,
        reference="PVE-CP-2017/POL-2",
        section=Section.POLICY,
        position=1,
        title="Make community policing the ethos of prevention",
        text="Police services should be trained in community policing.",
        themes=[theme],
        addressee_types=["governments", "security_sector"],
        countries=["NG", "KE"],
        addressed_organizations=[ministry, council],
        published=True,
    )
    sub_point = recommendation_create(
        by=reviewer,
        source=source,
        parent=recommendation,
        reference="PVE-CP-2017/POL-2a",
        position=2,
        title="Recruit women officers",
        text="Recruit and promote women officers.",
        published=True,
    )
    draft = recommendation_create(
        by=reviewer,
        source=source,
        reference="PVE-CP-2017/POL-3",
        position=3,
        title="A draft still under discussion",
        text="Not yet agreed.",
        addressed_organizations=[ministry],
    )
    return {
        "secretariat": reviewer,
        "source": source,
        "theme": theme,
        "recommendation": recommendation,
        "sub_point": sub_point,
        "draft": draft,
        "ministry": ministry,
        "council": council,
        "official": enrolled(MembershipFactory(organization=ministry).user),
        "council_member": enrolled(MembershipFactory(organization=council).user),
        "monitor": monitor,
        "monitor_member": MembershipFactory(organization=monitor).user,
        "at_risk": at_risk,
        "at_risk_member": MembershipFactory(organization=at_risk).user,
        "unvetted": unvetted,
        "unvetted_member": MembershipFactory(organization=unvetted).user,
    }


def self_report(world, status=ImplementationStatus.IMPLEMENTED, **extra):
    return implementation_update_add(
        by=world["official"],
        recommendation=world["recommendation"],
        perspective=Perspective.SELF_REPORT,
        reporting_organization=world["ministry"],
        status=status,
        summary="Training is done in every province.",
        **extra,
    )


def assessment(world, status=ImplementationStatus.STALLED, by="monitor", addressee=None, **extra):
    return implementation_update_add(
        by=world[f"{by}_member"],
        recommendation=world["recommendation"],
        perspective=Perspective.INDEPENDENT,
        reporting_organization=world[by],
        status=status,
        summary="No training seen in the provinces we work in.",
        evidence_links=["https://example.org/report"],
        addressee=addressee,
        **extra,
    )
