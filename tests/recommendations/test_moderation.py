# ruff: noqa: F811  (the shared world is a fixture imported from test_detail_world)
"""The secretariat's moderation: the page lists recent updates newest first with a hide form
each; hiding records the reason and who; anyone else gets 404 and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from recommendations.models import ImplementationUpdate
from tests.conftest import signed_in
from tests.recommendations.test_detail_world import assessment, self_report, world  # noqa: F401


def hide_url(update):
    return reverse("recommendations:update_hide", args=[update.public_id])


def test_moderation_lists_updates_newest_first(world):
    first = self_report(world)
    second = assessment(world)
    html = signed_in(world["secretariat"]).get(reverse("recommendations:moderation")).content
    html = html.decode()
    assert html.index(str(second.public_id)) < html.index(str(first.public_id))
    assert html.count('name="reason"') == 2
    assert "Sahel Women Mediators" in html and "Ministry of Community Safety" in html


def test_the_secretariat_hides_an_update_with_a_reason(world):
    update = assessment(world)
    client = signed_in(world["secretariat"])
    response = client.post(
        hide_url(update), {"reason": "It names a village.", "next": "/recommendations/moderation/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/recommendations/moderation/"
    update.refresh_from_db()
    assert update.hidden_reason == "It names a village."
    assert update.hidden_by == world["secretariat"]
    html = client.get(reverse("recommendations:moderation")).content.decode()
    assert "It names a village." in html
    assert "Hidden by " + world["secretariat"].name in html


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "This field is required."), ("a\x00b", "Null characters"), ("r" * 10_000, "at most")],
)
def test_a_bad_reason_is_refused_and_nothing_hidden(world, reason, message):
    update = assessment(world)
    response = signed_in(world["secretariat"]).post(hide_url(update), {"reason": reason})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert message in response.content.decode()
    assert ImplementationUpdate.objects.get().hidden_at is None


def test_an_open_redirect_is_not_followed(world):
    update = assessment(world)
    response = signed_in(world["secretariat"]).post(
        hide_url(update), {"reason": "Spam.", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("recommendations:moderation")


@pytest.mark.parametrize("who", ["official", "monitor_member", "outsider", "government_user"])
def test_others_may_not_moderate(world, request, who):
    update = assessment(world)
    user = world[who] if who in world else request.getfixturevalue(who)
    client = signed_in(user)
    assert client.get(reverse("recommendations:moderation")).status_code == 404
    assert client.post(hide_url(update), {"reason": "Mine now."}).status_code == 404
    assert ImplementationUpdate.objects.get().hidden_at is None
    assert Client().post(hide_url(update), {"reason": "x"}).status_code == 302
    assert ImplementationUpdate.objects.get().hidden_at is None


@pytest.mark.parametrize("count", [1, 8])
def test_moderation_query_count_is_constant(world, count, django_assert_num_queries):
    for _number in range(count):
        self_report(world)
        assessment(world, by="at_risk")
    client = signed_in(world["secretariat"])
    with django_assert_num_queries(16):
        response = client.get(reverse("recommendations:moderation"))
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["x", "0", "-1", "99999999999999999999999", "1\x00"])
def test_moderation_odd_page_numbers_answer_a_page(world, number):
    assessment(world)
    response = signed_in(world["secretariat"]).get(
        reverse("recommendations:moderation"), {"page": number}
    )
    assert response.status_code == 200
    assert response.content.decode().count('name="reason"') == 1
