"""The small world of the list's tests (test_browse*.py, test_facets.py): published and draft
recommendations from three sources, two working groups (one inactive), addressees of every
visibility tier, updates from both sides (one hidden), and a review cycle."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from dialogues.models import MeetingKind, MeetingStatus, WorkingGroup
from organizations.models import Organization, Sector, Theme, VisibilityTier
from recommendations.models import (
    CycleState,
    ImplementationStatus,
    Perspective,
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
from tests.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory

IS = ImplementationStatus


def make_browse_world(reviewer, working_group) -> dict:
    """The world, made through the services; each test module's ``browse_world`` fixture."""
    ministry = OrganizationFactory(
        name="Ministry of Interior",
        slug="ministry-of-interior",
        sector=Sector.GOVERNMENT,
        visibility_tier=VisibilityTier.PUBLIC,
    )
    network = OrganizationFactory(
        name="Network Peace Forum",
        slug="network-peace-forum",
        sector=Sector.CIVIL_SOCIETY,
        visibility_tier=VisibilityTier.NETWORK,
    )
    hidden = OrganizationFactory(
        name="Women at Risk Network",
        slug="women-at-risk",
        sector=Sector.CIVIL_SOCIETY,
        visibility_tier=VisibilityTier.RESTRICTED,
    )
    monitor = OrganizationFactory(
        name="Sahel Women Mediators", sector=Sector.CIVIL_SOCIETY, visibility_tier="public"
    )
    Organization.objects.filter(pk=monitor.pk).update(
        vetted_until=timezone.now() + timedelta(days=300)
    )
    monitor.refresh_from_db()
    dormant = WorkingGroup.objects.create(name="Dormant Group", slug="dormant", active=False)
    old = source_document_create(
        by=reviewer,
        title="Community policing brief",
        kind=SourceKind.BRIEF,
        published_on=date(2017, 3, 1),
        working_group=working_group,
    )
    new = source_document_create(
        by=reviewer,
        title="Outcome of the convening",
        kind=SourceKind.OUTCOME_DOCUMENT,
        published_on=date(2019, 9, 21),
        working_group=dormant,
    )
    unpublished = source_document_create(
        by=reviewer, title="Draft note", kind=SourceKind.CONCEPT_NOTE, published_on=date(2021, 1, 5)
    )
    policing = Theme.objects.get(slug="community-policing")
    other_theme = Theme.objects.exclude(slug="community-policing").order_by("order", "slug")[0]

    def make(reference, source, **fields):
        fields.setdefault("published", True)
        fields.setdefault("title", f"Title of {reference}")
        fields.setdefault("text", "Ordinary words.")
        return recommendation_create(by=reviewer, source=source, reference=reference, **fields)

    a = make(
        "A-1",
        old,
        title="Community policing with women officers",
        text="Train police officers with women's organizations.",
        themes=[policing, other_theme],
        addressee_types=["governments", "security_sector"],
        addressed_organizations=[ministry, hidden],
        countries=["NG", "KE"],
        section=Section.POLICY,
    )
    b = make(
        "B-1",
        new,
        title="Police de proximité",
        text="Former les policières aux politiques de prévention.",
        themes=[policing],
        addressee_types=["donors", "governments"],
        addressed_organizations=[network],
        regions=["sub_saharan_africa"],
        countries=["NG"],
    )
    make(
        "C-1",
        new,
        title="الشرطة المجتمعية",
        text="تدريب الشرطة على العمل مع المجتمعات المحلية",
        addressee_types=["all"],
        addressed_organizations=[hidden],
    )
    make("D-draft", unpublished, published=False, addressed_organizations=[ministry])
    make("E-draft", old, published=False, themes=[other_theme], addressee_types=["donors"])
    convening = new_meeting(
        reviewer,
        None,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX 2027",
        status=MeetingStatus.PLANNED,
        starts_at=datetime(2027, 9, 21, 13, 30, tzinfo=UTC),
        timezone="America/New_York",
    )
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    official = MembershipFactory(organization=ministry).user
    mediator = MembershipFactory(organization=monitor).user

    def update(recommendation, by, organization, perspective, status):
        return implementation_update_add(
            by=by,
            recommendation=recommendation,
            perspective=perspective,
            reporting_organization=organization,
            status=status,
            summary="Seen.",
        )

    update(a, official, ministry, Perspective.SELF_REPORT, IS.IMPLEMENTED)
    review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
    update(a, mediator, monitor, Perspective.INDEPENDENT, IS.STALLED)
    hidden_update = update(b, mediator, monitor, Perspective.INDEPENDENT, IS.IN_PROGRESS)
    implementation_update_hide(update=hidden_update, by=reviewer, reason="Names a person.")
    return {
        "ministry": ministry,
        "network": network,
        "hidden": hidden,
        "monitor": monitor,
        "old": old,
        "new": new,
        "unpublished": unpublished,
        "policing": policing,
        "other_theme": other_theme,
        "working_group": working_group,
        "dormant": dormant,
        "cycle": cycle,
        "official": official,
    }
