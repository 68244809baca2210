import time
import zoneinfo

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, JsonResponse, QueryDict
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from gsx_portal import api_conditional, page_cache
from gsx_portal.api_conditional import VARY as API_VARY
from organizations.rules import is_privileged, memoised_for_this_request, mfa_enrolment_pending

# Pages a privileged user without a second factor may still open: enrolment itself (which may
# ask them to confirm their password or email first), signing out and the language switcher.
MFA_ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_generate_recovery_codes",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
        "account_email",
        "account_confirm_email",
        "account_email_verification_sent",
        "set_language",
        "healthz",
    }
)


class CachedPageMiddleware:
    """First in the stack: answers a hit of the anonymous page cache, or a shared API answer, at
    once, as the whole stack would have (``gsx_portal.page_cache.edge_response``,
    ``gsx_portal.api_conditional.edge_response``); records on the way out the headers the stack
    adds to a stored page or answer, for the next hit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = page_cache.edge_response(request) or api_conditional.edge_response(request)
        if response is not None:
            return response
        response = self.get_response(request)
        page_cache.remember_edge_headers(request, response)
        api_conditional.remember_edge_headers(request, response)
        return response


class NulBytesMiddleware:
    """NUL never means anything in a URL, and PostgreSQL refuses it in text (a 500 wherever a
    value reaches a query). A path with NUL names nothing: 404. In the query string NUL is dropped
    from names and values, so that filters and search answer as if it had not been typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.path_info:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


# What is worth compressing: text, JSON, JavaScript, XML, YAML and SVG. PDFs, images and
# office documents are compressed already, and a file download keeps its length.
COMPRESSIBLE_SUBTYPES = frozenset({"json", "javascript", "xml", "yaml", "vnd.oai.openapi"})


def is_compressible(content_type: str) -> bool:
    kind, _, subtype = content_type.split(";", 1)[0].strip().lower().partition("/")
    return kind == "text" or subtype in COMPRESSIBLE_SUBTYPES or subtype.endswith(("+json", "+xml"))


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip compression, for textual answers to requests that carry no session cookie.
    Pages served by the page cache come compressed already (``gsx_portal.page_cache``) and are
    left as they are.

    Not for a session (BREACH): a signed-in page shows what only its reader may see (restricted
    organizations, contacts) beside what the request typed (the search box, pagination links),
    and the browser sends the session cookie with requests another site makes it send; an
    eavesdropper who sees the compressed lengths can then guess the hidden names letter by
    letter. Django's random padding of the gzip header does not hide a difference of a few
    bytes over many samples. An API token is not sent by the browser on its own, so token
    answers are compressed; anonymous answers hold nothing secret."""

    def process_response(self, request, response):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return response
        if not is_compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)


class RoleMemoMiddleware:
    """Lets each request ask its user's roles once (``organizations.rules.roles_now``): the
    middleware, the navigation and the views ask the same questions. Nothing is kept beyond
    the request, so every request sees the roles as they are now."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with memoised_for_this_request():
            return self.get_response(request)


class UserPreferencesMiddleware:
    """Shows pages in the signed-in user's language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.language in dict(settings.LANGUAGES):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class MandatoryMFAMiddleware:
    """Privileged users must enrol a second factor before anything else (DESIGN.md §4).

    Pages redirect to the enrolment page; API requests answer 403. Token-authenticated API
    requests are checked by ``BearerTokenAuthentication``, through the same predicate.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and mfa_enrolment_pending(request.user):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Enable two-factor authentication first.")}, status=403
                )
            try:
                url_name = resolve(request.path_info).url_name
            except Resolver404:
                url_name = None
            if url_name not in MFA_ENROLMENT_URL_NAMES:
                messages.warning(
                    request,
                    _(
                        "Your role (the secretariat, a convener, staff, or a member of a "
                        "government, security-sector or multilateral organization) requires "
                        "two-factor authentication. Set it up to continue."
                    ),
                )
                return redirect("mfa_index")
        return self.get_response(request)


class PrivateCacheControlMiddleware:
    """What a signed-in person sees is theirs: no browser, proxy or shared cache keeps it.

    Applies to pages of a signed-in session and to API responses to a token or a session
    (DRF sets ``request.user`` on the underlying request once it authenticated one). Anonymous
    responses keep whatever caching their view chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # Also whatever answered a request that carried credentials, even if it was refused
        # before anyone was signed in (an error, a refused token, a NUL byte in the path).
        carries_credentials = "HTTP_AUTHORIZATION" in request.META or (
            settings.SESSION_COOKIE_NAME in request.COOKIES
        )
        if (user is not None and user.is_authenticated) or carries_credentials:
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        elif request.path.startswith("/api/") and "Cache-Control" not in response:
            # An anonymous API answer that chose nothing: a shared cache must ask every time,
            # and keep answers apart by what changes them (as the conditional views do).
            response["Cache-Control"] = "no-cache"
            patch_vary_headers(response, API_VARY)
        return response


# Session keys: when this session was first seen signed in, and when it was last active (to the
# minute, so that an active session is not written on every request).
STARTED_AT = "gsx_session_started_at"
LAST_SEEN_AT = "gsx_session_last_seen_at"
# Seconds: activity is recorded (the session's LAST_SEEN_AT and the sessions list's "last seen",
# IP address and browser) at most this often, so a page view in between writes nothing.
ACTIVITY_RESOLUTION = 60


def session_limits(user) -> tuple[int, int]:
    """(idle, absolute) lifetime in seconds; privileged people get the shorter ones."""
    if is_privileged(user):
        return (
            settings.PRIVILEGED_SESSION_IDLE_TIMEOUT_MINUTES * 60,
            settings.PRIVILEGED_SESSION_MAX_AGE_HOURS * 3600,
        )
    return settings.SESSION_IDLE_TIMEOUT_MINUTES * 60, settings.SESSION_MAX_AGE_HOURS * 3600


class SessionTimeoutMiddleware:
    """Signs out a session that was idle too long or is older than its absolute lifetime, and
    records its activity for the sessions list (allauth's ``UserSession``).

    The person is then treated as anonymous: pages that need a login send them to sign in again
    (with a message saying why), the API answers as to anyone unauthenticated. Whether the user
    is privileged is only asked once the session is older than the shorter, privileged limits,
    so an active session costs no query.

    Activity is recorded once per ``ACTIVITY_RESOLUTION`` rather than on every request (as
    allauth's own ``UserSessionsMiddleware`` would, with a write per page view): the session's
    last-seen time and the ``UserSession`` row (last seen, IP address, browser) are written
    together, so the sessions list shows the last activity to the minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        started = session.get(STARTED_AT)
        last_seen = session.get(LAST_SEEN_AT)
        if started is not None:
            idle = now - (last_seen or started)
            age = now - started
            strictest = (
                settings.PRIVILEGED_SESSION_IDLE_TIMEOUT_MINUTES * 60,
                settings.PRIVILEGED_SESSION_MAX_AGE_HOURS * 3600,
            )
            if idle > strictest[0] or age > strictest[1]:
                idle_limit, age_limit = session_limits(request.user)
                if idle > idle_limit or age > age_limit:
                    logout(request)
                    messages.info(request, _("Your session has expired. Please sign in again."))
                    return
        else:
            session[STARTED_AT] = now
        if last_seen is None or now - last_seen >= ACTIVITY_RESOLUTION:
            session[LAST_SEEN_AT] = now
            if session.session_key:
                UserSession.objects.create_from_request(request)
