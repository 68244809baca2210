# ruff: noqa: F811  (the shared world is a fixture imported from test_detail_world)
"""The recommendation page: who sees which recommendation, what it shows (context, responses
with their history, both perspectives, where they disagree), names the reader may not see,
hidden updates, the permalink, a source's page, and constant query counts."""

import pytest
from django.test import Client
from django.urls import reverse

from recommendations.models import ImplementationStatus as IS
from recommendations.selectors import HIDDEN_ORGANIZATION
from recommendations.selectors_detail import differs
from recommendations.services import (
    implementation_update_hide,
    recommendation_create,
    response_record,
)
from tests.conftest import signed_in
from tests.recommendations.test_detail_world import assessment, self_report, world  # noqa: F401

HIDDEN = str(HIDDEN_ORGANIZATION)


def page(client, recommendation):
    return client.get(reverse("recommendations:detail", args=[recommendation.public_id]))


def client_of(role, world, request):
    if role == "anonymous":
        return Client()
    if role in world:
        return signed_in(world[role])
    return signed_in(request.getfixturevalue(role))


@pytest.mark.parametrize(
    ("role", "draft_status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("cso_member", 404),
        ("government_user", 404),
        ("official", 404),
        ("reviewer", 200),
    ],
)
def test_detail_drafts_are_the_secretariats(world, request, role, draft_status):
    client = client_of(role, world, request)
    assert page(client, world["recommendation"]).status_code == 200
    assert page(client, world["draft"]).status_code == draft_status
    permalink = client.get(reverse("recommendations:by_reference", args=[world["draft"].reference]))
    assert permalink.status_code == (302 if draft_status == 200 else 404)


def test_detail_shows_the_recommendation_in_its_context(world):
    later = recommendation_create(
        by=world["secretariat"],
        source=world["source"],
        reference="PVE-CP-2019/POL-1",
        title="Community policing, again",
        text="Said again.",
        repeats=[world["recommendation"]],
        published=True,
    )
    html = page(Client(), world["recommendation"]).content.decode()
    assert "Make community policing the ethos of prevention" in html
    assert "Security interventions and community policing" in html
    assert reverse("recommendations:source", args=[world["source"].public_id]) in html
    assert 'href="https://example.org/brief.pdf" rel="noopener noreferrer nofollow"' in html
    assert "Community policing</span>" in html
    assert "Governments, Security sector" in html
    assert "Nigeria, Kenya" in html
    assert "PVE-CP-2017/POL-2a" in html and "Recruit women officers" in html
    assert "Later recommendations repeat it" in html and "PVE-CP-2019/POL-1" in html
    assert "A draft still under discussion" not in html
    # The publishers: the public monitor by name, the at-risk one not.
    assert "Sahel Women Mediators" in html and "Hidden Youth Watch" not in html
    sub = page(Client(), world["sub_point"]).content.decode()
    assert "Part of" in sub and "PVE-CP-2017/POL-2</span>" in sub
    earlier = page(Client(), later).content.decode()
    assert "It repeats these earlier recommendations" in earlier


def test_by_reference_redirects_to_the_page(world):
    response = Client().get(reverse("recommendations:by_reference", args=["PVE-CP-2017/POL-2a"]))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "recommendations:detail", args=[world["sub_point"].public_id]
    )
    assert Client().get("/recommendations/ref/NO-SUCH-1").status_code == 404
    assert Client().get("/recommendations/ref/" + "x" * 5000).status_code == 404
    assert Client().get("/recommendations/ref/PVE%00-1").status_code == 404
    assert Client().get("/recommendations/ref/%D8%A7%D9%84").status_code == 404


def test_detail_names_only_the_organizations_the_reader_may_see(world, outsider):
    self_report(world)
    assessment(world, by="at_risk")
    anonymous = page(Client(), world["recommendation"]).content.decode()
    # The council is network-tier: named to signed-in readers, not to anonymous visitors.
    assert "Regional Security Council" not in anonymous
    assert "Ministry of Community Safety" in anonymous
    assert "Hidden Youth Watch" not in anonymous
    assert anonymous.count(HIDDEN) >= 3  # the council, the at-risk monitor (publisher, update)
    signed = page(signed_in(outsider), world["recommendation"]).content.decode()
    assert "Regional Security Council" in signed
    assert "Hidden Youth Watch" not in signed
    own = page(signed_in(world["at_risk_member"]), world["recommendation"]).content.decode()
    assert "Hidden Youth Watch" in own
    secretariat = page(signed_in(world["secretariat"]), world["recommendation"]).content.decode()
    assert HIDDEN not in secretariat


def test_detail_shows_both_perspectives_and_marks_disagreement(world, outsider):
    self_report(world, status=IS.IMPLEMENTED)
    assessment(world, status=IS.STALLED, addressee=world["ministry"])
    html = page(signed_in(outsider), world["recommendation"]).content.decode()
    assert "Reported by the addressees" in html and "Assessed by independent civil society" in html
    assert "Current status: <strong>Implemented</strong>" in html
    assert "Current status: <strong>Stalled</strong>" in html
    assert "The two sides disagree about 1 addressee." in html
    assert (
        "They disagree.</strong> The addressee reports more progress than civil society sees."
        in html
    )
    assert "Not comparable yet. Neither side has reported yet." in html  # the council
    assert 'href="https://example.org/report" rel="noopener noreferrer nofollow"' in html


def test_detail_agreement_when_statuses_tell_the_same_story(world, outsider):
    self_report(world, status=IS.IN_PROGRESS)
    assessment(world, status=IS.PARTIALLY_IMPLEMENTED)
    html = page(signed_in(outsider), world["recommendation"]).content.decode()
    assert "They agree. Both sides tell the same story." in html
    assert "disagree about" not in html


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (IS.IMPLEMENTED, IS.STALLED, True),
        (IS.IMPLEMENTED, IS.PARTIALLY_IMPLEMENTED, True),
        (IS.IN_PROGRESS, IS.NOT_STARTED, True),
        (IS.NO_LONGER_RELEVANT, IS.IMPLEMENTED, True),
        (IS.IN_PROGRESS, IS.PARTIALLY_IMPLEMENTED, False),
        (IS.NOT_STARTED, IS.STALLED, False),
        (IS.IMPLEMENTED, IS.IMPLEMENTED, False),
        (IS.NO_LONGER_RELEVANT, IS.NO_LONGER_RELEVANT, False),
    ],
)
def test_differs_counts_only_differences_of_story(mine, theirs, expected):
    assert differs(mine, theirs) is expected


def test_detail_hidden_updates_only_for_the_secretariat_and_not_compared(world, outsider):
    self_report(world, status=IS.IMPLEMENTED)
    hidden = assessment(world, status=IS.STALLED)
    implementation_update_hide(update=hidden, by=world["secretariat"], reason="Names a village")
    public = page(signed_in(outsider), world["recommendation"]).content.decode()
    assert "No training seen" not in public
    assert "disagree" not in public.split("agreement-explained")[0].split("agreement-title")[1]
    secretariat = page(signed_in(world["secretariat"]), world["recommendation"]).content.decode()
    assert "No training seen" in secretariat
    assert "Names a village" in secretariat
    assert "Hidden from everyone but the secretariat by " + world["secretariat"].name in secretariat
    assert "They disagree." not in secretariat


def test_detail_shows_each_responses_history(world, outsider):
    response = world["recommendation"].responses.get(organization=world["ministry"])
    response_record(response=response, by=world["official"], status="noted", comment="Later.")
    response_record(
        response=response, by=world["official"], status="supported", comment="A plan in 2027."
    )
    html = page(signed_in(outsider), world["recommendation"]).content.decode()
    assert "A plan in 2027." in html
    assert "2 earlier states" in html
    history = html.split("2 earlier states")[1].split("</details>")[0]
    assert history.index("Noted") < history.index("Pending")
    assert "Later." in history


def test_detail_offers_the_actions_the_reader_may_take(world, outsider):
    url = world["recommendation"].public_id
    official = page(signed_in(world["official"]), world["recommendation"]).content.decode()
    assert reverse("recommendations:self_report", args=[url]) in official
    assert reverse("recommendations:assess", args=[url]) not in official
    assert official.count("Record the response<") == 1
    monitor = page(signed_in(world["monitor_member"]), world["recommendation"]).content.decode()
    assert reverse("recommendations:assess", args=[url]) in monitor
    assert reverse("recommendations:self_report", args=[url]) not in monitor
    assert "Record the response<" not in monitor
    unvetted = page(signed_in(world["unvetted_member"]), world["recommendation"]).content.decode()
    assert reverse("recommendations:assess", args=[url]) not in unvetted
    assert 'name="recommendation"' in unvetted  # the Follow button
    anonymous = page(Client(), world["recommendation"]).content.decode()
    assert "/accounts/login/?next=" in anonymous and 'name="recommendation"' not in anonymous
    secretariat = page(signed_in(world["secretariat"]), world["recommendation"]).content.decode()
    assert secretariat.count("Record the response<") == 2


def test_source_page_lists_its_visible_recommendations_in_order(world):
    url = reverse("recommendations:source", args=[world["source"].public_id])
    html = Client().get(url).content.decode()
    assert html.index("PVE-CP-2017/POL-2</span>") < html.index("PVE-CP-2017/POL-2a")
    assert "source-recommendations__sub" in html
    assert "PVE-CP-2017/POL-3" not in html
    assert "2 recommendations" in html
    secretariat = signed_in(world["secretariat"]).get(url).content.decode()
    assert "PVE-CP-2017/POL-3" in secretariat and "3 recommendations" in secretariat


def _many(world, count):
    """``count`` more self-reports, assessments, sub-points and response changes."""
    response = world["recommendation"].responses.get(organization=world["ministry"])
    for number in range(count):
        self_report(world, status=IS.IN_PROGRESS)
        assessment(world, by="monitor" if number % 2 else "at_risk")
        response_record(
            response=response, by=world["official"], status="noted", comment=f"{number}"
        )
        recommendation_create(
            by=world["secretariat"],
            source=world["source"],
            parent=world["recommendation"],
            reference=f"PVE-CP-2017/POL-2-{number}",
            title=f"Sub-point {number}",
            text="More.",
            published=True,
            repeats=[world["recommendation"]],
        )


@pytest.mark.parametrize("role", ["anonymous", "outsider", "official", "reviewer"])
@pytest.mark.parametrize("count", [1, 6])
def test_detail_query_count_is_constant(world, request, role, count, django_assert_num_queries):
    _many(world, count)
    client = client_of(role, world, request)
    expected = {"anonymous": 10, "outsider": 25, "official": 29, "reviewer": 26}[role]
    with django_assert_num_queries(expected):
        response = page(client, world["recommendation"])
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_source_query_count_is_constant(world, count, django_assert_num_queries):
    _many(world, count)
    with django_assert_num_queries(5):
        response = Client().get(reverse("recommendations:source", args=[world["source"].public_id]))
    assert response.status_code == 200


def test_a_draft_parent_is_not_named_outside_the_secretariat(world, outsider):
    draft_child = recommendation_create(
        by=world["secretariat"],
        source=world["source"],
        parent=world["draft"],
        reference="PVE-CP-2017/POL-3a",
        title="A published point of a draft",
        text="Published early.",
        published=True,
    )
    html = page(signed_in(outsider), draft_child).content.decode()
    assert "A published point of a draft" in html
    assert "Part of" not in html and "A draft still under discussion" not in html
    secretariat = page(signed_in(world["secretariat"]), draft_child).content.decode()
    assert "Part of" in secretariat and "A draft still under discussion" in secretariat
