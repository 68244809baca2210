"""Redis down is not an outage: the cache falls back to a per-process count (real closed port)."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from gsx_portal import cache as failover
from gsx_portal.api_auth import AnonymousRateThrottle
from gsx_portal.celery import app as celery_app
from organizations.services import api_token_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

# Port 9 (discard) has nothing listening: every connection attempt is really refused.
CLOSED = "redis://127.0.0.1:9/0"


@pytest.fixture
def redis_down(settings):
    failover._down_until.clear()
    failover._warned_at.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": CLOSED,
            "KEY_PREFIX": "gsx",
            "FAILOVER_SECONDS": 30,
        }
    }
    yield
    failover._down_until.clear()
    failover._warned_at.clear()
    # The fallback is shared by the process; its counts must not reach the next test.
    failover.LocMemCache(f"gsx-redis-fallback:{CLOSED}", {}).clear()


def _sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "gsx_portal.cache" and r.levelname == "WARNING"]


def test_sign_in_works_and_the_outage_is_logged_once(redis_down, outsider, caplog):
    caplog.set_level(logging.WARNING, logger="gsx_portal.cache")
    client = Client()
    response = _sign_in(client, outsider.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(outsider.pk)
    assert client.get(reverse("organizations:directory")).status_code == 200
    Client().get(reverse("account_login"))
    _sign_in(Client(), outsider.email, "wrong-password-1")
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "Redis unreachable" in warnings[0].getMessage()


def test_failed_sign_ins_are_still_limited_per_process(redis_down, outsider):
    client = Client()
    for _ in range(5):
        assert _sign_in(client, outsider.email, "wrong-password-1").status_code == 200
    response = _sign_in(client, outsider.email)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_the_api_answers_with_a_token_and_a_session(redis_down, outsider):
    _token, secret = api_token_create(user=outsider, name="dashboard")
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == "charlie@elsewhere.example"
    assert Client().get("/api/v1/organizations/").status_code == 200
    client = Client()
    client.force_login(outsider)
    assert client.get("/api/v1/me/").json()["email"] == "charlie@elsewhere.example"


def test_the_api_throttle_still_counts_per_process(redis_down, monkeypatch):
    monkeypatch.setattr(AnonymousRateThrottle, "rate", "2/min", raising=False)
    client = Client()
    statuses = [client.get("/api/v1/themes/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_healthz_names_the_cache_as_down_and_stays_200(redis_down):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "ok",
        "cache": "unreachable",
    }


def test_healthz_with_all_of_redis_down(redis_down):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = CLOSED
    try:
        response = Client().get("/healthz")
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "unreachable",
        "cache": "unreachable",
    }
