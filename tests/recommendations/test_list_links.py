"""The list page is where people arrive: it links the dashboard and the review cycles for
everyone, what a signed-in reader follows, and the secretariat's catalogue and moderation
(linked from nowhere else)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

EVERYONE = ["recommendations:dashboard", "recommendations:cycles"]
SECRETARIAT = ["recommendations:sources", "recommendations:moderation"]


def links(client: Client) -> set[str]:
    response = client.get(reverse("recommendations:list"))
    assert response.status_code == 200
    html = response.content.decode()
    names = [*EVERYONE, "recommendations:following", *SECRETARIAT]
    return {name for name in names if f'href="{reverse(name)}"' in html}


def test_list_links_the_dashboard_and_cycles_for_an_anonymous_visitor():
    assert links(Client()) == set(EVERYONE)


def test_list_links_what_i_follow_for_a_signed_in_reader(outsider):
    assert links(signed_in(outsider)) == {*EVERYONE, "recommendations:following"}


def test_list_links_the_catalogue_and_moderation_for_the_secretariat(reviewer):
    assert links(signed_in(reviewer)) == {*EVERYONE, "recommendations:following", *SECRETARIAT}
