import pytest
from django.core.exceptions import ImproperlyConfigured

from gsx_portal.env import env_bool, env_int, env_list, env_rate, env_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True


def test_env_int_refuses_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="COUNT='ten' is not a whole number"):
        env_int("COUNT", 1)
    monkeypatch.setenv("COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="COUNT=0 is below the minimum of 1"):
        env_int("COUNT", 5, minimum=1)
    monkeypatch.setenv("COUNT", "7")
    assert env_int("COUNT", 5, minimum=1) == 7


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_env_url_checks_the_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://db/x")
    with pytest.raises(ImproperlyConfigured, match="must be a URL starting with one of"):
        env_url("DATABASE_URL", schemes={"postgres"})
    monkeypatch.setenv("DATABASE_URL", "")
    assert env_url("DATABASE_URL", schemes={"postgres"}) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("600/min", "600/min"), (" 10/S ", "10/s"), ("5/hour", "5/hour"), ("1000/days", "1000/days")],
)
def test_env_rate_reads_requests_per_period(monkeypatch, raw, expected):
    monkeypatch.setenv("RATE", raw)
    assert env_rate("RATE", "1/min") == expected


def test_env_rate_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("RATE", raising=False)
    assert env_rate("RATE", "120/min") == "120/min"
    monkeypatch.setenv("RATE", "")
    assert env_rate("RATE", "120/min") == "120/min"


@pytest.mark.parametrize("raw", ["600", "600/", "/min", "0/min", "-5/min", "ten/min", "600/mango"])
def test_env_rate_refuses_what_the_throttle_could_not_read(monkeypatch, raw):
    monkeypatch.setenv("RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="is not a rate"):
        env_rate("RATE", "1/min")
