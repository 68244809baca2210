"""The demo's recommendations: what `make run` shows, made through the services, on dates
relative to a frozen today."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from dialogues.models import Meeting, MeetingKind, MeetingStatus
from gsx_portal.models import ReminderDelivery
from organizations.models import Organization, User
from recommendations.models import (
    AddresseeResponse,
    CycleSnapshot,
    CycleState,
    Follow,
    ImplementationUpdate,
    Perspective,
    Recommendation,
    ReviewCycle,
    SourceDocument,
)
from recommendations.reminders import SOURCE as reminder_source
from recommendations.selectors import (
    HIDDEN_ORGANIZATION,
    recommendations_visible_to,
    updates_visible_to,
)
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"
TODAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = PASSWORD
    with time_machine.travel(TODAY, tick=False):
        call_command("load_demo")
        yield


def test_the_demo_has_the_three_sources_and_their_points(demo):
    counts = {
        source.title[:30]: source.recommendations.count() for source in SourceDocument.objects.all()
    }
    assert counts == {
        "Preventing Violent Extremism, ": 49,
        "#GSX2017: Innovations in Civil": 20,
        "Security Interventions and Vio": 3,
    }
    brief = Recommendation.objects.get(reference="PVE-CP-2017/POL-2a")
    assert brief.parent.reference == "PVE-CP-2017/POL-2"
    assert brief.source.working_group.slug == "security-interventions"
    assert brief.section == "policy"
    assert brief.addressee_types == ["security_sector", "civil_society"]
    sections = set(Recommendation.objects.values_list("section", flat=True))
    assert sections == {"key_findings", "policy", "programming", "financial", "general"}
    london = SourceDocument.objects.get(kind="meeting_report")
    assert london.meeting.city == "London"
    guide = Recommendation.objects.get(reference="SI-LDN/REC-1")
    assert guide.meeting == london.meeting
    assert [p.text[:19] for p in guide.action_points.all()] == ["Draft a short guide"]
    assert list(guide.repeats.values_list("reference", flat=True)) == ["PVE-CP-2017/KF-7"]
    assert Recommendation.objects.filter(themes__isnull=True).count() == 0


def test_a_few_drafts_seen_by_the_secretariat_only(demo, reviewer, outsider):
    drafts = Recommendation.objects.filter(published=False)
    assert sorted(drafts.values_list("reference", flat=True)) == [
        "GSX-2017/REC-14c",
        "SI-LDN/REC-2",
        "SI-LDN/REC-3",
    ]
    assert recommendations_visible_to(outsider).count() == 69
    assert recommendations_visible_to(reviewer).count() == 72


def test_responses_in_every_state_with_comments(demo):
    counts = {
        status: AddresseeResponse.objects.filter(status=status).count()
        for status in ("pending", "supported", "noted", "not_supported")
    }
    assert counts == {"pending": 31, "supported": 27, "noted": 28, "not_supported": 15}
    answered = AddresseeResponse.objects.exclude(status="pending")
    assert not answered.filter(comment="").exists()
    assert not answered.filter(responded_on__isnull=True).exists()
    assert answered.filter(comment__endswith="(Sent by letter.)").exists()
    # Drafts wait for their publication.
    assert set(
        AddresseeResponse.objects.filter(recommendation__published=False).values_list(
            "status", flat=True
        )
    ) == {"pending"}


def test_cycles_closed_last_year_and_open_for_the_coming_september(demo):
    past, current = ReviewCycle.objects.order_by("closes_on")
    assert (past.name, past.state) == ("GSX 2026", CycleState.CLOSED)
    assert past.convening.kind == MeetingKind.ANNUAL_CONVENING
    assert past.convening.status == MeetingStatus.REPORT_PUBLISHED
    assert past.convening.starts_at.astimezone(past.convening.zone).date() == date(2026, 9, 22)
    assert past.closes_on == date(2026, 8, 25) and past.opens_on == date(2026, 3, 24)
    assert (current.name, current.state) == ("GSX 2027", CycleState.OPEN)
    assert current.convening.starts_at.astimezone(current.convening.zone).date() == date(
        2027, 9, 21
    )
    assert current.opens_on == date(2026, 10, 27) and current.closes_on == date(2027, 8, 24)
    # The defaults, and today (271 days before the close) so that the demo reminds today.
    assert current.reminder_offsets == [271, 60, 30, 14, 7, 1]
    assert past.updates.count() == 9 and current.updates.count() == 12
    # The snapshot: every published recommendation, from both sides.
    assert past.snapshot.count() == 69 * 2
    row = CycleSnapshot.objects.get(
        cycle=past,
        recommendation__reference="PVE-CP-2017/PRG-8",
        perspective=Perspective.INDEPENDENT,
    )
    assert row.status == "in_progress"
    assert not current.snapshot.exists()


def test_updates_from_both_sides_disagree_on_local_officers(demo):
    updates = ImplementationUpdate.objects.filter(hidden_at__isnull=True)
    assert set(updates.values_list("perspective", flat=True)) == set(Perspective.values)
    assert set(updates.values_list("status", flat=True)) == {
        "not_started",
        "in_progress",
        "partially_implemented",
        "implemented",
        "stalled",
        "no_longer_relevant",
    }
    local = Recommendation.objects.get(reference="PVE-CP-2017/PRG-8")
    assert (local.self_status, local.independent_status) == ("implemented", "stalled")
    assert updates.filter(evidence_links__0__startswith="https://example.org/demo/").exists()


def test_a_hidden_update_with_its_reason(demo, outsider):
    hidden = ImplementationUpdate.objects.get(hidden_at__isnull=False)
    assert hidden.hidden_by.email == "reviewer@demo.gsx.example"
    assert "reprisals" in hidden.hidden_reason
    assert not updates_visible_to(outsider).filter(pk=hidden.pk).exists()
    # Hidden, it does not count for the status shown.
    assert hidden.recommendation.independent_status == ""


def test_demo_users_follow_a_recommendation_a_theme_and_a_group(demo):
    follows = Follow.objects.select_related("recommendation", "theme", "working_group")
    assert sorted(
        (
            f.user.email.split("@")[0],
            str((f.recommendation and f.recommendation.reference) or f.theme or f.working_group),
        )
        for f in follows
    ) == [
        ("cso.admin", "PVE-CP-2017/PRG-8"),
        ("cso.member", "GSX-2017/REC-05b"),
        ("government", "Community policing"),
        ("policymaker", "Security Interventions"),
    ]


def test_the_demo_cso_admin_is_reminded_on_the_day_the_demo_loads(demo):
    """The first sweep (since = now) finds, for the CSO admin of the README, a request for
    updates of the open cycle and the changes of the recommendation she follows."""
    sahel = Organization.objects.get(slug="sahel-women-peace-circle")
    admin = User.objects.get(email="cso.admin@demo.gsx.example")
    mine = [item for item in reminder_source.due(TODAY, TODAY) if item.user_id == admin.pk]
    (request,) = [item for item in mine if item.kind == "recommendations.cycle_update_request"]
    cycle = ReviewCycle.objects.get(state=CycleState.OPEN)
    assert (request.object_key, request.occasion) == (
        f"cycle:{cycle.pk}:org:{sahel.pk}",
        "offset-271",
    )
    assert request.params["organization"] == "Sahel Women's Peace Circle"
    assert request.params["lacking"] > 0 and request.params["assessments"] > 0
    changes = [item for item in mine if item.kind == "recommendations.followed_change"]
    assert {item.params["reference"] for item in changes} == {"PVE-CP-2017/PRG-8"}
    with time_machine.travel(TODAY, tick=False):
        claimed = [
            ReminderDelivery.objects.create(
                user=admin, kind=i.kind, object_key=i.object_key, occasion=i.occasion
            )
            for i in mine
        ]
        assert reminder_source.still_due(claimed) == {row.pk for row in claimed}


def test_everything_the_demo_wrote_is_valid(demo):
    for model in (SourceDocument, Recommendation, AddresseeResponse, ImplementationUpdate):
        for row in model.objects.all():
            row.full_clean()
    for cycle in ReviewCycle.objects.all():
        cycle.full_clean()


def test_a_second_load_adds_nothing(demo, capsys):
    before = (
        Recommendation.objects.count(),
        ImplementationUpdate.objects.count(),
        ReviewCycle.objects.count(),
        Meeting.objects.count(),
    )
    call_command("load_demo")
    assert "Demo recommendations: 0 created." in capsys.readouterr().out
    assert before == (
        Recommendation.objects.count(),
        ImplementationUpdate.objects.count(),
        ReviewCycle.objects.count(),
        Meeting.objects.count(),
    )


def test_the_demo_page_shows_the_disagreement_to_a_visitor(demo, client, outsider):
    local = Recommendation.objects.get(reference="PVE-CP-2017/PRG-8")
    html = client.get(f"/recommendations/{local.public_id}/").content.decode()
    assert "Recruit and post officers locally" in html
    assert "The two sides disagree about 1 addressee." in html
    # The police service's profile is for the network: named to those signed in only.
    assert "Lakeside Police Service (demo)" not in html
    assert str(HIDDEN_ORGANIZATION) in html
    named = signed_in(outsider).get(f"/recommendations/{local.public_id}/").content.decode()
    assert "Lakeside Police Service (demo)" in named
    # The hidden update of PRG-9 stays hidden; a draft is not found.
    hidden = ImplementationUpdate.objects.get(hidden_at__isnull=False)
    page = client.get(f"/recommendations/{hidden.recommendation.public_id}/").content.decode()
    assert "villages" not in page
    draft = Recommendation.objects.get(reference="SI-LDN/REC-2")
    assert client.get(f"/recommendations/{draft.public_id}/").status_code == 404
