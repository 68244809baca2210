"""Picks what `make bench` measures in the bench database and prints it as JSON.

Run by bench/run.py with the server's environment (DATABASE_URL is the bench database): a
signed-in session for a CSO member (the Django test client's force_login, saved in the bench
database's session table), an API token made with `manage.py api_token create`, a public
organization for the detail pages and the filtered list, a meeting anonymous visitors may see
(the latest public event that has begun) and this year for the timeline, a published
recommendation (its detail page) and one of its themes (the list with two facets), the words
the recommendations are searched for, and which of the measured routes the portal does not
have in this commit (pages being built elsewhere).
"""

import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gsx_portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.words import SEARCHED  # noqa: E402
from dialogues.models import Meeting  # noqa: E402
from dialogues.selectors import meetings_visible_to  # noqa: E402
from organizations.models import Membership, Organization, User, VisibilityTier  # noqa: E402
from organizations.selectors import api_tokens_of  # noqa: E402
from organizations.services import api_token_revoke  # noqa: E402
from recommendations.models import AddresseeType, Recommendation  # noqa: E402
from recommendations.selectors import recommendations_visible_to  # noqa: E402

TOKEN_NAME = "make bench"  # noqa: S105 (the token's label, not a secret)
# Measured pages whose routes other work adds: bench/run.py names them as not measured while
# they are missing instead of stopping.
ROUTES_IN_PROGRESS = (
    "/meetings/",
    "/api/v1/meetings/",
    "/recommendations/",
    "/recommendations/dashboard/",
    "/api/v1/recommendations/",
)


def pick_user() -> User:
    email = os.environ.get("BENCH_USER_EMAIL")
    users = User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
    if email:
        return users.get(email__iexact=email)
    # A member of an organization, as most signed-in visitors are; not the secretariat.
    membership = (
        Membership.objects.filter(user__in=users)
        .exclude(user__groups__name="secretariat")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise SystemExit("The bench database has no member of an organization to sign in as.")
    return membership.user


def missing_routes(paths=ROUTES_IN_PROGRESS) -> list[str]:
    missing = []
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            missing.append(path)
    return missing


def pick_meeting() -> Meeting:
    """The latest public event that has begun (its agenda published, often held): the meeting
    page as anonymous visitors and members both may see it."""
    meeting = (
        meetings_visible_to(AnonymousUser())
        .filter(starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .first()
    )
    if meeting is None:
        raise SystemExit("The bench database has no public meeting: run make bench-data again.")
    return meeting


def pick_recommendation() -> tuple[Recommendation, str]:
    """A recommendation anonymous visitors see, addressed to governments, and one of its
    themes: the detail page, and a list filtered by two facets that has results."""
    recommendation = (
        recommendations_visible_to(AnonymousUser())
        .filter(
            addressee_types__contains=[AddresseeType.GOVERNMENTS],
            themes__isnull=False,
            parent__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if recommendation is None:
        raise SystemExit(
            "The bench database has no published recommendation: run make bench-data again."
        )
    return recommendation, recommendation.themes.order_by("pk").first().slug


def main() -> None:
    user = pick_user()
    client = Client()
    client.force_login(user)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    # One token per run: earlier runs' tokens are revoked so they do not pile up.
    for token in api_tokens_of(user):
        if token.is_active and token.name == TOKEN_NAME:
            api_token_revoke(token=token)
    out = io.StringIO()
    call_command("api_token", "create", user.email, "--name", TOKEN_NAME, stdout=out)
    secret = out.getvalue().strip()

    organization = (
        Organization.objects.filter(visibility_tier=VisibilityTier.PUBLIC).order_by("pk").first()
    )
    if organization is None:
        raise SystemExit("The bench database has no public organization.")
    recommendation, theme = pick_recommendation()
    detail = f"/recommendations/{recommendation.public_id}/"
    print(
        json.dumps(
            {
                "user": user.email,
                "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}",
                "token": secret,
                "slug": organization.slug,
                "public_id": str(organization.public_id),
                "sector": organization.sector,
                "country": str(organization.headquarters_country),
                "organizations": Organization.objects.count(),
                "meeting": str(pick_meeting().public_id),
                "year": timezone.localdate().year,
                "meetings": Meeting.objects.count(),
                "recommendation": str(recommendation.public_id),
                "theme": theme,
                "recommendation_words": SEARCHED,
                "recommendations": Recommendation.objects.count(),
                "missing": missing_routes((*ROUTES_IN_PROGRESS, detail)),
            }
        )
    )


if __name__ == "__main__":
    main()
