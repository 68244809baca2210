import zoneinfo

from django.conf import settings
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organizations.rules import mfa_enrolment_pending

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
                return redirect("mfa_index")
        return self.get_response(request)
