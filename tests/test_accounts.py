import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from organizations.models import User
from tests.conftest import signed_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_signup_requires_email_verification_before_login(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(
            reverse("account_signup"),
            {
                "name": "New Person",
                "email": "New.Person@Example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert (user.email, user.name) == ("new.person@example.org", "New Person")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]

    client.logout()
    refused = _sign_in(client, "new.person@example.org")
    assert refused["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    confirm_url = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    response = client.post(confirm_url.group(1))
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True

    response = _sign_in(client, "NEW.person@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_a_wrong_password_keeps_the_email_and_signs_nobody_in(client, outsider):
    response = _sign_in(client, outsider.email, "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert f'value="{outsider.email}"' in body
    assert 'class="error-summary"' in body
    assert "The email address and/or password you specified are not correct." in body


def test_login_is_rate_limited_after_five_failures_for_one_account(client, outsider):
    for _ in range(5):
        assert _sign_in(client, outsider.email, "wrong-password-1").status_code == 200
    response = _sign_in(client, outsider.email)  # even the right password is refused now
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_settings_page_saves_name_language_and_timezone(outsider):
    client = signed_in(outsider)
    response = client.post(
        reverse("organizations:account_settings"),
        {"name": "Charlie Ndlovu", "language": "fr", "timezone": "Africa/Johannesburg"},
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert (outsider.name, outsider.language, outsider.timezone) == (
        "Charlie Ndlovu",
        "fr",
        "Africa/Johannesburg",
    )
    assert response.cookies["django_language"].value == "fr"
    page = client.get(reverse("organizations:account_settings"))
    assert page.headers["Content-Language"] == "fr"
    assert "Paramètres du compte" in page.content.decode()


def test_settings_page_refuses_an_unknown_timezone_and_keeps_the_input(outsider):
    client = signed_in(outsider)
    before = (outsider.name, outsider.language, outsider.timezone)
    response = client.post(
        reverse("organizations:account_settings"),
        {"name": "Typed Name", "language": "es", "timezone": "Mars/Olympus_Mons"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert 'value="Typed Name"' in body
    assert '<option value="es" selected>' in body
    outsider.refresh_from_db()
    assert (outsider.name, outsider.language, outsider.timezone) == before


def test_dates_are_shown_in_the_users_timezone(outsider):
    from organizations.services import api_token_create

    outsider.timezone = "Asia/Tokyo"
    outsider.save()
    token, _secret = api_token_create(user=outsider, name="clock")
    token.created_at = token.created_at.replace(
        year=2026, month=1, day=1, hour=23, minute=30, second=0, microsecond=0
    )
    token.save()
    response = signed_in(outsider).get(reverse("organizations:api_tokens"))
    assert "01/02/2026 8:30 a.m." in response.content.decode()


def test_sessions_are_listed_and_can_be_ended(client, outsider):
    other_device = signed_in(outsider)
    assert other_device.get(reverse("organizations:account_settings")).status_code == 200
    _sign_in(client, outsider.email)
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    from allauth.usersessions.models import UserSession

    assert UserSession.objects.filter(user=outsider).count() == 2
    response = client.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert UserSession.objects.filter(user=outsider).count() == 1
    assert other_device.get(reverse("organizations:account_settings")).status_code == 302


def test_admin_login_goes_through_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_refuses_a_signed_in_non_staff_user(outsider):
    response = signed_in(outsider).get("/admin/login/")
    assert response.status_code == 403


def test_user_emails_are_unique_regardless_of_case(db):
    UserFactory(email="same@example.org")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="SAME@example.org")])
