"""The Redis cache backend keeps one client per connection pool (real Redis)."""

import os
import uuid

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")


def test_the_redis_cache_reuses_its_client_and_still_answers(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "gsx_portal.cache.FailoverRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
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
