"""The anonymous page cache: the home page, the directory and organization profiles as an
anonymous visitor sees them, kept in the default cache (Redis, or the file cache without it).
Which pages, and the keys of their queries, are in ``gsx_portal.cached_pages``.

Signed-in pages are never stored whole, but the part of one rendered from data alone (no user,
no token) may be shared by everyone of the same *audience* (``shared_fragment``): the directory
as every signed-in user who is neither the secretariat nor a member of a restricted organization
sees it (``organizations.selectors.visibility_audience``). Such a fragment is kept and
invalidated like a page, under a key that names the audience.

What may be stored: the answer (200, HTML) to a GET by a visitor with no session, no API
credentials and no flash message waiting, that set no cookie, wrote nothing to a session, used no
CSP nonce and queued no message. Signed-in pages, API answers and searches (``?q=``) never are.

Keys: the release (a digest of the code, templates and translations), the view and its URL
arguments, the language and time zone the page is rendered in, and a canonical form of the query
made only of known parameters with valid values (anything else is served uncached), so the keys
are bounded and junk URLs cannot fill the cache.

CSRF: the pages carry a token (the language switcher). A page that may be stored is rendered
with a CSRF secret chosen here for it, never the visitor's (whose cookie they choose: a page
showing text they wrote to match their secret would otherwise have that text taken for a token
and replaced by every later visitor's); the tokens of that secret are cut out before storing,
and every visitor, the first included, gets their own at serve time (``get_token``, which also
sets their CSRF cookie).

Invalidation: every stored page records the *generation* it was rendered at, and is served only
while the generation is unchanged. The generation is a row that PostgreSQL triggers set to the
id of the last transaction that changed a table the anonymous pages read (``TRACKED_TABLES``),
at commit (see the migration ``0003_page_cache_generation``). Triggers see every write: the
services, the admin, ``QuerySet.update()``, deletions, the Celery sweep, raw SQL. The generation
is read from the database on every hit, before the page; so a page rendered after it was read is
at least as new as that generation. A page also stops being served when the next approval in the
directory lapses (``vetted_until``), since "vetted" changes with time and no write.

Compression: a stored page keeps its body both plain and gzip-compressed in pieces around the
token, which is put in at serve time as an uncompressed deflate block: no compression per hit,
and the token never shares a compression window with anything else on the page (BREACH).
"""

import collections
import functools
import gzip
import hashlib
import logging
import re
import secrets
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import (
    CSRF_TOKEN_LENGTH,
    _get_new_csrf_string,
    _unmask_cipher_token,
    get_token,
)
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from gsx_portal.prepared import run_prepared

logger = logging.getLogger(__name__)

# Tables whose rows the anonymous pages show. A change to any of them, committed, moves the
# generation (triggers from the migration; tests/test_page_cache.py checks both lists agree, and
# that the cached pages read no other table).
TRACKED_TABLES = (
    "organizations_organization",
    "organizations_organization_themes",
    "organizations_theme",
    "organizations_requesterverification",
    "organizations_vettingapplication",
    # Dialogues' public pages (dialogues/migrations/0003_page_cache_triggers.py).
    "dialogues_workinggroup",
    "dialogues_workinggroup_themes",
    "dialogues_meeting",
    "dialogues_meeting_host_organizations",
    "dialogues_agendaitem",
    # What the timeline shows of recommendations (recommendations/migrations/0002).
    "recommendations_sourcedocument",
    "recommendations_recommendation",
    "recommendations_reviewcycle",
    # The recommendations' own public pages (recommendations/migrations/0004).
    "recommendations_addresseeresponse",
    "recommendations_implementationupdate",
    "recommendations_cyclesnapshot",
    "recommendations_recommendation_themes",
    "recommendations_recommendation_repeats",
    "recommendations_recommendation_action_points",
    "recommendations_sourcedocument_publishers",
)
GENERATION_TABLE = "gsx_page_cache_generation"

# What get_token reads and writes in request.META.
CSRF_META = ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE")
# Stands for the CSRF token in a stored body. Not alphanumeric, so never part of a token.
PLACEHOLDER = b"\x00gsx-csrf-token\x00"
FORMAT = 1  # of the stored entry; part of the key
MIN_COMPRESSED = 200  # bytes; as Django's GZipMiddleware, shorter bodies are sent plain
TOKEN_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
accepts_gzip = re.compile(r"\bgzip\b")


# --- What is cacheable ----------------------------------------------------------------------


def is_anonymous_request(request) -> bool:
    """A GET or HEAD from someone with no session, no API credentials and no pending message,
    outside any transaction (a transaction's own uncommitted writes do not move the
    generation, so neither read nor store there: this is also what keeps the cache out of the
    test suite's transactions)."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.user.is_authenticated
        and not connection.in_atomic_block
    )


def _no_query(query) -> str | None:
    return "" if not query else None


def _store_token(body: bytes, secret: str) -> tuple[bytes, ...] | None:
    """The body split around every CSRF token made from ``secret`` (the segments the tokens
    go between), or None if the secret itself or the placeholder shows (never expected: then
    do not store). Django masks each token with a random half; ``_unmask_cipher_token`` (its
    own, private) tells whether a 64-character word on the page is one of this visitor's."""
    if secret.encode() in body or PLACEHOLDER in body:
        return None
    found = {
        token
        for token in TOKEN_CANDIDATE.findall(body)
        if _unmask_cipher_token(token.decode()) == secret
    }
    for token in found:
        body = body.replace(token, PLACEHOLDER)
    return tuple(body.split(PLACEHOLDER))


# --- The release: part of every key ---------------------------------------------------------

RELEASE_SOURCES = ("gsx_portal", "organizations", "dialogues", "recommendations", "templates")
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".mo", ".svg"}


@functools.cache
def release() -> str:
    """A digest of what a page is made from besides the data: the project's code, templates and
    compiled translations, the static files' manifest (hashed file names), the locked
    dependencies, and the settings that show on a page. A deploy changes it, so no page of the
    previous release is served."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    paths = [
        path
        for root in (*RELEASE_SOURCES, "locale")
        for path in (base / root).rglob("*")
        if path.suffix in RELEASE_SUFFIXES and path.is_file()
    ]
    paths += [Path(settings.STATIC_ROOT) / "staticfiles.json", base / "uv.lock"]
    for path in sorted(paths):
        if path.is_file():
            digest.update(
                str(path.relative_to(base) if path.is_relative_to(base) else path).encode()
            )
            digest.update(path.read_bytes())
    shown = (django.get_version(), settings.STATIC_URL, settings.LANGUAGES, settings.TIME_ZONE)
    digest.update(repr(shown).encode())
    return digest.hexdigest()[:16]


# --- Generation and time --------------------------------------------------------------------


GENERATION_SQL = f"SELECT value FROM {GENERATION_TABLE} WHERE id = 1"  # noqa: S608


def current_generation() -> int | None:
    """The id of the last transaction that changed a tracked table (None: do not cache)."""
    # Often the request's only query (a page or API answer from the cache): prepared, and
    # standing for the connection's health check (gsx_portal.prepared.run_prepared).
    row, _ = run_prepared(GENERATION_SQL, ())
    return row[0] if row else None


def generation_column():
    """``current_generation`` as a column of another query, for a query asked on every request
    anyway (the API token's): one round trip instead of two."""
    return RawSQL(f"({GENERATION_SQL})", (), output_field=BigIntegerField())  # noqa: S611


def next_lapse() -> float | None:
    """When the next approval in the directory lapses (epoch seconds), or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM min(vetted_until)) FROM organizations_organization"
            " WHERE vetted_until > now()"
        )
        (lapse,) = cursor.fetchone()
    return float(lapse) if lapse is not None else None


# --- Stored pages ---------------------------------------------------------------------------


def _stored_block(data: bytes) -> bytes:
    """``data`` as one uncompressed, non-final deflate block (RFC 1951 §3.2.4), byte-aligned
    as every piece here ends with a full flush."""
    return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data


def _deflate_pieces(segments: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """Each segment deflated on its own (no back-reference reaches outside it); all but the
    last end with a full flush, the last ends the stream."""
    pieces = []
    for index, segment in enumerate(segments):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        last = index == len(segments) - 1
        pieces.append(
            compressor.compress(segment)
            + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
        )
    return tuple(pieces)


def _gzip_body(pieces: tuple[bytes, ...], segments: tuple[bytes, ...], token: bytes) -> bytes:
    body = token.join(segments)
    # As Django's GZipMiddleware: a file name of random length in the header ("Heal the BREACH").
    header = b"\x1f\x8b\x08" + bytes([gzip.FNAME]) + b"\x00\x00\x00\x00\x00\xff"
    header += b"a" * secrets.randbelow(100) + b"\x00"
    token_block = _stored_block(token)
    deflated = token_block.join(pieces)
    trailer = struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)
    return header + deflated + trailer


class _Stored:
    """Pickled as a tuple of its slots: entries stay small in the cache."""

    __slots__ = ()

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state):
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)


class StoredPage(_Stored):
    __slots__ = ("generation", "headers", "pieces", "segments", "status", "until")

    def __init__(self, *, generation, until, status, headers, segments, pieces):
        self.generation = generation
        self.until = until
        self.status = status
        self.headers = headers
        self.segments = segments
        self.pieces = pieces

    def response(self, request) -> HttpResponse:
        """The stored page served from the cache to ``request``'s visitor."""
        return self.served_to(request)

    def served_to(self, request) -> HttpResponse:
        """The page with ``request``'s visitor's own CSRF token (also for the visitor whose
        request rendered it)."""
        token = get_token(request).encode() if len(self.segments) > 1 else b""
        compressed = self.pieces is not None and accepts_gzip.search(
            request.META.get("HTTP_ACCEPT_ENCODING", "")
        )
        if compressed:
            content = _gzip_body(self.pieces, self.segments, token)
        else:
            content = token.join(self.segments)
        response = HttpResponse(status=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        if self.pieces is not None:
            patch_vary_headers(response, ("Accept-Encoding",))
        if compressed:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(content))
        if request.method != "HEAD":
            response.content = content
        return response


def _storable(request, response) -> bool:
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not response.has_header("Content-Encoding")
        and not response.has_header("Vary")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not request.user.is_authenticated
        and not (session is not None and session.modified)
        and not (messages is not None and messages._queued_messages)
        and not get_nonce(request)
    )


def _render_for_storing(view, request, args, kwargs) -> tuple[HttpResponse, str]:
    """The view's answer rendered with a CSRF secret of its own (see the module docstring), and
    that secret; the visitor's own is put back afterwards."""
    secret = _get_new_csrf_string()
    absent = object()
    saved = {name: request.META.get(name, absent) for name in CSRF_META}
    request.META["CSRF_COOKIE"] = secret
    try:
        response = view(request, *args, **kwargs)
    finally:
        for name, value in saved.items():
            if value is absent:
                request.META.pop(name, None)
            else:
                request.META[name] = value
    return response, secret


def _store(
    request, response, secret: str, *, key: str, generation: int | None, data: bool
) -> "StoredPage | None":
    """Store the answer; return it as a stored page (served to this visitor too, with their
    own token), or None if its tokens could not be told from the rest of the page."""
    segments = _store_token(response.content, secret)
    if segments is None:
        logger.warning("page cache: the CSRF secret shows in %s; not stored", request.path)
        return None
    until = time.time() + settings.PAGE_CACHE_SECONDS
    if data:
        lapse = next_lapse()
        if lapse is not None:
            until = min(until, lapse)
    length = sum(len(segment) for segment in segments)
    page = StoredPage(
        generation=generation,
        until=until,
        status=response.status_code,
        headers=tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in ("content-length", "vary")
        ),
        segments=segments,
        pieces=_deflate_pieces(segments) if length >= MIN_COMPRESSED else None,
    )
    timeout = int(until - time.time())
    if timeout < 1:
        return page  # lapses at once (an approval ends now)
    size = length + sum(len(piece) for piece in page.pieces or ())
    try:
        if within_budget(size):
            cache.set(key, page, timeout)
    except Exception:  # a cache that cannot be reached must not break the page
        logger.warning("page cache: could not store %s", request.path, exc_info=True)
    return page


def within_budget(size: int) -> bool:
    """Whether ``size`` more bytes may be stored in this PAGE_CACHE_SECONDS window. Valid pages
    are many (every public profile, every combination of filters, in four languages) and a
    crawler asking for all of them must not fill Redis, which the Celery broker shares: pages
    stored in a window are counted in the cache, up to PAGE_CACHE_MAX_MB; beyond, pages are
    served uncached until the next window. A page lives at most one window more, so stored
    pages take at most twice the budget."""
    window = int(time.time() // settings.PAGE_CACHE_SECONDS)
    counter = f"page-budget:{window}"
    cache.add(counter, 0, 2 * settings.PAGE_CACHE_SECONDS)
    try:
        used = cache.incr(counter, size)
    except ValueError:  # evicted meanwhile
        return False
    return used <= settings.PAGE_CACHE_MAX_MB * 1024 * 1024


@dataclass(frozen=True)
class PageSpec:
    view_name: str
    canonical_query: Callable
    reads_data: bool


def page_key(view_name: str, language: str, zone: str, kwargs: dict, query: str) -> str:
    arguments = ",".join(f"{name}={value}" for name, value in sorted(kwargs.items()))
    return ":".join((f"page{FORMAT}", release(), view_name, language, zone, arguments, query))


def _marked(response, key: str, page: "StoredPage"):
    """``response`` noted as a stored page's, for CachedPageMiddleware on its way out."""
    response.page_cache_key = key
    response.page_cache_until = page.until
    return response


def anonymous_page(
    view_name: str,
    *,
    canonical_query: Callable = _no_query,
    may_store: Callable | None = None,
    reads_data: bool = True,
):
    """Serve ``view`` to anonymous visitors from the page cache (see the module docstring).

    ``canonical_query(request.GET)`` gives the part of the key for the query string, or None
    when the request must not be cached; ``may_store(request)``, asked before storing a page,
    checks what the query cannot tell by itself. ``reads_data``: the page shows rows of
    ``TRACKED_TABLES`` (the generation is checked on every hit); False only for a page that
    shows no data at all.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not settings.PAGE_CACHE_SECONDS or not is_anonymous_request(request):
                return view(request, *args, **kwargs)
            query = canonical_query(request.GET)
            if query is None:
                return view(request, *args, **kwargs)
            key = page_key(
                view_name,
                translation.get_language() or "",
                timezone.get_current_timezone_name(),
                kwargs,
                query,
            )
            generation = current_generation() if reads_data else 0
            if generation is None:
                return view(request, *args, **kwargs)
            try:
                page = cache.get(key)
            except Exception:
                logger.warning("page cache: could not read %s", request.path, exc_info=True)
                return view(request, *args, **kwargs)
            if (
                isinstance(page, StoredPage)
                and page.generation == generation
                and time.time() < page.until
            ):
                return _marked(page.response(request), key, page)
            response, secret = _render_for_storing(view, request, args, kwargs)
            if _storable(request, response) and (may_store is None or may_store(request)):
                page = _store(
                    request, response, secret, key=key, generation=generation, data=reads_data
                )
                if page is not None:
                    return _marked(page.served_to(request), key, page)
            # Not stored: its tokens are of a secret the visitor does not have. Rendered again
            # for them (rare: an error page, a message queued, a theme that does not exist).
            return view(request, *args, **kwargs)

        # What CachedPageMiddleware needs to serve this view's stored pages before the stack.
        wrapper.page_cache = PageSpec(view_name, canonical_query, reads_data)
        return wrapper

    return decorator


# --- Fragments shared by an audience --------------------------------------------------------


class StoredFragment(_Stored):
    __slots__ = ("generation", "html", "until")

    def __init__(self, *, generation, until, html):
        self.generation = generation
        self.until = until
        self.html = html


def shared_fragment(
    name: str,
    *,
    audience: str | None,
    query: str | None,
    render: Callable[[], str],
    may_store: Callable[[], bool] = lambda: True,
) -> SafeString:
    """``render()``, an HTML fragment made from data alone for everyone of ``audience``, from
    the cache when it holds one for the same release, language, time zone, canonical ``query``
    and generation (see the module docstring). ``render`` is called without the request: it
    must not see the user, a session or a CSRF token. Rendered afresh, and not stored, when
    the audience is None (the user's own), the query is not canonical (None), inside a
    transaction, or when ``may_store()`` says no."""
    if (
        not settings.PAGE_CACHE_SECONDS
        or audience is None
        or query is None
        or connection.in_atomic_block
    ):
        return mark_safe(render())  # noqa: S308 (rendered by a template, escaped there)
    key = ":".join(
        (
            f"fragment{FORMAT}",
            release(),
            name,
            audience,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            query,
        )
    )
    generation = current_generation()
    try:
        stored = cache.get(key) if generation is not None else None
    except Exception:
        logger.warning("page cache: could not read the fragment %s", name, exc_info=True)
        return mark_safe(render())  # noqa: S308 (as above)
    if (
        isinstance(stored, StoredFragment)
        and stored.generation == generation
        and time.time() < stored.until
    ):
        return mark_safe(stored.html)  # noqa: S308 (as rendered)
    html = str(render())
    if generation is None or not may_store():
        return mark_safe(html)  # noqa: S308 (as above)
    until = time.time() + settings.PAGE_CACHE_SECONDS
    lapse = next_lapse()
    if lapse is not None:
        until = min(until, lapse)
    timeout = int(until - time.time())
    try:
        if timeout >= 1 and within_budget(len(html.encode())):
            cache.set(key, StoredFragment(generation=generation, until=until, html=html), timeout)
    except Exception:
        logger.warning("page cache: could not store the fragment %s", name, exc_info=True)
    return mark_safe(html)  # noqa: S308 (as above)


# --- Before the middleware stack ------------------------------------------------------------
#
# A hit still went through the whole middleware stack (twenty layers), which cost more than the
# hit itself. CachedPageMiddleware, first in the stack, answers a hit at once: the stored page,
# with the headers the stack added to it when this process last served it in full (recorded per
# key, scheme and host, on the way out, in this process's memory: a restart with other
# settings records them anew), and the visitor's own CSRF token and cookie, given by Django's
# CSRF middleware as the stack would. Anything it cannot answer exactly so (no headers recorded
# yet, a request the stack might treat differently) goes through the stack as before.

EDGE_SKIPPED_HEADERS = frozenset({"content-length", "content-encoding", "date", "set-cookie"})
EDGE_HEADERS_KEPT = 4096  # pages whose headers a process remembers (≈ 1 KB each)
_edge_headers: "collections.OrderedDict[str, tuple]" = collections.OrderedDict()
_edge_lock = threading.Lock()
# Pages that show no data, per key (a few: the home page in each language).
_local_pages: dict[str, "StoredPage"] = {}


def _edge_key(key: str, request) -> str:
    # The stack may answer another scheme or host otherwise (a redirect to HTTPS, to www.):
    # headers recorded for one are never used for another.
    return f"{key}:{request.scheme}://{request.get_host()}"


def _csrf_middleware():
    from django.middleware.csrf import CsrfViewMiddleware

    return CsrfViewMiddleware(lambda request: None)


def edge_response(request) -> "HttpResponse | None":
    """The stored page for ``request``, answered before the middleware stack, or None."""
    from django.core.exceptions import DisallowedHost, SuspiciousOperation
    from django.urls import Resolver404, resolve

    meta = request.META
    if (
        request.method != "GET"
        or not settings.PAGE_CACHE_SECONDS
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
        or "HTTP_AUTHORIZATION" in meta
        or connection.in_atomic_block
        or "\x00" in request.path
        or "%00" in meta.get("QUERY_STRING", "")
        or "\x00" in meta.get("QUERY_STRING", "")
    ):
        return None
    try:
        request.get_host()
        match = resolve(request.path_info)
    except (DisallowedHost, Resolver404):
        return None
    spec = getattr(match.func, "page_cache", None)
    if not isinstance(spec, PageSpec):
        return None
    try:
        query = spec.canonical_query(request.GET)
    except SuspiciousOperation:  # too many fields: the stack answers it, with its headers
        return None
    if query is None:
        return None
    language = translation.get_language_from_request(request)
    key = page_key(
        spec.view_name, language, timezone.get_default_timezone_name(), match.kwargs, query
    )
    generation = current_generation() if spec.reads_data else 0
    if generation is None:
        return None
    headers = _edge_headers.get(_edge_key(key, request))
    if headers is None:
        return None
    # A page that shows no data (the home page) changes only with the release, which is in its
    # key: once read, this process keeps it until it lapses, and asks the cache no more.
    page = None if spec.reads_data else _local_pages.get(key)
    if page is None or time.time() >= page.until:
        try:
            page = cache.get(key)
        except Exception:
            return None
        if not spec.reads_data and isinstance(page, StoredPage):
            with _edge_lock:
                _local_pages[key] = page
    if not (
        isinstance(page, StoredPage)
        and isinstance(headers, tuple)
        and page.generation == generation
        and time.time() < page.until
    ):
        return None
    csrf = _csrf_middleware()
    csrf.process_request(request)
    response = page.response(request)
    for name, value in headers:
        response.headers[name] = value
    return csrf.process_response(request, response)


def forget_edge_headers() -> None:
    """Forget every recorded header set (the test suite, between tests with other settings)."""
    with _edge_lock:
        _edge_headers.clear()
        _local_pages.clear()


def replayable_headers(response, skipped: frozenset) -> tuple:
    """The headers of a full answer the edge may give the next such answer: all but those of
    ``skipped`` (lower case), which belong to one response."""
    return tuple(
        (name, value) for name, value in response.headers.items() if name.lower() not in skipped
    )


def remember_edge_headers(request, response) -> None:
    """After the stack served a stored page in full: record the headers it added, for
    ``edge_response`` to answer the next such request alone."""
    key = getattr(response, "page_cache_key", None)
    if key is None or request.method != "GET" or response.status_code != 200:
        return
    headers = replayable_headers(response, EDGE_SKIPPED_HEADERS)
    edge_key = _edge_key(key, request)
    with _edge_lock:
        _edge_headers[edge_key] = headers
        _edge_headers.move_to_end(edge_key)
        while len(_edge_headers) > EDGE_HEADERS_KEPT:
            _edge_headers.popitem(last=False)
