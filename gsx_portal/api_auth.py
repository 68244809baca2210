"""The API's plumbing shared by every app: personal-token authentication and the throttles."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling
from rest_framework.permissions import SAFE_METHODS

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

    def authenticate(self, request):
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
        api_token_record_use(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ClientRateThrottle(throttling.SimpleRateThrottle):
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


class AnonymousRateThrottle(throttling.AnonRateThrottle):
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
