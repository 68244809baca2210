"""Review cycles' pages: the list and a cycle's page for every reader; the secretariat alone
creates, edits (while upcoming), opens and closes (after a confirmation), everyone else is
refused and nothing changes; bad input is answered with a message and keeps what was typed;
what still lacks an update is counted exactly; a closed cycle shows its frozen snapshot."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogues.models import MeetingKind, MeetingStatus
from organizations.models import Organization, Sector, Theme, VisibilityTier
from recommendations.models import (
    CycleSnapshot,
    CycleState,
    ImplementationStatus,
    Perspective,
    ReviewCycle,
)
from recommendations.selectors_cycles import (
    addressee_gap_counts,
    recommendations_lacking_assessment,
    responses_lacking_self_report,
)
from recommendations.services import (
    implementation_update_add,
    implementation_update_hide,
    recommendation_create,
    review_cycle_create,
    review_cycle_transition,
    source_document_create,
)
from tests.conftest import new_meeting, signed_in
from tests.factories import MembershipFactory, OrganizationFactory

IS = ImplementationStatus
ROLES = ["anonymous", "outsider", "cso_member", "government_user", "reviewer"]
NOT_SECRETARIAT = ["outsider", "cso_member", "government_user"]


def client_for(role, request) -> Client:
    if role == "anonymous":
        return Client()
    return signed_in(request.getfixturevalue(role))


def make_convening(reviewer):
    return new_meeting(
        reviewer,
        None,
        kind=MeetingKind.ANNUAL_CONVENING,
        title="GSX 2027",
        status=MeetingStatus.PLANNED,
        starts_at=datetime(2027, 9, 21, 13, 30, tzinfo=UTC),
        timezone="America/New_York",
    )


@pytest.fixture
def convening(reviewer):
    return make_convening(reviewer)


@pytest.fixture
def workshop(reviewer):
    return new_meeting(reviewer, None, kind=MeetingKind.WORKSHOP, title="A workshop")


def _org(name, **fields):
    fields.setdefault("visibility_tier", VisibilityTier.PUBLIC)
    return OrganizationFactory(name=name, sector=fields.pop("sector", Sector.GOVERNMENT), **fields)


def add_recommendation(reviewer, source, reference, addressees, **fields):
    fields.setdefault("published", True)
    return recommendation_create(
        by=reviewer,
        source=source,
        reference=reference,
        title=f"Recommendation {reference}",
        text="Train police services in community policing.",
        addressed_organizations=addressees,
        **fields,
    )


def report(user, recommendation, organization, status=IS.IN_PROGRESS):
    return implementation_update_add(
        by=user,
        recommendation=recommendation,
        perspective=Perspective.SELF_REPORT,
        reporting_organization=organization,
        status=status,
        summary="Done in two provinces.",
    )


def assess(user, recommendation, organization, status=IS.STALLED):
    return implementation_update_add(
        by=user,
        recommendation=recommendation,
        perspective=Perspective.INDEPENDENT,
        reporting_organization=organization,
        status=status,
        summary="Nothing seen where we work.",
    )


@pytest.fixture
def world(reviewer, convening):
    return build_world(reviewer, convening)


def build_world(reviewer, convening):
    """Three published recommendations and a draft; an earlier cycle, closed, and the open one.

    Ministry of Safety (addressed by r1, r2, r3): reported on r1 in the open cycle, and on r2
    in it too but that update was hidden by moderation. Ministry of Finance (r1): reported in
    the earlier cycle only. Hidden Ministry (restricted; r2): nothing. The draft addresses the
    first two and never counts. A vetted CSO assessed r1 in the open cycle."""
    safety = _org("Ministry of Safety")
    finance = _org("Ministry of Finance")
    hidden = _org("Hidden Ministry", visibility_tier=VisibilityTier.RESTRICTED)
    monitor = _org("Sahel Monitors", sector=Sector.CIVIL_SOCIETY)
    Organization.objects.filter(pk=monitor.pk).update(
        vetted_until=timezone.now() + timedelta(days=300)
    )
    monitor.refresh_from_db()
    people = {
        org.pk: MembershipFactory(organization=org).user for org in (safety, finance, monitor)
    }
    source = source_document_create(
        by=reviewer, title="Community policing", kind="brief", published_on=date(2017, 3, 1)
    )
    policing = Theme.objects.get(slug="community-policing")
    r1 = add_recommendation(
        reviewer,
        source,
        "R-1",
        [safety, finance],
        themes=[policing],
        addressee_types=["governments"],
    )
    r2 = add_recommendation(
        reviewer, source, "R-2", [safety, hidden], addressee_types=["governments", "donors"]
    )
    r3 = add_recommendation(reviewer, source, "R-3", [safety], themes=[policing])
    draft = add_recommendation(reviewer, source, "D-1", [safety, finance], published=False)
    earlier = review_cycle_create(
        by=reviewer,
        name="GSX 2026",
        convening=convening,
        opens_on=date(2026, 5, 1),
        closes_on=date(2026, 8, 1),
    )
    review_cycle_transition(cycle=earlier, to=CycleState.OPEN, by=reviewer)
    report(people[finance.pk], r1, finance, IS.NOT_STARTED)
    review_cycle_transition(cycle=earlier, to=CycleState.CLOSED, by=reviewer)
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
    report(people[safety.pk], r1, safety, IS.IN_PROGRESS)
    moderated = report(people[safety.pk], r2, safety, IS.IMPLEMENTED)
    implementation_update_hide(update=moderated, by=reviewer, reason="Copied from elsewhere.")
    assess(people[monitor.pk], r1, monitor, IS.STALLED)
    return {
        "safety": safety,
        "finance": finance,
        "hidden": hidden,
        "monitor": monitor,
        "people": people,
        "source": source,
        "recommendations": (r1, r2, r3),
        "draft": draft,
        "earlier": earlier,
        "cycle": cycle,
        "convening": convening,
    }


def _state(cycle):
    return ReviewCycle.objects.values("state", "name", "opens_on", "closes_on").get(pk=cycle.pk)


# --- What still lacks an update ---------------------------------------------------------------


def test_gap_counts_are_exact_on_a_small_world(world):
    rows = {
        g.organization_id: (g.addressed, g.lacking) for g in addressee_gap_counts(world["cycle"])
    }
    assert rows == {
        world["safety"].pk: (3, 2),  # r2's report was hidden, r3 has none
        world["finance"].pk: (1, 1),  # its report is of the earlier cycle
        world["hidden"].pk: (1, 1),
    }
    r1, r2, r3 = world["recommendations"]
    pairs = set(
        responses_lacking_self_report(world["cycle"]).values_list(
            "recommendation_id", "organization_id"
        )
    )
    assert pairs == {
        (r2.pk, world["safety"].pk),
        (r3.pk, world["safety"].pk),
        (r1.pk, world["finance"].pk),
        (r2.pk, world["hidden"].pk),
    }
    assert set(
        responses_lacking_self_report(world["cycle"], world["safety"].pk).values_list(
            "recommendation_id", flat=True
        )
    ) == {r2.pk, r3.pk}
    assert set(recommendations_lacking_assessment(world["cycle"])) == {r2, r3}


def _gap_table(html: str) -> list[tuple[str, str, str]]:
    import re

    body = html.split('id="lacking"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>",
        body,
        re.S,
    )
    strip = lambda s: re.sub(r"<[^>]+>", "", s).strip()  # noqa: E731
    return [(strip(a), strip(b), strip(c)) for a, b, c in rows]


def test_the_open_cycles_page_counts_by_addressee_and_hides_names(world, outsider, reviewer):
    url = reverse("recommendations:cycle", args=[world["cycle"].public_id])
    page = Client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Independent assessments: 2 of 3 published recommendations have none" in html
    assert _gap_table(html) == [
        ("Ministry of Safety", "2", "3"),
        ("Ministry of Finance", "1", "1"),
        ("An organization not listed for you", "1", "1"),
    ]
    assert "Hidden Ministry" not in html
    assert str(world["hidden"].public_id) not in html
    assert _gap_table(signed_in(outsider).get(url).content.decode())[2][0] == (
        "An organization not listed for you"
    )
    # The secretariat sees every name; ties in order of name.
    assert _gap_table(signed_in(reviewer).get(url).content.decode()) == [
        ("Ministry of Safety", "2", "3"),
        ("Hidden Ministry", "1", "1"),
        ("Ministry of Finance", "1", "1"),
    ]


def test_the_addressed_counts_link_to_the_filtered_list(world, monkeypatch):
    from recommendations.views import cycles

    monkeypatch.setattr(cycles, "_list_url", lambda: "/recommendations/")
    html = Client().get(reverse("recommendations:cycle", args=[world["cycle"].public_id]))
    html = html.content.decode()
    assert f'href="/recommendations/?organization={world["safety"].public_id}">3</a>' in html
    assert f"?organization={world['finance'].public_id}" in html
    # No link gives away the public id of an organization the reader may not see.
    assert str(world["hidden"].public_id) not in html
    assert html.count("?organization=") == 2


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_closed_cycles_page_shows_its_frozen_snapshot(world, reviewer):
    r1 = world["recommendations"][0]
    url = reverse("recommendations:cycle", args=[world["earlier"].public_id])
    before = _main(Client().get(url))
    # Later updates (in the open cycle, above) and more now never change it.
    report(world["people"][world["finance"].pk], r1, world["finance"], IS.IMPLEMENTED)
    assert _main(Client().get(url)) == before
    frozen = dict(
        CycleSnapshot.objects.filter(cycle=world["earlier"], recommendation=r1).values_list(
            "perspective", "status"
        )
    )
    assert frozen == {Perspective.SELF_REPORT: IS.NOT_STARTED, Perspective.INDEPENDENT: ""}
    # Self-reports: r1 not started, r2 and r3 none; assessments: none of the three.
    assert (
        '<tr><th scope="row"><bdi>Self-report by the addressee</bdi></th>'
        "<td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td><td>3</td></tr>"
    ) in before
    assert (
        '<tr><th scope="row"><bdi>Independent assessment by civil society</bdi></th>'
        "<td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td><td>3</td></tr>"
    ) in before
    assert 'id="lacking"' not in before


def test_an_upcoming_cycles_page_lists_its_milestones(reviewer, convening):
    cycle = review_cycle_create(
        by=reviewer,
        name="GSX 2027",
        convening=convening,
        opens_on=date(2027, 5, 1),
        reminder_offsets=[7, 30],
    )
    html = Client().get(reverse("recommendations:cycle", args=[cycle.public_id])).content.decode()
    days = [
        "2027-05-01",  # opens
        "2027-07-25",  # 30 days before it closes
        "2027-08-17",  # 7 days before
        "2027-08-24",  # closes, four weeks before the convening
        "2027-09-21",  # the convening, in New York
    ]
    found = [d for d in days if f'<time datetime="{d}">' in html]
    assert found == days
    assert html.index(days[1]) < html.index(days[2]) < html.index(days[3])
    assert 'id="lacking"' not in html


@pytest.mark.parametrize("role", ROLES)
def test_every_reader_sees_the_list_and_a_cycle(role, request, world):
    client = client_for(role, request)
    listing = client.get(reverse("recommendations:cycles"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert html.index("GSX 2027") < html.index("GSX 2026")
    assert html.count(reverse("dialogues:meeting", args=[world["convening"].public_id])) == 2
    assert ("New review cycle" in html) == (role == "reviewer")
    page = client.get(reverse("recommendations:cycle", args=[world["cycle"].public_id]))
    assert page.status_code == 200
    assert ("Close the cycle" in page.content.decode()) == (role == "reviewer")


def test_a_convening_the_reader_may_not_see_is_named_without_a_link(reviewer):
    draft = new_meeting(reviewer, None, kind=MeetingKind.ANNUAL_CONVENING, title="GSX 2030")
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2030", convening=draft, opens_on=date.today()
    )
    link = reverse("dialogues:meeting", args=[draft.public_id])
    for url in (
        reverse("recommendations:cycles"),
        reverse("recommendations:cycle", args=[cycle.public_id]),
    ):
        assert link not in Client().get(url).content.decode()
        assert link in signed_in(reviewer).get(url).content.decode()


def test_an_unknown_cycle_is_404(db):
    response = Client().get(
        reverse("recommendations:cycle", args=["0" * 8 + "-0000-0000-0000-" + "0" * 12])
    )
    assert response.status_code == 404


# --- The secretariat runs cycles; nobody else --------------------------------------------------


def _form(meeting, **values):
    data = {
        "name": "GSX 2028",
        "convening": str(meeting.public_id),
        "opens_on": "2027-05-01",
        "closes_on": "",
        "reminder_offsets": "30, 7",
    }
    data.update(values)
    return data


def test_the_secretariat_creates_a_cycle(reviewer, convening):
    client = signed_in(reviewer)
    assert client.get(reverse("recommendations:cycle_new")).status_code == 200
    response = client.post(reverse("recommendations:cycle_new"), _form(convening))
    cycle = ReviewCycle.objects.get(name="GSX 2028")
    assert response.status_code == 302
    assert response["Location"] == reverse("recommendations:cycle", args=[cycle.public_id])
    assert (cycle.state, cycle.opens_on, cycle.closes_on, cycle.reminder_offsets) == (
        CycleState.UPCOMING,
        date(2027, 5, 1),
        date(2027, 8, 24),
        [30, 7],
    )
    assert cycle.convening == convening


def test_the_secretariat_edits_an_upcoming_cycle_only(reviewer, convening):
    client = signed_in(reviewer)
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    url = reverse("recommendations:cycle_edit", args=[cycle.public_id])
    page = client.get(url).content.decode()
    assert 'value="60, 30, 14, 7, 1"' in page and 'value="2027-08-24"' in page
    response = client.post(
        url, _form(convening, name="GSX 2027 review", closes_on="2027-08-01", reminder_offsets="")
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.name, cycle.closes_on, cycle.reminder_offsets) == (
        "GSX 2027 review",
        date(2027, 8, 1),
        [],
    )
    review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
    before = _state(cycle)
    response = client.post(url, _form(convening, name="Renamed"))
    assert response.status_code == 302
    assert _state(cycle) == before
    messages = client.get(response["Location"]).content.decode()
    assert "Only an upcoming cycle can be changed." in messages


@pytest.mark.parametrize("role", NOT_SECRETARIAT)
def test_no_one_else_creates_edits_opens_or_closes(role, request, reviewer, convening):
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    client = signed_in(request.getfixturevalue(role))
    before = _state(cycle)
    new = reverse("recommendations:cycle_new")
    assert client.get(new).status_code == 403
    assert client.post(new, _form(convening)).status_code == 403
    edit = reverse("recommendations:cycle_edit", args=[cycle.public_id])
    assert client.get(edit).status_code == 403
    assert client.post(edit, _form(convening, name="Taken over")).status_code == 403
    assert (
        client.post(reverse("recommendations:cycle_open", args=[cycle.public_id])).status_code
        == 403
    )
    review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
    close = reverse("recommendations:cycle_close", args=[cycle.public_id])
    assert client.get(close).status_code == 403
    assert client.post(close).status_code == 403
    assert _state(cycle) == {**before, "state": CycleState.OPEN}
    assert ReviewCycle.objects.count() == 1
    assert not CycleSnapshot.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(reviewer, convening):
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    for url in (
        reverse("recommendations:cycle_new"),
        reverse("recommendations:cycle_edit", args=[cycle.public_id]),
        reverse("recommendations:cycle_open", args=[cycle.public_id]),
        reverse("recommendations:cycle_close", args=[cycle.public_id]),
    ):
        response = Client().post(url, _form(convening, name="X"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert _state(cycle)["state"] == CycleState.UPCOMING and ReviewCycle.objects.count() == 1


def test_opening_and_closing_after_a_confirmation(reviewer, convening):
    client = signed_in(reviewer)
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    close = reverse("recommendations:cycle_close", args=[cycle.public_id])
    # Not open yet: no confirmation to give.
    response = client.get(close)
    assert response.status_code == 302
    assert _state(cycle)["state"] == CycleState.UPCOMING
    response = client.post(reverse("recommendations:cycle_open", args=[cycle.public_id]))
    assert response.status_code == 302 and _state(cycle)["state"] == CycleState.OPEN
    confirm = client.get(close)
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Closing freezes a snapshot" in html
    assert "cannot be opened again" in html
    assert f'action="{close}"' in html
    assert _state(cycle)["state"] == CycleState.OPEN  # the GET changed nothing
    response = client.post(close)
    assert response.status_code == 302
    assert _state(cycle)["state"] == CycleState.CLOSED
    assert "its snapshot is frozen" in client.get(response["Location"]).content.decode()


def test_a_refused_transition_shows_the_services_message(reviewer, convening):
    client = signed_in(reviewer)
    first = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    second = review_cycle_create(
        by=reviewer,
        name="GSX 2028",
        convening=convening,
        opens_on=date(2028, 5, 1),
        closes_on=date(2028, 8, 1),
    )
    review_cycle_transition(cycle=first, to=CycleState.OPEN, by=reviewer)
    response = client.post(
        reverse("recommendations:cycle_open", args=[second.public_id]), follow=True
    )
    assert "Another cycle is open: close it first." in response.content.decode()
    assert _state(second)["state"] == CycleState.UPCOMING
    response = client.post(
        reverse("recommendations:cycle_open", args=[first.public_id]), follow=True
    )
    assert "A cycle that is Open cannot become Open." in response.content.decode()
    review_cycle_transition(cycle=first, to=CycleState.CLOSED, by=reviewer)
    rows = CycleSnapshot.objects.count()
    response = client.post(
        reverse("recommendations:cycle_close", args=[first.public_id]), follow=True
    )
    assert "A cycle that is Closed cannot become Closed." in response.content.decode()
    assert CycleSnapshot.objects.count() == rows


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "GSX\x002028"}, "name", "Null characters are not allowed."),
        ({"opens_on": "2027-02-31"}, "opens_on", "Enter a date, for example 2027-05-01."),
        ({"closes_on": "soon"}, "closes_on", "Enter a date, for example 2027-08-24."),
        (
            {"opens_on": "2027-09-01", "closes_on": "2027-08-01"},
            "closes_on",
            "The window closes after the day it opens.",
        ),
        ({"opens_on": "2027-09-01"}, "closes_on", "The window closes after the day it opens."),
        (
            {"reminder_offsets": "0,-3,x"},
            "reminder_offsets",
            "from 1 to 365, separated by commas: 0, -3, x.",
        ),
        (
            {"reminder_offsets": "7, 7, 30"},
            "reminder_offsets",
            "Each day once: 7 is written twice.",
        ),
        ({"reminder_offsets": "400"}, "reminder_offsets", "from 1 to 365"),
        ({"reminder_offsets": "1, " * 100}, "reminder_offsets", "at most 200 characters"),
        ({"reminder_offsets": "\x00"}, "reminder_offsets", "Null characters are not allowed."),
        ({"convening": "not-a-uuid"}, "convening", "Choose an annual convening from the list."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_input_is_answered_and_kept(reviewer, convening, values, field, message):
    response = signed_in(reviewer).post(
        reverse("recommendations:cycle_new"), _form(convening, **values)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the following" in html
    assert message in html.replace("&#x27;", "'")
    assert f'href="#id_{field}"' in html
    assert ReviewCycle.objects.count() == 0
    # What was typed stays in the form.
    assert 'value="GSX' in html or field == "name"
    assert f'value="{convening.public_id}" selected' in html or field == "convening"


def test_a_meeting_that_is_not_a_convening_is_refused(reviewer, convening, workshop):
    response = signed_in(reviewer).post(
        reverse("recommendations:cycle_new"), _form(convening, convening=str(workshop.public_id))
    )
    assert response.status_code == 400
    assert "Choose an annual convening from the list." in response.content.decode()
    assert ReviewCycle.objects.count() == 0


def test_the_service_refuses_a_meeting_that_is_not_a_convening(reviewer, workshop):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Choose an annual convening"):
        review_cycle_create(by=reviewer, name="X", convening=workshop, opens_on=date(2027, 1, 1))
    assert ReviewCycle.objects.count() == 0


def test_a_name_taken_is_answered_on_its_field(reviewer, convening):
    review_cycle_create(
        by=reviewer, name="GSX 2028", convening=convening, opens_on=date(2027, 5, 1)
    )
    response = signed_in(reviewer).post(reverse("recommendations:cycle_new"), _form(convening))
    assert response.status_code == 400
    assert 'href="#id_name"' in response.content.decode()
    assert ReviewCycle.objects.count() == 1


# --- Query counts -----------------------------------------------------------------------------


def _cycles(reviewer, convening, n):
    for i in range(n):
        review_cycle_create(
            by=reviewer,
            name=f"GSX {2030 + i}",
            convening=convening,
            opens_on=date(2030 + i, 1, 1),
            closes_on=date(2030 + i, 2, 1),
        )


@pytest.mark.parametrize("n", [1, 6])
def test_the_list_runs_a_constant_number_of_queries(
    n, reviewer, convening, django_assert_num_queries
):
    _cycles(reviewer, convening, n)
    client = Client()
    with django_assert_num_queries(2):  # the cycles with their convenings; which may be linked
        response = client.get(reverse("recommendations:cycles"))
    assert response.content.decode().count("GSX 20") >= n


@pytest.mark.parametrize("n", [1, 8])
def test_an_open_cycles_page_runs_a_constant_number_of_queries(
    n, reviewer, convening, django_assert_num_queries
):
    source = source_document_create(
        by=reviewer, title="S", kind="brief", published_on=date(2017, 1, 1)
    )
    for i in range(n):
        add_recommendation(reviewer, source, f"Q-{i}", [_org(f"Ministry {i}"), _org(f"Agency {i}")])
    cycle = review_cycle_create(
        by=reviewer, name="GSX 2027", convening=convening, opens_on=date(2027, 5, 1)
    )
    review_cycle_transition(cycle=cycle, to=CycleState.OPEN, by=reviewer)
    client = Client()
    # The cycle; whether its convening may be linked; the gaps; names shown; the organizations;
    # the independent totals.
    with django_assert_num_queries(6):
        response = client.get(reverse("recommendations:cycle", args=[cycle.public_id]))
    assert len(_gap_table(response.content.decode())) == 2 * n
