import re

import pytest

from bench.data import (
    RefusedTarget,
    check_database_name,
    check_only_bench_data,
    generate,
    main,
)
from dialogues.models import (
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participation,
    WorkingGroup,
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
from recommendations.models import (
    AddresseeResponse,
    CycleSnapshot,
    ImplementationUpdate,
    Recommendation,
    ReviewCycle,
    SourceDocument,
)
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
    return generate(
        orgs=200, seed=3, meetings=60, participations=600, recommendations=600, updates=1800
    )


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


def _snapshot():
    return (
        list(Organization.objects.order_by("slug").values_list("name", "summary", "sector")),
        list(Meeting.objects.order_by("public_id").values_list("title", "starts_at", "status")),
        list(
            Participation.objects.order_by("public_id").values_list(
                "meeting__public_id", "user__email", "organization__slug", "status"
            )
        ),
        list(
            Recommendation.objects.order_by("reference").values_list(
                "public_id", "title", "published", "self_status", "independent_status"
            )
        ),
        list(
            ImplementationUpdate.objects.order_by("public_id").values_list(
                "recommendation__reference", "reporting_organization__slug", "status", "reported_on"
            )
        ),
    )


def test_generate_is_deterministic_for_a_seed():
    generate(orgs=30, seed=5, meetings=20, participations=100, recommendations=60, updates=90)
    first = _snapshot()
    for model in (CycleSnapshot, ImplementationUpdate, ReviewCycle, AddresseeResponse):
        model.objects.all().delete()
    Recommendation.objects.filter(parent__isnull=False).delete()
    Recommendation.objects.all().delete()
    SourceDocument.objects.all().delete()
    Meeting.objects.all().delete()
    WorkingGroup.objects.all().delete()
    Organization.objects.all().delete()
    User.objects.all().delete()
    generate(orgs=30, seed=5, meetings=20, participations=100, recommendations=60, updates=90)
    assert _snapshot() == first


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


# --- Dialogues: working groups, meetings, agendas, invitations ---------------------------------


def test_generate_writes_the_meetings_agendas_and_invitations_asked_for(dataset):
    assert Meeting.objects.count() == dataset["dialogues.Meeting"] == 60
    assert Participation.objects.count() == dataset["dialogues.Participation"] == 600
    assert AgendaItem.objects.count() == dataset["dialogues.AgendaItem"]
    assert WorkingGroup.objects.count() == 8
    assert WorkingGroup.objects.filter(active=False).count() == 1
    per_meeting = {len(items) for items in _agenda_positions().values()}
    assert per_meeting <= set(range(4, 9)) and len(_agenda_positions()) == 60
    # Positions 1..n, in order, for every meeting.
    assert all(p == list(range(1, len(p) + 1)) for p in _agenda_positions().values())


def _agenda_positions():
    positions = {}
    for meeting_id, position in AgendaItem.objects.order_by("meeting", "position").values_list(
        "meeting", "position"
    ):
        positions.setdefault(meeting_id, []).append(position)
    return positions


def test_generated_meetings_cover_every_kind_status_and_format(dataset):
    assert set(Meeting.objects.values_list("status", flat=True)) == set(MeetingStatus.values)
    assert set(Meeting.objects.values_list("kind", flat=True)) == set(MeetingKind.values)
    assert set(Meeting.objects.values_list("format", flat=True)) == {
        "in_person",
        "hybrid",
        "online",
    }
    # Without a group: the annual convenings (one a year, ten years) and some other events.
    without = Meeting.objects.filter(working_group__isnull=True)
    assert without.filter(kind=MeetingKind.ANNUAL_CONVENING).count() == 10
    assert without.exclude(kind=MeetingKind.ANNUAL_CONVENING).exists()
    assert not Meeting.objects.filter(
        kind=MeetingKind.WORKING_GROUP_MEETING, working_group__isnull=True
    ).exists()
    assert Meeting.objects.values("timezone").distinct().count() >= 5
    assert len({meeting.starts_at.year for meeting in Meeting.objects.all()}) >= 8


def test_generated_statuses_agree_with_dates(dataset):
    from django.utils import timezone

    now = timezone.now()
    for meeting in Meeting.objects.all():
        if meeting.status in (MeetingStatus.HELD, MeetingStatus.REPORT_PUBLISHED):
            assert meeting.starts_at < now, meeting.title
            assert bool(meeting.report) == (meeting.status == MeetingStatus.REPORT_PUBLISHED)
        elif meeting.status != MeetingStatus.CANCELLED:
            assert meeting.starts_at > now, meeting.title
        else:
            assert meeting.cancellation_reason
        assert meeting.ends_at > meeting.starts_at
        assert not (meeting.format == "in_person" and meeting.join_url)


def test_generated_invitations_respect_the_rules(dataset):
    invitations = Participation.objects.select_related("meeting")
    # None before invitations open; each person and address once per meeting (the database's
    # unique constraints would refuse the load otherwise).
    assert not invitations.filter(meeting__status__in=["draft", "planned"]).exists()
    by_account = invitations.filter(user__isnull=False)
    assert by_account.count() == len(set(by_account.values_list("meeting", "user")))
    assert invitations.filter(user__isnull=True).exclude(email="").exists()
    # On behalf of an organization the person belongs to.
    memberships = set(Membership.objects.values_list("user", "organization"))
    assert set(by_account.values_list("user", "organization")) <= memberships
    coming = {"held": {"attended", "no_show", "declined", "invited"}}
    held = set(invitations.filter(meeting__status="held").values_list("status", flat=True))
    assert held <= coming["held"] and "attended" in held


def test_check_only_bench_data_refuses_other_working_groups(dataset):
    check_only_bench_data()
    WorkingGroup.objects.create(name="Real group", slug="real-group")
    with pytest.raises(RefusedTarget):
        check_only_bench_data()


# --- Recommendations: sources, responses, updates over three cycles ---------------------------


def test_generate_writes_the_recommendations_and_updates_asked_for(dataset):
    assert Recommendation.objects.count() == dataset["recommendations.Recommendation"] == 600
    assert ImplementationUpdate.objects.count() == dataset["recommendations.ImplementationUpdate"]
    assert ImplementationUpdate.objects.count() == 1800
    # Written by COPY, the rows still leave their history, as production's inserts do.
    from django.apps import apps

    assert apps.get_model("recommendations", "RecommendationEvent").objects.count() == 600
    assert apps.get_model("recommendations", "ImplementationUpdateEvent").objects.count() == 1800
    # A few hundred recommendations a source: two here.
    assert SourceDocument.objects.count() == 2
    assert set(SourceDocument.objects.values_list("language", flat=True)) == {"en", "fr"}
    drafts = Recommendation.objects.filter(published=False).count()
    assert 0 < drafts < 600 * 0.2
    per_recommendation = {
        len(ids)
        for ids in _group(AddresseeResponse.objects.values_list("recommendation", "organization"))
    }
    assert per_recommendation == {1, 2, 3}
    assert Recommendation.objects.filter(responses__isnull=True).count() == 0
    assert Recommendation.objects.filter(themes__isnull=True).count() == 0
    assert set(
        AddresseeResponse.objects.filter(recommendation__published=False).values_list(
            "status", flat=True
        )
    ) == {"pending"}
    assert set(AddresseeResponse.objects.values_list("status", flat=True)) == {
        "pending",
        "supported",
        "noted",
        "not_supported",
    }
    # Sub-points belong to a top-level point of their own source.
    subs = Recommendation.objects.filter(parent__isnull=False).select_related("parent")
    assert subs.exists()
    assert all(r.parent.source_id == r.source_id and r.parent.parent_id is None for r in subs)
    for recommendation in Recommendation.objects.all()[:50]:
        recommendation.full_clean()


def _group(pairs):
    groups = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return groups.values()


def test_generated_cycles_two_closed_around_the_open_one(dataset):
    from dialogues.models import Meeting

    closed = list(ReviewCycle.objects.filter(state="closed").order_by("closes_on"))
    opened = ReviewCycle.objects.get(state="open")
    assert len(closed) == 2 and closed[-1].closes_on < opened.opens_on
    assert {c.convening.kind for c in [*closed, opened]} == {"annual_convening"}
    from django.utils import timezone

    # The open one feeds the coming convening; the closed ones the last two.
    convenings = Meeting.objects.filter(kind="annual_convening").order_by("starts_at")
    coming = convenings.filter(starts_at__gt=timezone.now())
    assert opened.convening == coming.first()
    assert [c.convening for c in closed] == list(convenings.filter(starts_at__lt=timezone.now()))[
        -2:
    ]
    for cycle in [*closed, opened]:
        cycle.full_clean()
        dates = cycle.updates.values_list("reported_on", flat=True)
        assert cycle.opens_on <= min(dates) and max(dates) <= cycle.closes_on
    assert ImplementationUpdate.objects.filter(cycle__isnull=True).count() == 0
    published = Recommendation.objects.filter(published=True).count()
    for cycle in closed:
        assert cycle.snapshot.count() == published * 2


def test_generated_snapshots_hold_the_latest_update_by_the_close(dataset):
    for row in CycleSnapshot.objects.select_related("cycle", "update"):
        visible = ImplementationUpdate.objects.filter(
            recommendation=row.recommendation_id,
            perspective=row.perspective,
            hidden_at__isnull=True,
            reported_on__lte=row.cycle.closes_on,
        ).order_by("-reported_on", "-id")
        latest = visible.first()
        assert row.update_id == (latest.pk if latest else None)
        assert row.status == (latest.status if latest else "")
    assert CycleSnapshot.objects.exclude(status="").exists()


def test_generated_statuses_are_those_the_services_keep(dataset):
    from recommendations.services.progress import refresh_statuses

    fields = ("pk", "self_status", "independent_status")
    generated = list(Recommendation.objects.order_by("pk").values_list(*fields))
    for pk, *_statuses in generated:
        refresh_statuses(pk)
    assert list(Recommendation.objects.order_by("pk").values_list(*fields)) == generated
    assert Recommendation.objects.exclude(self_status="").exclude(independent_status="").exists()
    # A hidden update never counts, and says why it is hidden.
    hidden = ImplementationUpdate.objects.filter(hidden_at__isnull=False)
    assert hidden.exists() and not hidden.filter(hidden_reason="").exists()
    assert not hidden.filter(hidden_by__isnull=True).exists()


def test_generated_updates_come_from_the_right_side(dataset):
    from organizations.selectors import is_vetted

    updates = ImplementationUpdate.objects.select_related("reporting_organization")
    self_reports = updates.filter(perspective="self_report")
    assessments = updates.filter(perspective="independent_assessment")
    assert self_reports.exists() and assessments.exists()
    addressed = set(AddresseeResponse.objects.values_list("recommendation", "organization"))
    for update in self_reports:
        assert update.addressee_id == update.reporting_organization_id
        assert (update.recommendation_id, update.addressee_id) in addressed
    for update in assessments[:200]:
        assert update.reporting_organization.sector == "civil_society"
        assert is_vetted(update.reporting_organization)
        assert update.addressee_id is None or (
            (update.recommendation_id, update.addressee_id) in addressed
        )
    assert not updates.filter(recommendation__published=False).exists()


@pytest.mark.parametrize(
    ("field", "config", "language"),
    [("search_en", "english", "en"), ("search_fr", "french", "fr"), ("search_ar", "arabic", "ar")],
)
def test_generated_recommendations_are_found_in_each_language(dataset, field, config, language):
    from django.contrib.postgres.search import SearchQuery

    from bench.words import SEARCHED

    found = Recommendation.objects.filter(**{field: SearchQuery(SEARCHED[language], config=config)})
    assert found.exists()
