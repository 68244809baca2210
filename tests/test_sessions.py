"""Private caching, session lifetimes, tokens revoked by a new password, reauthentication."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from organizations.models import ApiToken
from organizations.services import api_token_create
from tests.conftest import enrol_totp, signed_in, totp_code
from tests.factories import PASSWORD, OrganizationFactory

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DIRECTORY = "/organizations/"


@pytest.fixture
def public_org(db):
    return OrganizationFactory(name="Open Peace Network", visibility_tier="public")


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


# --- Cache-Control ------------------------------------------------------------------------


def test_refusals_to_requests_with_credentials_are_not_stored_either(outsider):
    client = signed_in(outsider)
    for path in ("/verify/%00/", "/organizations/%00/", "/api/v1/organizations/%00/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Cache-Control"] == "no-store, private", path
    _token, secret = api_token_create(user=outsider, name="dashboard")
    refused = bearer(secret).patch("/api/v1/me/", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused["Cache-Control"] == "no-store, private"
    unknown = bearer("gsx_not-a-token").get("/api/v1/organizations/")
    assert unknown.status_code == 401
    assert unknown["Cache-Control"] == "no-store, private"


def test_signed_in_pages_and_api_answers_are_not_stored(outsider):
    client = signed_in(outsider)
    for path in (DIRECTORY, "/account/settings/", "/api/v1/me/", "/api/v1/organizations/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store, private", path
    _token, secret = api_token_create(user=outsider, name="dashboard")
    response = bearer(secret).get("/api/v1/organizations/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_anonymous_public_pages_keep_their_caching(public_org):
    for path in ("/", DIRECTORY, "/api/v1/themes/"):
        response = Client().get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path
        assert "private" not in response.get("Cache-Control", ""), path


# --- Session lifetimes --------------------------------------------------------------------


def _still_signed_in(client) -> bool:
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    return "_auth_user_id" in client.session


def test_an_idle_session_is_signed_out_and_sent_to_sign_in(outsider):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(outsider)
        assert _still_signed_in(client)
        clock.shift(timedelta(minutes=59))
        assert _still_signed_in(client)
        clock.shift(timedelta(minutes=61))
        response = client.get("/account/settings/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
        assert "Your session has expired. Please sign in again." in page


def test_an_active_session_ends_at_its_absolute_lifetime(outsider):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(outsider)
        assert _still_signed_in(client)
        for _ in range(14):  # every 50 minutes, 11 h 40 in all
            clock.shift(timedelta(minutes=50))
            assert _still_signed_in(client)
        clock.shift(timedelta(minutes=25))  # 12 h 05
        assert not _still_signed_in(client)


def test_privileged_sessions_are_shorter(reviewer, outsider):
    enrol_totp(reviewer)
    with time_machine.travel(START, tick=False) as clock:
        privileged, ordinary = signed_in(reviewer), signed_in(outsider)
        assert _still_signed_in(privileged) and _still_signed_in(ordinary)
        clock.shift(timedelta(minutes=31))
        assert not _still_signed_in(privileged)
        assert _still_signed_in(ordinary)


def test_the_api_refuses_an_expired_session(outsider):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(outsider)
        assert client.get("/api/v1/me/").status_code == 200
        clock.shift(timedelta(minutes=61))
        response = client.get("/api/v1/me/")
        assert response.status_code in (401, 403)
        assert "_auth_user_id" not in client.session


# --- A new password revokes API tokens ----------------------------------------------------


def test_a_password_change_revokes_the_users_api_tokens(outsider, cso_member):
    _mine, secret = api_token_create(user=outsider, name="laptop", can_write=True)
    _theirs, other_secret = api_token_create(user=cso_member, name="theirs")
    client = signed_in(outsider)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-brand-new-passphrase-42",
            "password2": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(user=outsider).revoked_at is not None
    assert bearer(secret).get("/api/v1/me/").status_code == 401
    assert bearer(other_secret).get("/api/v1/me/").status_code == 200


def test_a_wrong_old_password_revokes_nothing(outsider):
    _token, secret = api_token_create(user=outsider, name="laptop")
    response = signed_in(outsider).post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "x-new-pass-123", "password2": "x-new-pass-123"},
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(user=outsider).revoked_at is None
    assert bearer(secret).get("/api/v1/me/").status_code == 200


def test_a_password_reset_revokes_the_users_api_tokens(
    client, outsider, django_capture_on_commit_callbacks
):
    _token, secret = api_token_create(user=outsider, name="laptop")
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        client.post(reverse("account_reset_password"), {"email": outsider.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "a-brand-new-passphrase-42", "password2": "a-brand-new-passphrase-42"},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(user=outsider).revoked_at is not None
    assert bearer(secret).get("/api/v1/me/").status_code == 401


# --- Reauthentication ---------------------------------------------------------------------


def test_a_write_token_needs_a_recent_password_and_the_form_is_replayed(outsider):
    client = signed_in(outsider)
    tokens = reverse("organizations:api_tokens")
    response = client.post(tokens, {"name": "deploy", "can_write": "on"})
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('account_reauthenticate')}?next=%2Faccount%2Ftokens%2F"
    )
    assert ApiToken.objects.count() == 0

    wrong = client.post(response["Location"], {"password": "not-it"})
    assert wrong.status_code == 200
    assert ApiToken.objects.count() == 0

    replayed = client.post(response["Location"], {"password": PASSWORD})
    assert replayed.status_code == 200
    token = ApiToken.objects.get(user=outsider)
    assert (token.name, token.can_write) == ("deploy", True)
    assert replayed.context["new_secret"].startswith(ApiToken.PREFIX)


def test_export_needs_a_recent_authentication(outsider, public_org):
    client = signed_in(outsider)
    export = reverse("organizations:export")
    response = client.get(export)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(export)
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_privileged_users_reauthenticate_with_their_second_factor(reviewer, public_org):
    enrol_totp(reviewer)
    client = signed_in(reviewer)
    export = reverse("organizations:export")
    assert client.get(export).status_code == 302
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code()})
    assert response.status_code == 302
    response = client.get(export)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
