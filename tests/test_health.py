import pytest
from django.test import Client

from gsx_portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_cache_reachable():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_broker():
    # Port 9 (discard) has nothing listening: a real connection attempt that is refused.
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    yield
    celery_app.conf.broker_url = original


def test_healthz_says_degraded_when_the_broker_is_unreachable(unreachable_broker):
    # Pages, sign-in and the API still work and mail waits in the outbox: a load balancer must
    # keep the web processes, so the answer is 200 and names the part that is down.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "unreachable",
        "cache": "ok",
    }


@pytest.fixture
def unreachable_database():
    from django.db import connection

    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="9")
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(original)


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_unreachable(unreachable_database):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
