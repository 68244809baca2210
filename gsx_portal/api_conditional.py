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

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _
from rest_framework.response import Response

from gsx_portal import page_cache

logger = logging.getLogger(__name__)

# How long the ledger remembers when a variant's current ETag was first served. A client that
# asks less often than this with If-Modified-Since alone gets one full answer instead of a 304.
# Kept short because the variants include every URL asked for (each query string, each search).
LEDGER_SECONDS = 3600

# Whatever the body depends on besides the data varies the response: content negotiation, the
# language, the credentials (a token, or the session cookie, beside the site's language cookie).
VARY = ("Accept", "Accept-Language", "Authorization", "Cookie")


@dataclass(frozen=True)
class Validators:
    etag: str  # quoted, strong: the same validators always come with the same bytes
    last_modified: int | None  # seconds since the epoch; None when it cannot be vouched for


def request_variant(request, representation: str) -> str:
    """What, besides the data, makes the body: see the module docstring."""
    user = request.user
    return "\n".join(
        [
            representation,
            str(getattr(request, "version", None)),
            f"user:{user.pk}" if user.is_authenticated else "anonymous",
            request.build_absolute_uri(),
            request.accepted_media_type or "",
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
        ]
    )


def validators_for(request, *, representation: str, data: str, started: float) -> Validators:
    """The validators of the body the caller would get; ``data`` is the view's account of what
    it fetched (see the module docstring), ``started`` the time before its first query."""
    variant = request_variant(request, representation)
    digest = salted_hmac(
        "gsx_portal.api_conditional.etag", f"{variant}\n\n{data}", algorithm="sha256"
    )
    etag = f'"{digest.hexdigest()[:40]}"'
    return Validators(etag=etag, last_modified=_last_modified(variant, etag, started))


def _last_modified(variant: str, etag: str, started: float) -> int | None:
    """When this variant's current ETag was first served, to the second above, if that second
    is at least one before ``started``: any change after the data was read is then recorded
    with a later second, even by another server whose clock is up to a second apart."""
    key = "api-etag-since:" + hashlib.sha256(variant.encode()).hexdigest()
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


class StoredAnswer(page_cache._Stored):
    """A JSON answer as sent, with the data string its validators are made from."""

    __slots__ = ("body", "content_type", "data", "generation", "until")

    def __init__(self, *, body, content_type, data, generation, until):
        self.body = body
        self.content_type = content_type
        self.data = data
        self.generation = generation
        self.until = until


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

    def object_validator(self, obj) -> str:
        raise NotImplementedError

    def reader_key(self, request) -> str | None:
        return None

    def shareable_query(self, request) -> str | None:
        return None

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json":
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
        if request.accepted_renderer.format != "json":
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
        generation = page_cache.current_generation() if key else None
        if generation is not None:
            try:
                stored = cache.get(key)
            except Exception:  # an unreachable cache answers in full
                stored = None
            if (
                isinstance(stored, StoredAnswer)
                and stored.generation == generation
                and time.time() < stored.until
            ):
                validators = validators_for(
                    request, representation=self.representation, data=stored.data, started=started
                )
                return conditional(
                    request,
                    validators,
                    lambda: HttpResponse(stored.body, content_type=stored.content_type),
                )
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
        return _with_validators(response, validators)

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
        variant = "\n".join(
            [
                self.representation,
                str(getattr(request, "version", None)),
                reader,
                request.build_absolute_uri(),
                request.accepted_media_type or "",
                translation.get_language() or "",
                timezone.get_current_timezone_name(),
            ]
        )
        digest = hashlib.sha256(variant.encode()).hexdigest()
        return f"answer{page_cache.FORMAT}:{page_cache.release()}:{digest}"

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
