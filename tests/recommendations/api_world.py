"""A small world for the recommendations API tests: a published recommendation addressed to a
ministry (public profile) and an organization at risk (restricted), with a self-report, an
independent assessment and a hidden one; a sub-point; a draft in a draft-only source; a review
cycle open for an annual convening; and the shared roles of tests/conftest.py."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.test import Client
from django.utils import timezone

from dialogues.models import MeetingKind, MeetingStatus
from organizations.models import Organization, Theme, VisibilityTier
from recommendations.models import (
    CycleState,
    ImplementationStatus,
    Perspective,
    Recommendation,
    Section,
    SourceKind,
)
from recommendations.services import (
    implementation_update_add,
    implementation_update_hide,
    recommendation_create,
    review_cycle_create,
    review_cycle_transition,
    source_document_create,
)
from tests.conftest import bearer, new_meeting
from tests.factories import MembershipFactory, OrganizationFactory

API = "/api/v1"
ROLES = ("anonymous", "outsider", "cso_member", "government_user", "secretariat")
REFERENCE = "PVE-CP-2017/POL-2a"
HIDDEN = "An organization not listed for you"


@dataclass
class World:
    people: dict
    ministry: Organization
    at_risk: Organization
    cso: Organization
    group: object
    source: object
    draft_source: object
    published: Recommendation
    sub_point: Recommendation
    draft: Recommendation
    convening: object
    cycle: object
    self_report: object
    assessment: object
    hidden_update: object

    def client(self, role: str, *, write: bool = True) -> Client:
        user = self.people[role]
        return Client() if user is None else bearer(user, write=write)


def vet(organization, days: int = 300) -> None:
    Organization.objects.filter(pk=organization.pk).update(
        vetted_until=timezone.now() + timedelta(days=days)
    )


def make_world(*, secretariat, outsider, cso_member, government_user, working_group) -> World:
    ministry = government_user.memberships.get().organization
    Organization.objects.filter(pk=ministry.pk).update(visibility_tier=VisibilityTier.PUBLIC)
    ministry.refresh_from_db()
    vet(cso_member.memberships.get().organization)
    cso = cso_member.memberships.get().organization
    at_risk = OrganizationFactory(
        name="Quiet Shelter Network", visibility_tier=VisibilityTier.RESTRICTED
    )
    at_risk_member = MembershipFactory(organization=at_risk).user
    source = source_document_create(
        by=secretariat,
        title="Security interventions and community policing",
        kind=SourceKind.BRIEF,
        published_on=date(2017, 3, 1),
        working_group=working_group,
        publishers=[cso, at_risk],
    )
    draft_source = source_document_create(
        by=secretariat,
        title="Draft brief",
        kind=SourceKind.CONCEPT_NOTE,
        published_on=date(2026, 1, 5),
    )
    theme = Theme.objects.get(slug="community-policing")
    published = recommendation_create(
        by=secretariat,
        source=source,
        reference=REFERENCE,
        section=Section.POLICY,
        title="Make community policing the ethos of prevention",
        text="Police services should be trained in community policing, with women officers.",
        themes=[theme],
        addressee_types=["governments", "security_sector"],
        addressed_organizations=[ministry, at_risk],
        countries=["NG"],
        regions=[],
        published=True,
    )
    sub_point = recommendation_create(
        by=secretariat,
        source=source,
        parent=published,
        reference="PVE-CP-2017/POL-2b",
        title="Recruit women officers",
        text="Recruit and promote women officers in community policing units.",
        addressee_types=["security_sector"],
        published=True,
    )
    draft = recommendation_create(
        by=secretariat,
        source=draft_source,
        reference="PVE-ED-2026/PRG-1",
        title="Teach critical thinking",
        text="Schools should teach critical thinking.",
        addressed_organizations=[ministry],
    )
    convening = new_meeting(
        secretariat,
        None,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX 2027",
        status=MeetingStatus.PLANNED,
        starts_at=datetime(2027, 9, 21, 13, 30, tzinfo=UTC),
        timezone="America/New_York",
    )
    cycle = review_cycle_create(
        by=secretariat, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=secretariat)
    self_report = implementation_update_add(
        by=government_user,
        recommendation=published,
        perspective=Perspective.SELF_REPORT,
        reporting_organization=ministry,
        status=ImplementationStatus.IN_PROGRESS,
        summary="Training began in two provinces.",
        reported_on=date(2026, 10, 1),
    )
    assessment = implementation_update_add(
        by=cso_member,
        recommendation=published,
        perspective=Perspective.INDEPENDENT,
        reporting_organization=cso,
        addressee=ministry,
        status=ImplementationStatus.STALLED,
        summary="No training seen in the provinces we work in.",
        evidence_links=["https://example.org/report"],
        reported_on=date(2026, 10, 2),
    )
    hidden_update = implementation_update_add(
        by=cso_member,
        recommendation=published,
        perspective=Perspective.INDEPENDENT,
        reporting_organization=cso,
        status=ImplementationStatus.NOT_STARTED,
        summary="An officer in the district refused to meet us.",
        reported_on=date(2026, 10, 3),
    )
    hidden_update = implementation_update_hide(
        update=hidden_update, by=secretariat, reason="Names a person at risk."
    )
    return World(
        people={
            "anonymous": None,
            "outsider": outsider,
            "cso_member": cso_member,
            "government_user": government_user,
            "secretariat": secretariat,
            "at_risk_member": at_risk_member,
        },
        ministry=ministry,
        at_risk=at_risk,
        cso=cso,
        group=working_group,
        source=source,
        draft_source=draft_source,
        published=Recommendation.objects.get(pk=published.pk),
        sub_point=sub_point,
        draft=draft,
        convening=convening,
        cycle=cycle,
        self_report=self_report,
        assessment=assessment,
        hidden_update=hidden_update,
    )
