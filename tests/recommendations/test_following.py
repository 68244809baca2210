# ruff: noqa: F811  (the shared world is a fixture imported from test_detail_world)
"""Following a recommendation, a theme or a working group from the pages; only one's own
follows; bad input gets a message and follows nothing."""

import pytest
from django.urls import reverse

from recommendations.models import Follow
from tests.conftest import signed_in
from tests.recommendations.test_detail_world import world  # noqa: F401

FOLLOW = "/recommendations/follow/"


def test_follow_and_unfollow_a_recommendation_from_its_page(world, outsider):
    client = signed_in(outsider)
    page = reverse("recommendations:detail", args=[world["recommendation"].public_id])
    response = client.post(
        FOLLOW, {"recommendation": str(world["recommendation"].public_id), "next": page}
    )
    assert response.status_code == 302 and response["Location"] == page
    follow = Follow.objects.get(user=outsider)
    assert follow.recommendation == world["recommendation"]
    html = client.get(page).content.decode()
    assert reverse("recommendations:unfollow", args=[follow.pk]) in html
    client.post(reverse("recommendations:unfollow", args=[follow.pk]), {"next": page})
    assert not Follow.objects.filter(user=outsider).exists()


def test_follow_a_theme_and_a_working_group(world, outsider, working_group):
    client = signed_in(outsider)
    client.post(FOLLOW, {"theme": "community-policing"})
    client.post(FOLLOW, {"working_group": working_group.slug})
    html = client.get(reverse("recommendations:following")).content.decode()
    assert "Community policing" in html and "Security Interventions" in html
    assert Follow.objects.filter(user=outsider).count() == 2


def test_a_draft_cannot_be_followed(world, outsider):
    response = signed_in(outsider).post(FOLLOW, {"recommendation": str(world["draft"].public_id)})
    assert response.status_code == 404
    assert not Follow.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"theme": "community-policing", "working_group": "x"},
        {"recommendation": "not-a-uuid"},
        {"theme": "a\x00b"},
        {"theme": "t" * 10_000},
    ],
)
def test_bad_follow_input_gets_a_message(world, outsider, data):
    response = signed_in(outsider).post(FOLLOW, data, follow=True)
    assert response.status_code == 200
    assert 'class="message message--error"' in response.content.decode()
    assert not Follow.objects.exists()


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/a\x00b", "/\\x"])
def test_next_never_leaves_the_site(world, outsider, target):
    response = signed_in(outsider).post(FOLLOW, {"theme": "community-policing", "next": target})
    assert response["Location"] == reverse("recommendations:following")


def test_someone_elses_follow_is_404_and_kept(world, outsider, cso_member):
    follow = Follow.objects.create(user=cso_member, recommendation=world["recommendation"])
    response = signed_in(outsider).post(reverse("recommendations:unfollow", args=[follow.pk]))
    assert response.status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()


@pytest.mark.parametrize("count", [1, 5])
def test_following_query_count_is_constant(
    world, outsider, working_group, count, django_assert_num_queries
):
    from organizations.models import Theme

    for theme in Theme.objects.order_by("order")[:count]:
        Follow.objects.create(user=outsider, theme=theme)
    Follow.objects.create(user=outsider, recommendation=world["recommendation"])
    Follow.objects.create(user=outsider, working_group=working_group)
    client = signed_in(outsider)
    with django_assert_num_queries(17):
        response = client.get(reverse("recommendations:following"))
    assert response.status_code == 200
