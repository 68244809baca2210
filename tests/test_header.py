"""The header on phones: the main navigation folds into a <details> menu (no script needed),
whose toggle carries the total of what waits and what is unread."""

import re

import pytest

from gsx_portal.models import Notification
from tests.conftest import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MENU = re.compile(
    r'<details class="site-menu">\s*'
    r'<summary class="site-menu__toggle">(?P<toggle>.*?)</summary>\s*'
    r'<nav aria-label="(?P<label>[^"]*)">(?P<nav>.*?)</nav>\s*</details>',
    re.S,
)


def _menu(html: str) -> re.Match:
    found = MENU.search(html)
    assert found, "no <details class='site-menu'> around the main navigation"
    return found


def test_header_menu_folds_the_navigation_for_anonymous_visitors(client):
    menu = _menu(client.get("/").content.decode())

    assert menu["toggle"] == "Menu"
    assert menu["label"] == "Main"
    assert 'href="/accounts/signup/"' in menu["nav"]


def test_header_menu_toggle_counts_unread_notifications():
    user = UserFactory()
    for _ in range(2):
        Notification.objects.create(user=user, kind="organizations.invitation", params={})

    menu = _menu(signed_in(user).get("/").content.decode())

    assert re.sub(r"\s+", " ", menu["toggle"]) == (
        'Menu <span class="badge">2<span class="visually-hidden"> new items</span></span>'
    )


def test_header_menu_toggle_has_no_badge_when_nothing_is_new():
    menu = _menu(signed_in(UserFactory()).get("/").content.decode())

    assert menu["toggle"] == "Menu"


def test_header_menu_is_in_arabic_for_an_arabic_page(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    html = client.get("/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert _menu(html)["nav"].count("<li>") == 8
    assert "أفرقة العمل" in _menu(html)["nav"]  # Working groups
    assert "التوصيات" in _menu(html)["nav"]  # Recommendations
