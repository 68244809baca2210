"""A Redis cache that keeps the site up while Redis is down.

The cache holds rate-limit counters (allauth's sign-in limits, DRF's throttles) and short-lived
values. Losing Redis must not turn every sign-in and API request into a 500: on a connection error
this backend switches to a per-process ``LocMemCache`` for ``FAILOVER_SECONDS``, logs one WARNING
per interval, and then tries Redis again. Counts made meanwhile are per process, so a limit is
enforced per web worker instead of across all of them: looser, but never none.
"""

import hashlib
import logging
import math
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# A rate bucket (the generic cell rate algorithm): the key holds the time the bucket is full
# again; a request is let through if, counting it, the bucket fills again within ``period``.
# In Redis as one script, so that two requests at once cannot both take the last one.
BUCKET_SCRIPT = """
local full_at = tonumber(redis.call('GET', KEYS[1]))
local now, interval, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if full_at == nil or full_at < now then full_at = now end
local after = full_at + interval
if after - now > period then return string.format('%.6f', after - now - period) end
local expiry = math.ceil((after - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', after), 'PX', expiry)
return false
"""
BUCKET_SHA = hashlib.sha1(BUCKET_SCRIPT.encode()).hexdigest()  # noqa: S324 (Redis's name for it)


def take(cache, key: str, *, interval: float, period: float, now: float) -> float | None:
    """The rate bucket of ``BUCKET_SCRIPT`` on any cache (the per-process one, while Redis is
    down, or in a configuration without Redis): None if the request may pass, else the seconds
    to wait. Not atomic: each process has its own, and a request at once in two threads of
    one process may both pass."""
    full_at = cache.get(key)
    if not isinstance(full_at, float) or full_at < now:
        full_at = now
    after = full_at + interval
    if after - now > period:
        return after - now - period
    cache.set(key, after, math.ceil(after - now) + 1)
    return None


# Shared by every thread of the process (Django keeps one cache instance per thread).
_state_lock = threading.Lock()
_down_until: dict[str, float] = {}
_warned_at: dict[str, float] = {}


def _failover(name: str):
    def method(self, *args, **kwargs):
        if not self.redis_is_down():
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._mark_down(error)
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a new ``redis.Redis`` for every cache call, and building one (its table of
    response callbacks) costs more CPU than the call itself. A client holds no connection of
    its own (each command borrows one from the pool), so one client per pool serves them all."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class FailoverRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        self.failover_seconds = float(params.pop("FAILOVER_SECONDS", 30))
        options = dict(params.get("OPTIONS") or {})
        # Fail fast: one attempt with a short timeout, instead of redis-py's retries with backoff
        # that would hold each request for seconds.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._location = server if isinstance(server, str) else ",".join(server)
        self._fallback = LocMemCache(
            f"gsx-redis-fallback:{self._location}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", "")},
        )

    def redis_is_down(self) -> bool:
        return time.monotonic() < _down_until.get(self._location, 0.0)

    def _mark_down(self, error: Exception) -> None:
        now = time.monotonic()
        with _state_lock:
            _down_until[self._location] = now + self.failover_seconds
            warn = now - _warned_at.get(self._location, -self.failover_seconds) >= (
                self.failover_seconds
            )
            if warn:
                _warned_at[self._location] = now
        if warn:
            logger.warning(
                "cache: Redis unreachable (%s); counting rate limits per process for %ss",
                error,
                int(self.failover_seconds),
            )

    def ping(self) -> bool:
        """Whether Redis answers now, asked directly (health check); resets the failover."""
        try:
            self._cache.get_client().ping()
        except UNREACHABLE as error:
            self._mark_down(error)
            return False
        with _state_lock:
            _down_until.pop(self._location, None)
        return True

    # --- Rate buckets (gsx_portal.api_auth.BucketThrottle) ---------------------------------

    def take_from_bucket(self, key: str, *, interval: float, period: float, now: float):
        """Takes one request from the bucket under ``key``, atomically: None if it had one,
        else the seconds until it will have one (see ``take``)."""
        found = self.get_many_and_take([], [(key, interval, period)], now=now)
        if found is not None:
            return found[1][0]
        return take(self._fallback, key, interval=interval, period=period, now=now)

    def get_many_and_take(self, keys, buckets, *, now: float):
        """``get_many(keys)`` and ``take_from_bucket`` for each (key, interval, period) of
        ``buckets``, in one round trip to Redis: (values found, waits). None while Redis is
        unreachable."""
        if self.redis_is_down():
            return None
        try:
            return self._get_many_and_take(keys, buckets, now)
        except UNREACHABLE as error:
            self._mark_down(error)
            return None

    def _get_many_and_take(self, keys, buckets, now):
        client = self._cache.get_client(write=True)
        full = [self.make_and_validate_key(key) for key in keys]
        for attempt in (1, 2):
            pipe = client.pipeline(transaction=False)
            if full:
                pipe.mget(full)
            for key, interval, period in buckets:
                pipe.evalsha(BUCKET_SHA, 1, self.make_and_validate_key(key), now, interval, period)
            results = pipe.execute(raise_on_error=False)
            waits = results[1:] if full else results
            if any(isinstance(w, NoScriptError) for w in waits) and attempt == 1:
                # Redis has not seen the script yet (or restarted since): nothing was taken.
                client.script_load(BUCKET_SCRIPT)
                continue
            for result in results:
                if isinstance(result, Exception):
                    raise result
            values = results[0] if full else []
            loads = self._cache._serializer.loads
            found = {
                key: loads(value)
                for key, value in zip(keys, values, strict=True)
                if value is not None
            }
            return found, [None if wait is None else float(wait) for wait in waits]
        raise NoScriptError("The rate bucket script could not be loaded.")

    add = _failover("add")
    get = _failover("get")
    set = _failover("set")
    touch = _failover("touch")
    delete = _failover("delete")
    get_many = _failover("get_many")
    has_key = _failover("has_key")
    incr = _failover("incr")
    set_many = _failover("set_many")
    delete_many = _failover("delete_many")
    clear = _failover("clear")
