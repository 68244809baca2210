"""Sign-up asks for a name, says what the portal keeps, and shows each error at its field."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.urls import reverse

from organizations.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _field_block(html: str, field_id: str) -> str:
    """The markup of one field's block (label to input) in the rendered form."""
    match = re.search(
        rf'<div class="field[^"]*">\s*<label for="{field_id}".*?(?=<div class="field|</form>)',
        html,
        re.S,
    )
    assert match, f"no field block for {field_id}"
    return match.group(0)


def _input(html: str, field_id: str) -> str:
    return re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)


def _described_by(html: str, field_id: str) -> list[str]:
    found = re.search(r'aria-describedby="([^"]*)"', _input(html, field_id))
    return found.group(1).split() if found else []


def test_signup_page_asks_for_a_name_first(client):
    html = client.get(reverse("account_signup")).content.decode()

    ids = re.findall(r'<input[^>]*\bid="(id_[a-z0-9]+)"', html)
    assert ids == ["id_name", "id_email", "id_password1", "id_password2"]
    assert 'autocomplete="name"' in _input(html, "id_name")
    assert 'dir="ltr"' in _input(html, "id_email")


def test_signup_stores_the_name_normalised(client):
    response = client.post(
        reverse("account_signup"),
        {
            "name": "  Amina   Diallo ",
            "email": "amina@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.get().name == "Amina Diallo"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "This field is required."),
        ("Amina\u200bDiallo", "Remove the invisible or control characters (U+200B)."),
    ],
)
def test_signup_refuses_a_missing_or_invisible_name_at_the_field(client, name, error):
    response = client.post(
        reverse("account_signup"),
        {"name": name, "email": "amina@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 200
    assert User.objects.count() == 0
    assert response.context["form"].errors == {"name": [error]}
    block = _field_block(response.content.decode(), "id_name")
    assert f'<ul class="errorlist" id="id_name_error"><li>{error}</li></ul>' in block
    assert 'value="amina@example.org"' in _input(response.content.decode(), "id_email")


def test_signup_shows_the_privacy_notice(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert '<h2 id="privacy-notice-title">Your data on the portal</h2>' in html
    assert "What the portal keeps: your name, email address, language and time zone" in html
    assert (
        "sees the contacts an organization marked as shareable only after it accepted their "
        "introduction request, and only once the secretariat has verified their organization"
    ) in html
    assert "How to be forgotten: ask the secretariat to delete your account." in html
    assert "Two records keep your email address: which contacts you were shown" in html


def test_signup_password_error_sits_at_the_password_field_and_is_described(client):
    response = client.post(
        reverse("account_signup"),
        {"name": "Amina", "email": "amina@example.org", "password1": "short", "password2": "short"},
    )
    html = response.content.decode()

    errors = response.context["form"].errors
    assert list(errors) == ["password1"]
    password_block = _field_block(html, "id_password1")
    assert 'id="id_password1_error"' in password_block
    assert "This password is too short." in password_block
    # Nowhere else: not after the email field, not at the second password.
    assert "This password is too short." not in _field_block(html, "id_email")
    assert "This password is too short." not in _field_block(html, "id_password2")
    assert _described_by(html, "id_password1") == ["id_password1_helptext", "id_password1_error"]
    # The help text (a list of rules) is inside the element the input points to.
    helptext = re.search(
        r'<div class="helptext" id="id_password1_helptext">(.*?)</div>', html, re.S
    )
    assert "<li>" in helptext.group(1)


def test_signup_points_aria_describedby_only_at_elements_that_exist(client):
    for response in (
        client.get(reverse("account_signup")),
        client.post(reverse("account_signup"), {"name": "", "email": "not an address"}),
    ):
        html = response.content.decode()
        referenced = {
            ref for refs in re.findall(r'aria-describedby="([^"]*)"', html) for ref in refs.split()
        }
        assert referenced
        for ref in referenced:
            assert len(re.findall(rf'\bid="{ref}"', html)) == 1, ref
    # Without errors, nothing points at an error list.
    blank = client.get(reverse("account_signup")).content.decode()
    assert _described_by(blank, "id_name") == ["id_name_helptext"]
    assert _described_by(blank, "id_email") == []


def _sign_up(client, email: str = "amina@example.org"):
    return client.post(
        reverse("account_signup"),
        {"name": "Amina Diallo", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signup_in_arabic_stores_arabic_on_the_account(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    _sign_up(client)

    assert User.objects.get().language == "ar"


def test_signup_in_english_stores_english_on_the_account(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    _sign_up(client)

    assert User.objects.get().language == "en"


def test_signup_in_arabic_then_first_sign_in_stays_in_arabic(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    _sign_up(client)
    EmailAddress.objects.filter(email="amina@example.org").update(verified=True)

    # Sign-in from another device, whose browser has no language cookie yet.
    other_device = Client()
    response = other_device.post(
        reverse("account_login"), {"login": "amina@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
