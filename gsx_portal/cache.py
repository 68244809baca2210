"""A Redis cache that keeps the site up while Redis is down.

The cache holds rate-limit counters (allauth's sign-in limits, DRF's throttles) and short-lived
values. Losing Redis must not turn every sign-in and API request into a 500: on a connection error
this backend switches to a per-process ``LocMemCache`` for ``FAILOVER_SECONDS``, logs one WARNING
per interval, and then tries Redis again. Counts made meanwhile are per process, so a limit is
enforced per web worker instead of across all of them: looser, but never none.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

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
