import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from organizations.models import (
    ApiToken,
    User,
)
from organizations.selectors import api_token_hash

# Recording every request's use would write on every API call; once a minute is plenty to show.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def user_update_preferences(*, user: User, name: str, language: str, timezone: str) -> User:
    user.name = name.strip()
    user.language = language
    user.timezone = timezone
    user.full_clean()
    user.save(update_fields=["name", "language", "timezone"])
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, can_write: bool = False) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is not stored and cannot be shown again."""
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        hint=raw[: len(ApiToken.PREFIX) + 6],
        key_hash=api_token_hash(raw),
        can_write=can_write,
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user`` and return how many were revoked.

    Called when the password changes or is reset: whoever held the old password may have created
    tokens, and a token outlives the sessions that a new password ends.
    """
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_token_use_recorded(token: ApiToken) -> bool:
    """Whether the token's last use is recorded to ``TOKEN_USE_RESOLUTION``: a use now would
    write nothing."""
    last = token.last_used_at
    return last is not None and timezone.now() - last <= TOKEN_USE_RESOLUTION


def api_token_record_use(*, token: ApiToken) -> None:
    if not api_token_use_recorded(token):
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
