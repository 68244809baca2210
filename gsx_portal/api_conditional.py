"""Conditional GET for API reads (DESIGN.md §5): ``ETag`` and ``Last-Modified`` worked out
before the body is rendered, and ``304 Not Modified`` when the client already has the body.

The validators describe one *representation*: the bytes one caller gets for one URL. So they are
made of two parts:

- the **variant**: everything outside the data that shapes the body — who asks (the user, or
  anonymous), the absolute URL with its query string (filters, page, the links in the page),
  the negotiated media type, the language and time zone the response is rendered in, and the
  view's representation version;
- the **data**: what the view's query fetched for the body, given by the view per object (the
  stored values the body shows, and those derived from the clock or the caller such as "vetted
  until" or the raw vetting status), plus the page's envelope (count, next, previous).

The ETag is a keyed hash (HMAC with the ``SECRET_KEY``) of both parts. Because the user is part
of it, two callers never share an ETag unless both are anonymous and get the same body: a 304
can only confirm to a caller a body this caller would get now.

``Last-Modified`` has no column to come from: a list changes when a row leaves it, when the
clock passes an approval's end, when the caller joins the secretariat. So it is the time this
portal first served the current ETag for the variant, recorded in the cache (a *ledger*, one
small entry per variant). It is sent only once that time is a second older than the moment the
request started reading, so that any later change — recorded later, by whichever process sees
it first — carries a later second, and a client holding this body can never be told that a
newer one is "not modified". Without a shared cache (Redis unreachable: the per-process fallback
of ``gsx_portal.cache``) there is no ``Last-Modified`` and ``If-Modified-Since`` is not answered
with 304; the ETag still works. Losing a ledger entry only costs a client one full answer.

Shared answers: a JSON answer is a function of the data and of the variant without the user,
once the rows are those of the caller's *reader key* (the view's ``reader_key``: what of the
caller decides the rows, such as the organizations they see and whose vetting they follow). An
answer is kept in the cache, like an anonymous page of ``gsx_portal.page_cache``, under that
key, the release, the version, the absolute URL, the media type, language and time zone, and is
given to any caller with the same reader key while the generation is unchanged (and the next
approval has not lapsed, and at most PAGE_CACHE_SECONDS). The stored entry keeps the data
string the body was made from, so a caller served from it gets the validators a full answer
would carry for them: their own ETag, their own ledger. Only views that list the tables their
rows come from in ``page_cache.TRACKED_TABLES`` may share, and only URLs in the form the view
calls canonical (``shareable_query``: the query string exactly), asked for plain JSON on a host
the settings name, so keys stay bounded.
"""

import functools
import gzip
import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from gsx_portal import page_cache
from gsx_portal.api_auth import BucketThrottle
from gsx_portal.cache import take
from organizations.rules import memoised_for_this_request

logger = logging.getLogger(__name__)

# How long the ledger remembers when a variant's current ETag was first served. A client that
# asks less often than this with If-Modified-Since alone gets one full answer instead of a 304.
# Kept short because the variants include every URL asked for (each query string, each search).
LEDGER_SECONDS = 3600

# Whatever the body depends on besides the data varies the response: content negotiation, the
# language, the credentials (a token, or the session cookie, beside the site's language cookie).
VARY = ("Accept", "Accept-Language", "Authorization", "Cookie")

PLAIN_JSON = "application/json"
_MESSAGES_COOKIE = CookieStorage.cookie_name


# A ledger entry not read yet (None is an entry the cache does not have).
_UNREAD = object()


@dataclass(frozen=True)
class Validators:
    etag: str  # quoted, strong: the same validators always come with the same bytes
    last_modified: int | None  # seconds since the epoch; None when it cannot be vouched for


def variant_of(*, representation, version, user, url, media_type, language, zone) -> str:
    """What, besides the data, makes the body: see the module docstring. ``user`` is the
    caller's, or the reader key for an answer shared between callers."""
    if not isinstance(user, str):
        user = f"user:{user.pk}" if user.is_authenticated else "anonymous"
    return "\n".join(
        [representation, str(version), user, url, media_type or "", language or "", zone]
    )


def request_variant(request, representation: str) -> str:
    """The variant of the body ``request`` gets."""
    return variant_of(
        representation=representation,
        version=getattr(request, "version", None),
        user=request.user,
        url=request.build_absolute_uri(),
        media_type=request.accepted_media_type,
        language=translation.get_language(),
        zone=timezone.get_current_timezone_name(),
    )


def validators_for(request, *, representation: str, data: str, started: float) -> Validators:
    """The validators of the body the caller would get; ``data`` is the view's account of what
    it fetched (see the module docstring), ``started`` the time before its first query."""
    return _validators(request_variant(request, representation), data, started)


def _validators(variant: str, data: str, started: float, *, ledger=_UNREAD) -> Validators:
    """``ledger``: the variant's ledger entry, when it was read with something else."""
    digest = salted_hmac(
        "gsx_portal.api_conditional.etag", f"{variant}\n\n{data}", algorithm="sha256"
    )
    etag = f'"{digest.hexdigest()[:40]}"'
    return Validators(etag=etag, last_modified=_last_modified(variant, etag, started, ledger))


def _ledger_key(variant: str) -> str:
    return "api-etag-since:" + hashlib.sha256(variant.encode()).hexdigest()


def _last_modified(variant: str, etag: str, started: float, entry=_UNREAD) -> int | None:
    """When this variant's current ETag was first served, to the second above, if that second
    is at least one before ``started``: any change after the data was read is then recorded
    with a later second, even by another server whose clock is up to a second apart."""
    key = _ledger_key(variant)
    if entry is _UNREAD:
        entry = cache.get(key)
    if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == etag):
        cache.set(key, (etag, time.time()), LEDGER_SECONDS)
        return None
    if _cache_is_per_process():
        return None
    second = math.ceil(entry[1])
    return second if second <= started - 1 else None


def _cache_is_per_process() -> bool:
    # gsx_portal.cache.FailoverRedisCache answers from process memory while Redis is down: a
    # ledger there would differ between processes, and one process could vouch for a body
    # another has already seen change.
    redis_is_down = getattr(cache, "redis_is_down", None)
    return bool(redis_is_down and redis_is_down())


def not_modified_or_failed(request, validators: Validators):
    """The 304 (or 412) this request's preconditions call for, or None to answer in full.

    RFC 9110 §13.2.2 for GET and HEAD: If-Match (strong comparison), else If-Unmodified-Since;
    then If-None-Match (weak comparison, ``*`` matching any current body), else
    If-Modified-Since. A date condition is ignored when there is no Last-Modified to compare.
    """
    if request.method not in ("GET", "HEAD"):
        return None
    meta = request.META
    if_match = parse_etags(meta.get("HTTP_IF_MATCH", ""))
    if if_match:
        if not ("*" in if_match or validators.etag in if_match):
            return _with_validators(_precondition_failed(), validators)
    elif validators.last_modified is not None:
        since = parse_http_date_safe(meta.get("HTTP_IF_UNMODIFIED_SINCE", ""))
        if since is not None and validators.last_modified > since:
            return _with_validators(_precondition_failed(), validators)
    if_none_match = parse_etags(meta.get("HTTP_IF_NONE_MATCH", ""))
    if if_none_match:
        mine = validators.etag.removeprefix("W/")
        if "*" in if_none_match or mine in (tag.removeprefix("W/") for tag in if_none_match):
            return _with_validators(HttpResponseNotModified(), validators)
        return None
    if validators.last_modified is not None:
        since = parse_http_date_safe(meta.get("HTTP_IF_MODIFIED_SINCE", ""))
        if since is not None and validators.last_modified <= since:
            return _with_validators(HttpResponseNotModified(), validators)
    return None


def _precondition_failed():
    return Response(
        {"detail": _("It has changed since the version your request names.")}, status=412
    )


def _with_validators(response, validators: Validators):
    response["ETag"] = validators.etag
    if validators.last_modified is not None:
        response["Last-Modified"] = http_date(validators.last_modified)
    # Given a Last-Modified and nothing else, a cache may serve the body without asking for a
    # while (heuristic freshness), and a profile turned restricted would stay visible there:
    # caches must ask every time (the 304 makes it cheap). Credentialed responses are made
    # no-store afterwards by PrivateCacheControlMiddleware.
    if "Cache-Control" not in response:
        response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, VARY)
    return response


def conditional(request, validators: Validators, render):
    """The 304/412 the request's conditions call for, else ``render()``'s response; either way
    with the validators and ``Vary``."""
    refusal = not_modified_or_failed(request, validators)
    if refusal is not None:
        return refusal
    return _with_validators(render(), validators)


def _canonical_host(host: str) -> bool:
    site = urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else ""
    return host == site or host in settings.ALLOWED_HOSTS


def shared_key(variant: str) -> str:
    """Where the answer shared by callers of one variant (with the reader key for the user) is
    kept."""
    digest = hashlib.sha256(variant.encode()).hexdigest()
    return f"answer{page_cache.FORMAT}:{page_cache.release()}:{digest}"


def _stored_and_ledger(key: str, variant: str):
    """The stored answer under ``key`` and the ledger entry of the caller's ``variant``, in one
    round trip; an unreachable cache has neither."""
    ledger_key = _ledger_key(variant)
    try:
        found = cache.get_many([key, ledger_key])
    except Exception:
        return None, _UNREAD
    return found.get(key), found.get(ledger_key)


def _generation(auth) -> int | None:
    """The page cache's generation: as read with the API token if there is one (in the same
    query, ``organizations.selectors.api_token_for_secret``), else now."""
    read = getattr(auth, "page_cache_generation", _UNREAD)
    return page_cache.current_generation() if read is _UNREAD else read


def _current(stored, generation: int) -> bool:
    return (
        isinstance(stored, StoredAnswer)
        and stored.generation == generation
        and time.time() < stored.until
    )


class StoredAnswer(page_cache._Stored):
    """A JSON answer as sent, with the data string its validators are made from, and the body
    compressed once (None when compression would not be used: short or not smaller)."""

    __slots__ = ("body", "content_type", "data", "generation", "gzipped", "until")

    def __init__(self, *, body, content_type, data, generation, until):
        self.body = body
        self.content_type = content_type
        self.data = data
        self.generation = generation
        self.until = until
        gzipped = None
        if len(body) >= page_cache.MIN_COMPRESSED:
            gzipped = gzip.compress(body, mtime=0)
            if len(gzipped) >= len(body):
                gzipped = None
        self.gzipped = gzipped

    def response(self, request) -> HttpResponse:
        """The answer, compressed as the stack's compression would (whose ETag is weakened
        then, once the validators are set: ``_weakened_if_encoded``)."""
        response = HttpResponse(content_type=self.content_type)
        if self.gzipped is not None:
            patch_vary_headers(response, ("Accept-Encoding",))
            if page_cache.accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
                response.content = self.gzipped
                response.headers["Content-Encoding"] = "gzip"
                return response
        response.content = self.body
        return response


def _weakened_if_encoded(response):
    # RFC 9110 §8.8.1: the compressed bytes are another representation (as Django's GZipMiddleware).
    etag = response.get("ETag")
    if response.get("Content-Encoding") and etag and etag.startswith('"'):
        response.headers["ETag"] = "W/" + etag
    return response


class ConditionalReadMixin:
    """``list`` and ``retrieve`` of a DRF viewset with validators and 304s, for JSON bodies.

    The viewset names its ``representation`` (bump it when the body changes for the same data,
    e.g. a field is added or formatted differently) and gives ``object_validator(obj)``: the
    values of one fetched object the body depends on, read from what the query already
    fetched (no rendering, no further query). The browsable API (HTML, with a CSRF token per
    response) gets no validators.

    A viewset whose rows depend on the caller only through a key may also give
    ``reader_key(request)`` and ``shareable_query(request)`` (None: not shared) to share its
    answers between callers with the same key (see the module docstring).
    """

    representation: str
    # The actions answered with validators (and shared answers); a viewset may keep its detail
    # as DRF answers it, when the detail shows the caller's own data (as a meeting's does).
    conditional_actions = ("list", "retrieve")

    def object_validator(self, obj) -> str:
        raise NotImplementedError

    def reader_key(self, request) -> str | None:
        return None

    def shareable_query(self, request) -> str | None:
        return None

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json" or "list" not in self.conditional_actions:
            return super().list(request, *args, **kwargs)

        def fetch():
            queryset = self.filter_queryset(self.get_queryset())
            page = self.paginate_queryset(queryset)
            if page is None:
                objects, envelope = list(queryset), ""

                def render():
                    return Response(self.get_serializer(objects, many=True).data)
            else:
                # The envelope (count, next, previous and whatever the pagination class adds),
                # from the paginator the body will come from.
                objects, envelope = page, repr(sorted(self.get_paginated_response([]).data.items()))

                def render():
                    return self.get_paginated_response(self.get_serializer(objects, many=True).data)

            data = "\n".join([envelope, *(self.object_validator(obj) for obj in objects)])
            return data, render

        return self._answer(request, fetch)

    def retrieve(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json" or "retrieve" not in self.conditional_actions:
            return super().retrieve(request, *args, **kwargs)

        def fetch():
            instance = self.get_object()
            return self.object_validator(instance), lambda: Response(
                self.get_serializer(instance).data
            )

        return self._answer(request, fetch)

    def _answer(self, request, fetch):
        """``fetch()`` gives the data string and a function rendering the body from it."""
        started = time.time()
        key = self._shared_key(request)
        generation = _generation(request.auth) if key else None
        if generation is not None:
            variant = request_variant(request, self.representation)
            stored, ledger = _stored_and_ledger(key, variant)
            if _current(stored, generation):
                validators = _validators(variant, stored.data, started, ledger=ledger)
                response = conditional(
                    request,
                    validators,
                    lambda: HttpResponse(stored.body, content_type=stored.content_type),
                )
                return self._for_the_edge(request, response)
        data, render = fetch()
        validators = validators_for(
            request, representation=self.representation, data=data, started=started
        )
        if generation is None:
            return conditional(request, validators, render)
        refusal = not_modified_or_failed(request, validators)
        if refusal is not None:
            return refusal
        response = self._stored(request, key, render(), data=data, generation=generation)
        return self._for_the_edge(request, _with_validators(response, validators))

    def _for_the_edge(self, request, response):
        """Marks a shared answer, so that the headers the rest of the stack adds to it are
        recorded for ``edge_response`` (``remember_edge_headers``)."""
        if response.status_code == 200:
            response.api_edge_key = _edge_key(
                type(self), self.action, translation.get_language(), request._request
            )
        return response

    def _shared_key(self, request) -> str | None:
        if not settings.PAGE_CACHE_SECONDS or request.method != "GET" or connection.in_atomic_block:
            return None
        reader, query = self.reader_key(request), self.shareable_query(request)
        if reader is None or query is None:
            return None
        # One key per answer, and a bounded number of them: the query string exactly in its
        # canonical form, the media type without parameters (no ?indent=), a host the settings
        # name exactly (not any port of it). Anything else is answered in full, never stored.
        renderer = request.accepted_renderer
        if (
            request.META.get("QUERY_STRING", "") != query
            or request.accepted_media_type != renderer.media_type
            or not _canonical_host(request.get_host())
        ):
            return None
        return shared_key(
            variant_of(
                representation=self.representation,
                version=getattr(request, "version", None),
                user=reader,
                url=request.build_absolute_uri(),
                media_type=request.accepted_media_type,
                language=translation.get_language(),
                zone=timezone.get_current_timezone_name(),
            )
        )

    def _stored(self, request, key: str, response, *, data: str, generation: int):
        """``response`` rendered now, stored under ``key``, and sent as stored."""
        renderer = request.accepted_renderer
        body = renderer.render(
            response.data, request.accepted_media_type, self.get_renderer_context()
        )
        content_type = renderer.media_type
        if renderer.charset:
            content_type += f"; charset={renderer.charset}"
        until = time.time() + settings.PAGE_CACHE_SECONDS
        lapse = page_cache.next_lapse()
        if lapse is not None:
            until = min(until, lapse)
        timeout = int(until - time.time())
        answer = StoredAnswer(
            body=body, content_type=content_type, data=data, generation=generation, until=until
        )
        try:
            if timeout >= 1 and page_cache.within_budget(len(body) + len(data)):
                cache.set(key, answer, timeout)
        except Exception:
            logger.warning("api answers: could not store %s", request.path, exc_info=True)
        return HttpResponse(body, content_type=content_type)


# --- Shared answers before the middleware stack ---------------------------------------------
# A shared answer costs little to find and most of its time goes through the middleware stack
# and DRF's dispatch around it. So a request that a stored answer can answer exactly is
# answered first in the stack (gsx_portal.middleware.CachedPageMiddleware), by the same steps
# DRF takes and with the same functions: the view's authentication of the token (without
# recording its use: a token whose use is due to be recorded goes through the stack, which
# records it), its permissions and throttles, the same shared key, validators and 304s; then
# the headers the rest of the stack gave the last full answer of that view (recorded per view,
# language, kind of caller, scheme and host, as the page cache records pages' headers), and
# the stack's compression. Anything it cannot answer exactly so (no headers recorded yet, a
# session cookie, an Accept other than plain JSON, If-Match, a token refused or throttled, no
# stored answer) goes through the stack as before, which answers it in full.

# The Accept headers DRF negotiates to plain JSON for these views (JSON is their first renderer).
PLAIN_JSON_ACCEPT = frozenset({"*/*", "application/json"})
EDGE_SKIPPED_HEADERS = frozenset(
    {"content-length", "content-encoding", "date", "set-cookie", "etag", "last-modified"}
)
_edge_headers: dict[str, tuple] = {}
_edge_lock = threading.Lock()


def _edge_key(view_class, action: str, language: str | None, request) -> str | None:
    """Which recorded headers a request's answer gets: per view and action, language (the
    Content-Language), kind of caller (a credentialed answer is ``no-store``), scheme and host
    (the stack may redirect another scheme or host). None for a request the edge never answers
    (a session or messages cookie: the stack's answer to those depends on more)."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or _MESSAGES_COOKIE in request.COOKIES:
        return None
    caller = "token" if "HTTP_AUTHORIZATION" in request.META else "anonymous"
    view = f"{view_class.__module__}.{view_class.__qualname__}"
    return f"{view}:{action}:{language}:{caller}:{request.scheme}://{request.get_host()}"


def remember_edge_headers(request, response) -> None:
    """After the stack answered a shared answer in full: record the headers it added."""
    key = getattr(response, "api_edge_key", None)
    if key is None or request.method != "GET" or response.status_code != 200:
        return
    headers = page_cache.replayable_headers(response, EDGE_SKIPPED_HEADERS)
    with _edge_lock:
        # A few entries: one per view, action, language, kind of caller and host.
        _edge_headers[key] = headers


def forget_edge_headers() -> None:
    """Forget every recorded header set (the test suite, between tests with other settings)."""
    with _edge_lock:
        _edge_headers.clear()


class _Caller:
    """What DRF's authentication, permissions, throttles and these views read of a request."""

    def __init__(self, request):
        self._request = request
        self.META = request.META
        self.method = request.method
        self.GET = self.query_params = request.GET
        self.COOKIES = request.COOKIES
        self.user = AnonymousUser()
        self.auth = None

    @property
    def headers(self):
        # Built from META when asked (by the token authentication alone).
        return self._request.headers

    def build_absolute_uri(self, location=None):
        return self._request.build_absolute_uri(location)

    def get_host(self):
        return self._request.get_host()


def edge_response(request) -> "HttpResponse | None":
    """The shared answer for ``request``, answered before the middleware stack, or None."""
    if not request.path.startswith("/api/"):
        return None
    meta = request.META
    query = meta.get("QUERY_STRING", "")
    if (
        request.method != "GET"
        or not settings.PAGE_CACHE_SECONDS
        or connection.in_atomic_block
        or meta.get("HTTP_ACCEPT", "*/*") not in PLAIN_JSON_ACCEPT
        or "HTTP_IF_MATCH" in meta
        or "HTTP_IF_UNMODIFIED_SINCE" in meta
        or "\x00" in request.path
        or "%00" in query
        or "\x00" in query
    ):
        return None
    try:
        host = request.get_host()
        match = resolve(request.path_info)
    except (DisallowedHost, Resolver404):
        return None
    view_class = getattr(match.func, "cls", None)
    action = (getattr(match.func, "actions", None) or {}).get("get")
    if not (
        isinstance(view_class, type)
        and issubclass(view_class, ConditionalReadMixin)
        and action in ("list", "retrieve")
        and action in view_class.conditional_actions
        and view_class.versioning_class is None
        and _canonical_host(host)
    ):
        return None
    language = translation.get_language_from_request(request)
    edge_key = _edge_key(view_class, action, language, request)
    headers = _edge_headers.get(edge_key) if edge_key else None
    if headers is None:
        return None
    with memoised_for_this_request():
        return _edge_answer(request, match, view_class, action, language, headers)


def _edge_answer(request, match, view_class, action, language, headers):
    started = time.time()
    caller = _Caller(request)
    view = view_class(**match.func.initkwargs)
    view.action, view.request, view.args, view.kwargs = action, caller, (), match.kwargs
    view.format_kwarg = None
    if "HTTP_AUTHORIZATION" in request.META:
        authenticated = _bearer_token(view, caller)
        if authenticated is None:
            return None
        caller.user, caller.auth = authenticated
    if not all(p.has_permission(caller, view) for p in view.get_permissions()):
        return None
    query, reader = view.shareable_query(caller), view.reader_key(caller)
    if query is None or reader is None or request.META.get("QUERY_STRING", "") != query:
        return None
    url = request.build_absolute_uri()
    zone = timezone.get_default_timezone_name()
    variant = {
        "representation": view.representation,
        "version": None,
        "url": url,
        "media_type": PLAIN_JSON,
        "language": language,
        "zone": zone,
    }
    generation = _generation(caller.auth)
    if generation is None:
        return None
    own = variant_of(user=caller.user, **variant)
    answer_key, ledger_key = shared_key(variant_of(user=reader, **variant)), _ledger_key(own)
    throttles = [(t, t.get_cache_key(caller, view)) for t in view.get_throttles() if t.rate]
    if not all(isinstance(throttle, BucketThrottle) for throttle, _ in throttles):
        return None
    # A throttle without a key for this caller (the anonymous one, for a token) lets it pass.
    buckets = [(state, *throttle.bucket()) for throttle, state in throttles if state is not None]
    # One round trip: the answer, the caller's ledger entry, and a request taken from each of
    # their throttles' buckets.
    read = _read_and_take([answer_key, ledger_key], buckets)
    if read is None:
        return None
    found, waits = read
    # Counted now: should the stack answer after all (a 429, a lapsed answer), it is not
    # counted again (BucketThrottle).
    request.counted_throttles = {
        bucket[0]: wait for bucket, wait in zip(buckets, waits, strict=True)
    }
    if any(wait is not None for wait in waits):
        return None
    stored = found.get(answer_key)
    if not _current(stored, generation):
        return None
    validators = _validators(own, stored.data, started, ledger=found.get(ledger_key))
    response = not_modified_or_failed(request, validators)
    if response is None:
        response = stored.response(request)
    _weakened_if_encoded(_with_validators(response, validators))
    for name, value in headers:
        if response.status_code == 304 and name.lower() == "content-type":
            continue
        response.headers[name] = value
    if response.status_code == 200 and len(stored.body) >= page_cache.MIN_COMPRESSED:
        # As the stack's compression does for any body it may compress, whatever the recorded
        # answer was (a short one is sent without it): caches must keep encodings apart.
        patch_vary_headers(response, ("Accept-Encoding",))
    # What the stack's compression and common middleware would add (to an answer whose stored
    # compression did not apply).
    response = _compression().process_response(request, response)
    response.headers["Content-Length"] = str(len(response.content))
    return response


def _read_and_take(keys, buckets):
    """(the values of ``keys`` found, the wait of each bucket), in one round trip to Redis when
    it is the cache; None when it cannot be asked."""
    now = time.time()
    combined = getattr(cache, "get_many_and_take", None)
    if combined is not None:
        return combined(keys, buckets, now=now)
    try:
        found = cache.get_many(keys)
    except Exception:
        return None
    waits = [
        take(cache, key, interval=interval, period=period, now=now)
        for key, interval, period in buckets
    ]
    return found, waits


def _bearer_token(view, caller):
    """(user, token) as the view's token authentication gives them, or None if it refuses or
    the token's use is due to be recorded (the stack records it)."""
    from gsx_portal.api_auth import BearerTokenAuthentication
    from organizations.services import api_token_use_recorded

    for authenticator in view.get_authenticators():
        if isinstance(authenticator, BearerTokenAuthentication):
            try:
                authenticated = authenticator.authenticate(caller, record_use=False)
            except APIException:
                return None
            if authenticated is None or not api_token_use_recorded(authenticated[1]):
                return None
            return authenticated
    return None


@functools.cache
def _compression():
    from gsx_portal.middleware import CompressionMiddleware

    return CompressionMiddleware(lambda request: None)
