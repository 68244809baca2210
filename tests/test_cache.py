"""The Redis cache backend keeps one client per connection pool (real Redis)."""

import uuid

import pytest
from django.core.cache import cache

from tests.conftest import NO_REDIS, REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)


def test_the_redis_cache_reuses_its_client_and_still_answers(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    client = cache._cache.get_client(None, write=True)
    assert cache._cache.get_client(None) is client
    cache.set("answer", 42, 30)
    assert cache.get("answer") == 42
    assert cache.incr("answer") == 43
    cache.delete("answer")
    assert cache.get("answer") is None
    assert cache._cache.get_client(None, write=True) is client
