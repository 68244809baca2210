import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _in(language: str) -> Client:
    return Client(headers={"Accept-Language": language})


def test_arabic_pages_render_right_to_left():
    response = _in("ar").get(reverse("home"))
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "التبادل العالمي للحلول" in body
    assert response["Content-Language"] == "ar"


def test_arabic_login_page_is_translated_and_right_to_left():
    body = _in("ar").get(reverse("account_login")).content.decode()
    assert 'dir="rtl"' in body
    assert "تسجيل الدخول" in body


def test_french_and_spanish_pages_render_left_to_right():
    french = _in("fr").get(reverse("home")).content.decode()
    assert '<html lang="fr" dir="ltr">' in french and "Se connecter" in french
    spanish = _in("es").get(reverse("home")).content.decode()
    assert '<html lang="es" dir="ltr">' in spanish and "Iniciar sesión" in spanish


def test_error_pages_are_friendly_and_translated():
    response = _in("fr").get("/no-such-page/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    response = _in("ar").get("/no-such-page/")
    assert "الصفحة غير موجودة" in response.content.decode()


def test_the_language_switcher_works_without_javascript(client):
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ar"
    assert 'dir="rtl"' in client.get("/").content.decode()


def test_the_language_switcher_remembers_the_choice_on_the_account(outsider):
    client = signed_in(outsider)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    outsider.refresh_from_db()
    assert outsider.language == "fr"
    # Another device, with another browser language, follows the account.
    other = signed_in(outsider)
    other.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert '<html lang="fr"' in other.get("/").content.decode()


def test_the_language_switcher_ignores_an_unknown_language(outsider):
    client = signed_in(outsider)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.language == "en"


def test_server_error_page_renders_without_a_request_context():
    from gsx_portal.errors import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_directory_is_translated(db):
    body = _in("ar").get(reverse("organizations:directory")).content.decode()
    assert "<h1>المنظمات</h1>" in body and 'dir="rtl"' in body
    assert "أفريقيا جنوب الصحراء" in body  # a region in the filter
    assert "Organisations" in _in("fr").get(reverse("organizations:directory")).content.decode()


@pytest.mark.parametrize("language", ["fr", "ar", "es"])
def test_every_string_is_translated(language):
    from pathlib import Path

    from babel.messages.pofile import read_po
    from django.conf import settings

    path = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert missing == []
