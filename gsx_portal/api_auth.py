"""The API's plumbing shared by every app: personal-token authentication and the throttles."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling
from rest_framework.permissions import SAFE_METHODS

from gsx_portal.cache import take
from organizations.models import ApiToken
from organizations.rules import mfa_enrolment_pending
from organizations.selectors import api_token_for_secret
from organizations.services import api_token_record_use


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer gsx_…`` with a personal API token.

    Read-only tokens are refused for writes here, and privileged users without a second factor
    are refused altogether, so no view can forget either rule.
    """

    keyword = "Bearer"

    def authenticate(self, request, *, record_use=True):
        # record_use=False: the shared answers answered before the stack (api_conditional)
        # authenticate a token whose use is already recorded, and write nothing.
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = api_token_for_secret(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if mfa_enrolment_pending(token.user):
            raise exceptions.PermissionDenied(_("Enable two-factor authentication first."))
        if request.method not in SAFE_METHODS and not token.can_write:
            raise exceptions.PermissionDenied(_("This token may only read."))
        if record_use:
            api_token_record_use(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


def take_from_bucket(cache, key: str, *, interval: float, period: float, now: float):
    """One request from the rate bucket under ``key``: None if it may pass, else the seconds to
    wait (gsx_portal.cache: atomic in Redis)."""
    taker = getattr(cache, "take_from_bucket", None)
    if taker is not None:
        return taker(key, interval=interval, period=period, now=now)
    return take(cache, key, interval=interval, period=period, now=now)


class BucketThrottle:
    """A rate of ``num_requests`` per ``duration`` as a bucket of that many requests, refilled
    evenly (the generic cell rate algorithm): a client may use its whole budget at once, then
    one request every ``duration / num_requests``.

    The cache keeps one number per client, taken from atomically in Redis, where DRF's own
    throttle reads and rewrites the list of every request in the window (600 entries for a
    client at 600/min, on each request), and two requests at once may both pass its last
    place. A request the shared answers before the stack already counted
    (``gsx_portal.api_conditional``: ``counted_throttles``, key → wait) is not counted again.
    """

    wait_seconds = None

    def bucket(self) -> tuple[float, float]:
        """(interval, period) of this throttle's bucket."""
        return self.duration / self.num_requests, float(self.duration)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        counted = getattr(request, "counted_throttles", None) or {}
        if self.key in counted:
            self.wait_seconds = counted[self.key]
        else:
            interval, period = self.bucket()
            self.wait_seconds = take_from_bucket(
                self.cache, self.key, interval=interval, period=period, now=self.timer()
            )
        return self.wait_seconds is None

    def wait(self):
        return self.wait_seconds


class ClientRateThrottle(BucketThrottle, throttling.SimpleRateThrottle):
    """One request budget per API token, and one per signed-in user on the site's session."""

    scope = "client"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(BucketThrottle, throttling.AnonRateThrottle):
    """Anonymous clients share one budget per IP address."""

    scope = "anonymous"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, created on the account page or with "
            "`manage.py api_token create EMAIL`.",
        }
