import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from organizations.models import ApiToken
from organizations.selectors import api_token_hash
from organizations.services import api_token_create, api_token_revoke
from tests.conftest import signed_in, signed_in_recently

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_me_with_a_token_describes_the_user(cso_admin, cso):
    _token, secret = api_token_create(user=cso_admin, name="dashboard")
    response = bearer(secret).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": str(cso_admin.public_id),
        "email": "alice@cso.example",
        "name": cso_admin.name,
        "language": "en",
        "timezone": "UTC",
        "privileged": False,
        "mfa_enabled": False,
        "memberships": [
            {
                "organization": str(cso.public_id),
                "organization_name": cso.name,
                "sector": "civil_society",
                "role": "admin",
            }
        ],
    }


def test_the_api_refuses_anonymous_requests():
    response = Client().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_token_is_stored_hashed(outsider):
    token, secret = api_token_create(user=outsider, name="script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("gsx_") and len(secret) > 40
    assert stored.key_hash == api_token_hash(secret)
    assert secret not in {stored.key_hash, stored.hint, stored.name}
    assert stored.hint == secret[:10]


def test_revoked_and_unknown_tokens_are_refused(outsider):
    token, secret = api_token_create(user=outsider, name="script")
    assert bearer(secret).get("/api/v1/me/").status_code == 200
    api_token_revoke(token=token)
    response = bearer(secret).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}
    assert bearer("gsx_not-a-real-token").get("/api/v1/me/").status_code == 401
    assert Client(headers={"Authorization": "Bearer"}).get("/api/v1/me/").status_code == 401


def test_tokens_of_deactivated_users_are_refused(outsider):
    _token, secret = api_token_create(user=outsider, name="script")
    outsider.is_active = False
    outsider.save()
    assert bearer(secret).get("/api/v1/me/").status_code == 401


def test_a_read_only_token_cannot_write(outsider):
    _token, secret = api_token_create(user=outsider, name="reader")
    response = bearer(secret).patch(
        "/api/v1/me/", {"name": "Changed"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "This token may only read."}
    outsider.refresh_from_db()
    assert outsider.name != "Changed"


def test_a_write_token_updates_preferences(outsider):
    _token, secret = api_token_create(user=outsider, name="writer", can_write=True)
    response = bearer(secret).patch(
        "/api/v1/me/", {"name": "Charlie N", "language": "ar"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["language"]) == ("Charlie N", "ar")
    outsider.refresh_from_db()
    assert (outsider.name, outsider.language) == ("Charlie N", "ar")


def test_bad_preferences_answer_400_naming_the_field_and_change_nothing(outsider):
    _token, secret = api_token_create(user=outsider, name="writer", can_write=True)
    before = (outsider.name, outsider.language, outsider.timezone)
    response = bearer(secret).patch(
        "/api/v1/me/", {"name": "X", "timezone": "Nowhere/City"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"timezone": ["Nowhere/City is not a known time zone."]}
    response = bearer(secret).patch(
        "/api/v1/me/", {"language": "xx"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["language"]
    outsider.refresh_from_db()
    assert (outsider.name, outsider.language, outsider.timezone) == before


def test_tokens_page_shows_the_secret_once_and_revokes(outsider):
    client = signed_in_recently(outsider)
    response = client.post(reverse("organizations:api_tokens"), {"name": "laptop"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert bearer(secret).get("/api/v1/me/").status_code == 200
    listing = client.get(reverse("organizations:api_tokens")).content.decode()
    assert secret not in listing and "laptop" in listing

    token = ApiToken.objects.get(user=outsider)
    response = client.post(reverse("organizations:api_token_revoke", args=[token.public_id]))
    assert response.status_code == 302
    assert bearer(secret).get("/api/v1/me/").status_code == 401


def test_tokens_page_keeps_input_when_the_name_is_missing(outsider):
    response = signed_in_recently(outsider).post(
        reverse("organizations:api_tokens"), {"name": "", "can_write": "on"}
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert response.context["form"]["can_write"].value() is True
    assert ApiToken.objects.count() == 0


def test_another_users_token_cannot_be_revoked(outsider, cso_member):
    token, secret = api_token_create(user=cso_member, name="theirs")
    response = signed_in(outsider).post(
        reverse("organizations:api_token_revoke", args=[token.public_id])
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(secret).get("/api/v1/me/").status_code == 200


def test_api_token_command_creates_a_working_token(outsider, capsys):
    call_command("api_token", "create", outsider.email.upper(), "--write")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=outsider)
    assert token.can_write is True
    assert bearer(secret).get("/api/v1/me/").json()["email"] == outsider.email


def test_api_token_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match=r"No active user with the email address 'ghost@x\.org'"):
        call_command("api_token", "create", "ghost@x.org")
    assert ApiToken.objects.count() == 0


def test_api_token_command_lists_and_revokes(outsider, capsys):
    token, secret = api_token_create(user=outsider, name="old")
    call_command("api_token", "list", outsider.email)
    assert capsys.readouterr().out == f"{token.hint}\tread-only\tactive\told\n"
    call_command("api_token", "revoke", outsider.email, token.hint)
    assert bearer(secret).get("/api/v1/me/").status_code == 401
    with pytest.raises(CommandError, match="No single active token"):
        call_command("api_token", "revoke", outsider.email, token.hint)


def _writes(queries) -> list[str]:
    # pghistory puts its context before a write: "SELECT set_config(…); UPDATE …".
    write = re.compile(r"(^|;)\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
    return [query["sql"] for query in queries if write.search(query["sql"])]


def test_a_token_costs_one_lookup_and_its_use_is_written_once_a_minute(outsider):
    from datetime import UTC, datetime, timedelta

    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token, secret = api_token_create(user=outsider, name="sync")
    start = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        with CaptureQueriesContext(connection) as first:
            assert bearer(secret).get("/api/v1/organizations/").status_code == 200
        assert len(_writes(first.captured_queries)) == 1
        token.refresh_from_db()
        assert token.last_used_at == start
        # Every request looks the token and its user up once, in one query.
        lookups = [q for q in first.captured_queries if '"organizations_apitoken"' in q["sql"]]
        assert len(lookups) == 2  # the lookup, and the first use written
        assert '"organizations_user"' in lookups[0]["sql"]

        clock.shift(timedelta(seconds=59))
        with CaptureQueriesContext(connection) as again:
            assert bearer(secret).get("/api/v1/organizations/").status_code == 200
            assert bearer(secret).get("/api/v1/me/").status_code == 200
        assert _writes(again.captured_queries) == []

        clock.shift(timedelta(seconds=2))
        with CaptureQueriesContext(connection) as later:
            assert bearer(secret).get("/api/v1/organizations/").status_code == 200
        assert len(_writes(later.captured_queries)) == 1
        token.refresh_from_db()
        assert token.last_used_at == start + timedelta(seconds=61)
