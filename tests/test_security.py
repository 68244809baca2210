import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

ROOT = Path(__file__).resolve().parent.parent

# Every URL outside this list must refuse an anonymous visitor. Adding a name here is a decision
# that the page is meant for the public.
PUBLIC_URL_NAMES = {
    "home",
    "healthz",
    "set_language",
    "api-schema",
    "api-docs",
    "account_login",
    "account_signup",
    "account_logout",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_login_code_confirm",
    "account_confirm_login_code",
    "mfa_authenticate",
    "mfa_login_webauthn",
    "mfa_signup_webauthn",
    "mfa_trust",
    "admin:login",
    "organizations:directory",
    "organizations:detail",
    "organizations:verify_letter",
    "verify_lookup",
    "organization-list",
    "organization-detail",
    "theme-list",
    "theme-detail",
    "criterion-list",
    "criterion-detail",
    # Public events (the annual convening, outreach events) are public; other meetings answer
    # 404 to anonymous visitors (dialogues.selectors.meetings_visible_to).
    "dialogues:meetings",
    "dialogues:meeting",
    "dialogues:meeting_ics",
    "dialogues:working_groups",
    "dialogues:working_group",
    "dialogues:working_group_ics",
    # Review cycles and the dashboard: counts of published recommendations; names of
    # organizations a reader may not see are withheld (recommendations.selectors_cycles).
    "recommendations:cycles",
    "recommendations:cycle",
    "recommendations:dashboard",
    # The timeline shows each reader what meetings_visible_to allows (public events, signed out).
    "dialogues:timeline",
    "dialogues:timeline_year",
    # Signed out by design: a single-use answer link from an invitation email, and a personal
    # calendar feed for calendar programs that cannot sign in, each by its own secret token.
    "dialogues:rsvp",
    "dialogues:personal_feed",
    # An embassy checks a visa support letter without an account (the reference is the key).
    "dialogues:verify_visa_letter",
    # The API reads what anonymous visitors may see of working groups and meetings.
    "working-group-list",
    "working-group-detail",
    "meeting-list",
    "meeting-detail",
    "meeting-agenda",
    # Recommendations: published ones for everyone (recommendations_visible_to).
    "recommendations:list",
    # A recommendation's page, its permalink and a source's page: published ones for everyone
    # (recommendations.selectors.recommendations_visible_to); drafts answer 404.
    "recommendations:detail",
    "recommendations:by_reference",
    "recommendations:source",
    # --- recommendations: the API reads what anonymous visitors may see (published ones, their
    # sources, responses and visible updates; review cycles and their snapshots).
    "source-document-list",
    "source-document-detail",
    "recommendation-list",
    "recommendation-detail",
    "response-list",
    "response-detail",
    "implementation-update-list",
    "implementation-update-detail",
    "review-cycle-list",
    "review-cycle-detail",
    "review-cycle-snapshot",
    # --- end recommendations
    # Published recommendations are public data: anonymous visitors export what the list shows
    # them (drafts and organizations they may not see are left out by the same selectors).
    "recommendations:export_csv",
    "recommendations:export_xlsx",
}

SAMPLES = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": str(uuid.uuid4()),
    "path": "x/y",
    "drf_format_suffix": ".json",
}


def _sample_regex(regex: str) -> str:
    def group(match):
        name, body = match.group(1), match.group(2)
        if name == "format":
            return "json"
        if "{36}" in body:
            return SAMPLES["uuid"]
        if re.fullmatch(r"[\w|]+", body):
            return body.split("|")[0]
        return "1" if body.startswith(r"\d") else "sample"

    path = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, regex)
    path = path.lstrip("^").rstrip("$").replace(r"\Z", "").replace("/?", "/").replace("\\", "")
    return re.sub(r"\(\?:[^)]*\)\??", "", path)


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)
    return _sample_regex(pattern.regex.pattern)


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        path = prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            child_ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, path, child_ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, "/" + path


ALL_URLS = sorted(set(walk(get_resolver().url_patterns)), key=lambda pair: pair[1])


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location.startswith(reverse("account_login")) or location.startswith(
            reverse("admin:login")
        )
    return False


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [p for p in ALL_URLS if p[0] not in PUBLIC_URL_NAMES])
def test_anonymous_visitors_are_refused_everywhere_but_public_pages(name, path):
    response = Client().get(path)
    if response.status_code == 405:  # an action that only accepts POST
        response = Client().post(path)
    assert _refused(response), f"{name} {path} answered {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["home", "account_login", "account_signup", "api-schema", "api-docs", "account_reset_password"],
)
def test_public_pages_answer_anonymous_visitors(name):
    assert Client().get(reverse(name)).status_code == 200


def test_the_url_walk_reaches_the_portals_own_urls():
    names = {name for name, _path in ALL_URLS}
    assert {
        "organizations:account_settings",
        "organizations:api_tokens",
        "api-me",
        "admin:index",
        "mfa_index",
        "usersessions_list",
    } <= names
    assert len(ALL_URLS) > 60


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("home"))
    policy = dict(
        [*part.split(" ", 1), ""][:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def test_no_template_has_inline_script_or_style():
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            text = template.read_text()
            inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", text)
            assert not inline_scripts, template
            if "email" in template.relative_to(folder).parts:
                # An email's HTML part is read by mail programs, not under the site's CSP, and
                # many of them keep only inline styles. It never has a script.
                continue
            assert "<style" not in text and " style=" not in text, template
            assert not re.search(r"\son[a-z]+=", text), template


def _database_url() -> str | None:
    """The test database, for subprocesses: model checks ask the server for its features."""
    from django.db import connection

    if not os.environ.get("DATABASE_URL"):
        return None  # the subprocess uses the embedded server and its own database
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


def _production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "GSX_EMBEDDED_SERVICES"
    }
    if url := _database_url():
        env["DATABASE_URL"] = url
    else:
        # Model checks need the suite's embedded server, which must then be chosen explicitly.
        env["GSX_EMBEDDED_SERVICES"] = "1"
    env.update(
        DEBUG="0",
        SECRET_KEY="x7#kq!2m$P9vL@4nR8^tW1zY6&bC3dF5gH0jK-lM_nO+pQ=rS~uV",
        ALLOWED_HOSTS="gsx.example.org",
        SITE_URL="https://gsx.example.org",
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        # Production defaults, not the suite's relaxation of the HTTPS redirect.
        SECURE_SSL_REDIRECT="1",
    )
    env.update(extra)
    return env


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _strict_production_env():
    """Production as deployed: no embedded servers; the refusal happens before any connection."""
    env = _production_env()
    env.pop("GSX_EMBEDDED_SERVICES", None)
    env.setdefault("DATABASE_URL", "postgres://gsx@127.0.0.1:9/gsx")
    return env


@pytest.mark.django_db
def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(variable):
    env = _production_env()
    del env[variable]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{variable} must be set when DEBUG is off." in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL", "SITE_URL"])
def test_production_refuses_to_guess_its_servers(variable):
    env = _strict_production_env()
    del env[variable]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert (
        f"{variable} must be set when DEBUG is off "
        "(or set GSX_EMBEDDED_SERVICES=1 to run on the embedded servers deliberately)."
    ) in result.stderr


@pytest.mark.django_db
def test_production_names_every_missing_server_at_once():
    env = _strict_production_env()
    for variable in ("REDIS_URL", "SITE_URL"):
        del env[variable]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "REDIS_URL, SITE_URL must be set when DEBUG is off" in result.stderr


@pytest.mark.django_db
def test_the_embedded_servers_are_an_explicit_choice():
    env = _production_env(GSX_EMBEDDED_SERVICES="1")
    for variable in ("REDIS_URL", "SITE_URL"):
        del env[variable]
    script = "from django.conf import settings; print(settings.SITE_URL)"
    result = _manage("shell", "--verbosity", "0", "--command", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://gsx.example.org"
    refused = _manage("check", env=_production_env(GSX_EMBEDDED_SERVICES="perhaps"))
    assert refused.returncode != 0
    assert "GSX_EMBEDDED_SERVICES='perhaps' is not a boolean" in refused.stderr


@pytest.mark.django_db
def test_a_misspelt_boolean_stops_the_process():
    result = _manage("check", env=_production_env(DEBUG="maybe"))
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.django_db
def test_the_api_schema_validates_without_warnings(tmp_path):
    result = _manage(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
        env=_production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/me/" in schema and "bearerAuth" in schema
