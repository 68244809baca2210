"""The recommendations app's first layer, through its services: the secretariat records
sources and recommendations; addressees respond; both sides report implementation, each only
where allowed; the secretariat moderates; a review cycle opens and closes, freezing a snapshot
that later updates never change; followers get their changes recorded; drafts stay the
secretariat's."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from dialogues.models import MeetingKind, MeetingStatus
from organizations.models import Organization, Sector, Theme
from recommendations.models import (
    AddresseeResponse,
    CycleSnapshot,
    CycleState,
    FollowEvent,
    ImplementationStatus,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    ResponseStatus,
    ReviewCycle,
    Section,
    SourceKind,
)
from recommendations.selectors import recommendations_visible_to, updates_visible_to
from recommendations.services import (
    follow,
    implementation_update_add,
    implementation_update_hide,
    recommendation_create,
    recommendation_publish,
    response_record,
    review_cycle_create,
    review_cycle_transition,
    source_document_create,
)
from tests.conftest import new_meeting
from tests.factories import MembershipFactory, OrganizationFactory

S = Perspective
IS = ImplementationStatus


@pytest.fixture
def world(reviewer):
    ministry = OrganizationFactory(name="Ministry of Community Safety", sector=Sector.GOVERNMENT)
    other_ministry = OrganizationFactory(name="Ministry of Finance", sector=Sector.GOVERNMENT)
    monitor = OrganizationFactory(name="Sahel Women Mediators", sector=Sector.CIVIL_SOCIETY)
    Organization.objects.filter(pk=monitor.pk).update(
        vetted_until=timezone.now() + timedelta(days=300)
    )
    unvetted = OrganizationFactory(name="New Youth Forum", sector=Sector.CIVIL_SOCIETY)
    source = source_document_create(
        by=reviewer,
        title="Security interventions and community policing",
        kind=SourceKind.BRIEF,
        published_on=date(2017, 3, 1),
    )
    theme = Theme.objects.get(slug="community-policing")
    recommendation = recommendation_create(
        by=reviewer,
        source=source,
        reference="PVE-CP-2017/POL-2a",
        section=Section.POLICY,
        title="Make community policing the ethos of prevention",
        text="Police services should be trained in community policing, with women officers.",
        themes=[theme],
        addressee_types=["governments", "security_sector"],
        addressed_organizations=[ministry],
        published=True,
    )
    return {
        "secretariat": reviewer,
        "source": source,
        "theme": theme,
        "recommendation": recommendation,
        "ministry": ministry,
        "official": MembershipFactory(organization=ministry).user,
        "other_official": MembershipFactory(organization=other_ministry).user,
        "other_ministry": other_ministry,
        "monitor": Organization.objects.get(pk=monitor.pk),
        "monitor_member": MembershipFactory(organization=monitor).user,
        "unvetted": unvetted,
        "unvetted_member": MembershipFactory(organization=unvetted).user,
    }


def _self_report(world, status=IS.IN_PROGRESS, **extra):
    return implementation_update_add(
        by=world["official"],
        recommendation=world["recommendation"],
        perspective=S.SELF_REPORT,
        reporting_organization=world["ministry"],
        status=status,
        summary="Training began in two provinces.",
        **extra,
    )


def _assessment(world, status=IS.STALLED):
    return implementation_update_add(
        by=world["monitor_member"],
        recommendation=world["recommendation"],
        perspective=S.INDEPENDENT,
        reporting_organization=world["monitor"],
        status=status,
        summary="No training seen in the provinces we work in.",
        evidence_links=["https://example.org/report"],
    )


def test_only_the_secretariat_records_recommendations(world, cso_member):
    with pytest.raises(PermissionDenied):
        source_document_create(
            by=cso_member, title="X", kind=SourceKind.BRIEF, published_on=date(2020, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        recommendation_create(
            by=cso_member, source=world["source"], reference="X-1", title="X", text="Y"
        )
    assert Recommendation.objects.count() == 1


def test_a_bad_reference_is_refused(world):
    with pytest.raises(ValidationError):
        recommendation_create(
            by=world["secretariat"],
            source=world["source"],
            reference="no spaces",
            title="X",
            text="Y",
        )


def test_each_addressee_has_a_pending_response_it_alone_records(world):
    response = AddresseeResponse.objects.get()
    assert response.status == ResponseStatus.PENDING
    with pytest.raises(PermissionDenied):
        response_record(response=response, by=world["other_official"], status="supported")
    response.refresh_from_db()
    assert response.status == ResponseStatus.PENDING
    response_record(
        response=response, by=world["official"], status="supported", comment="A plan in 2027."
    )
    response_record(response=response, by=world["official"], status="noted")
    response.refresh_from_db()
    assert response.status == ResponseStatus.NOTED
    history = list(response.events.order_by("pgh_id").values_list("status", flat=True))
    assert history == ["pending", "supported", "noted"]


def test_who_may_post_which_perspective(world):
    assert _self_report(world).addressee == world["ministry"]
    assert _assessment(world).perspective == S.INDEPENDENT
    refused = [
        # A member of an organization the recommendation does not address.
        (world["other_official"], S.SELF_REPORT, world["other_ministry"]),
        # A member claiming another organization.
        (world["monitor_member"], S.SELF_REPORT, world["ministry"]),
        # A civil society organization that is not vetted now.
        (world["unvetted_member"], S.INDEPENDENT, world["unvetted"]),
        # A ministry is no independent assessor.
        (world["official"], S.INDEPENDENT, world["ministry"]),
    ]
    for by, perspective, organization in refused:
        with pytest.raises(PermissionDenied):
            implementation_update_add(
                by=by,
                recommendation=world["recommendation"],
                perspective=perspective,
                reporting_organization=organization,
                status=IS.IMPLEMENTED,
                summary="Done.",
            )
    assert ImplementationUpdate.objects.count() == 2


def test_the_secretariat_hides_an_update_with_a_reason(world, outsider):
    update = _assessment(world)
    with pytest.raises(PermissionDenied):
        implementation_update_hide(update=update, by=world["official"], reason="Wrong")
    with pytest.raises(ValidationError):
        implementation_update_hide(update=update, by=world["secretariat"], reason=" ")
    implementation_update_hide(update=update, by=world["secretariat"], reason="Names a person.")
    assert not updates_visible_to(outsider).filter(pk=update.pk).exists()
    assert updates_visible_to(world["secretariat"]).filter(pk=update.pk).exists()


def test_the_current_status_per_side_follows_updates_and_moderation(world):
    recommendation = world["recommendation"]
    assert (recommendation.self_status, recommendation.independent_status) == ("", "")
    before = Recommendation.objects.get(pk=recommendation.pk).updated_at
    _self_report(world, status=IS.IN_PROGRESS, reported_on=date(2026, 1, 5))
    _self_report(world, status=IS.IMPLEMENTED, reported_on=date(2026, 3, 5))
    _self_report(world, status=IS.NOT_STARTED, reported_on=date(2025, 12, 1))  # reported late
    assessment = _assessment(world, status=IS.STALLED)
    recommendation.refresh_from_db()
    assert (recommendation.self_status, recommendation.independent_status) == (
        IS.IMPLEMENTED,
        IS.STALLED,
    )
    assert recommendation.updated_at > before
    implementation_update_hide(update=assessment, by=world["secretariat"], reason="Libel.")
    recommendation.refresh_from_db()
    assert recommendation.independent_status == ""


def test_drafts_are_the_secretariats(world, outsider):
    draft = recommendation_create(
        by=world["secretariat"],
        source=world["source"],
        reference="PVE-CP-2017/FIN-1",
        title="Fund",
        text="Fund CSOs.",
    )
    assert not recommendations_visible_to(outsider).filter(pk=draft.pk).exists()
    assert recommendations_visible_to(world["secretariat"]).filter(pk=draft.pk).exists()
    with pytest.raises(ValidationError):
        implementation_update_add(
            by=world["official"],
            recommendation=draft,
            perspective=S.SELF_REPORT,
            reporting_organization=world["ministry"],
            status=IS.IN_PROGRESS,
            summary="x",
        )


@pytest.fixture
def convening(reviewer):
    return new_meeting(
        reviewer,
        None,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX 2027",
        status=MeetingStatus.PLANNED,
        starts_at=datetime(2027, 9, 21, 13, 30, tzinfo=UTC),
        timezone="America/New_York",
    )


def test_a_closed_cycles_snapshot_never_changes(world, convening):
    cycle = review_cycle_create(
        by=world["secretariat"], name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    assert cycle.closes_on == date(2027, 8, 24)  # four weeks before the convening
    assert cycle.reminder_offsets == [60, 30, 14, 7, 1]
    review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=world["secretariat"])
    second = review_cycle_create(
        by=world["secretariat"],
        name="GSX 2028",
        convening=convening,
        opens_on=date(2028, 5, 1),
        closes_on=date(2028, 8, 1),
    )
    with pytest.raises(ValidationError, match="Another cycle is open"):
        review_cycle_transition(cycle=second, to=CycleState.OPEN, by=world["secretariat"])
    assert _self_report(world).cycle == cycle
    review_cycle_transition(cycle=cycle, to=CycleState.CLOSED, by=world["secretariat"])
    frozen = dict(CycleSnapshot.objects.filter(cycle=cycle).values_list("perspective", "status"))
    assert frozen == {S.SELF_REPORT: IS.IN_PROGRESS, S.INDEPENDENT: ""}
    _self_report(world, status=IS.IMPLEMENTED)
    _assessment(world)
    again = dict(CycleSnapshot.objects.filter(cycle=cycle).values_list("perspective", "status"))
    assert again == frozen
    with pytest.raises(ValidationError):
        review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=world["secretariat"])
    with pytest.raises(PermissionDenied):
        review_cycle_transition(cycle=second, to=CycleState.OPEN, by=world["official"])


def test_followers_get_each_change_once(world, outsider, cso_member):
    follow(by=outsider, recommendation=world["recommendation"])
    follow(by=outsider, theme=world["theme"])  # the same person, twice over: one event
    follow(by=outsider, theme=world["theme"])  # a second follow of it changes nothing
    follow(by=cso_member, theme=world["theme"])
    _self_report(world)
    events = FollowEvent.objects.filter(kind="update")
    assert sorted(events.values_list("user__email", flat=True)) == sorted(
        [outsider.email, cso_member.email]
    )
    draft = recommendation_create(
        by=world["secretariat"], source=world["source"], reference="X-2", title="Draft", text="x"
    )
    with pytest.raises(ValidationError):
        follow(by=outsider, recommendation=draft)
    draft = recommendation_publish(recommendation=draft, by=world["secretariat"])
    assert follow(by=outsider, recommendation=draft).recommendation == draft


def test_search_finds_stems_in_each_language(world):
    recommendation_create(
        by=world["secretariat"],
        source=world["source"],
        reference="FR-1",
        title="Les politiques de prévention",
        text="Former les policières et les policiers à la police de proximité.",
        published=True,
    )
    recommendation_create(
        by=world["secretariat"],
        source=world["source"],
        reference="AR-1",
        title="الشرطة المجتمعية",
        text="تدريب الشرطة على العمل مع المجتمعات المحلية",
        published=True,
    )
    from django.contrib.postgres.search import SearchQuery

    def found(field, words, config):
        return set(
            Recommendation.objects.filter(**{field: SearchQuery(words, config=config)}).values_list(
                "reference", flat=True
            )
        )

    assert found("search_en", "trainings", "english") == {"PVE-CP-2017/POL-2a"}
    assert found("search_fr", "politique", "french") == {"FR-1"}
    assert "AR-1" in found("search_ar", "المجتمعات", "arabic")


def test_the_admin_reads_and_never_writes(world):
    from tests.conftest import enrol_totp, signed_in
    from tests.factories import UserFactory

    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    enrol_totp(staff)
    client = signed_in(staff)
    recommendation = world["recommendation"]
    for model in ("sourcedocument", "recommendation", "implementationupdate", "reviewcycle"):
        assert client.get(f"/admin/recommendations/{model}/").status_code == 200, model
    page = client.get(f"/admin/recommendations/recommendation/{recommendation.pk}/change/")
    assert page.status_code == 200 and recommendation.reference in page.content.decode()
    client.post(
        f"/admin/recommendations/recommendation/{recommendation.pk}/change/", {"title": "Changed"}
    )
    recommendation.refresh_from_db()
    assert recommendation.title == "Make community policing the ethos of prevention"
    assert client.get("/admin/recommendations/recommendation/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_cycles_opened_at_the_same_moment_one_is_refused_with_a_message(
    migration_data, reviewer, convening
):
    """The check for an open cycle cannot see one being opened in a transaction not yet
    committed; the database's one-open-cycle constraint then refuses the second, and the
    service says so instead of failing."""
    first, second = (
        review_cycle_create(
            by=reviewer,
            name=name,
            convening=convening,
            opens_on=date(2027, 5, 1),
            closes_on=date(2027, 8, 1),
        )
        for name in ("GSX 2027", "GSX 2027 bis")
    )
    opened, release = threading.Event(), threading.Event()

    def open_first():
        try:
            with transaction.atomic():
                review_cycle_transition(cycle=first, to=CycleState.OPEN, by=reviewer)
                opened.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=open_first)
    thread.start()
    assert opened.wait(10)
    threading.Timer(0.5, release.set).start()  # commits while the second waits on the index
    with pytest.raises(ValidationError, match="Another cycle is open"):
        review_cycle_transition(cycle=second, to=CycleState.OPEN, by=reviewer)
    thread.join(10)
    assert list(ReviewCycle.objects.values_list("name", "state").order_by("name")) == [
        ("GSX 2027", CycleState.OPEN),
        ("GSX 2027 bis", CycleState.UPCOMING),
    ]
