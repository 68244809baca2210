"""Text and JSON answers are sent gzip-compressed to clients that ask; other types are not."""

import gzip
import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from gsx_portal.middleware import CompressionMiddleware, is_compressible
from organizations.services import api_token_create
from tests.conftest import signed_in
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')


def test_an_anonymous_page_is_compressed_when_asked(db):
    OrganizationFactory.create_batch(3, visibility_tier="public")
    plain = Client().get("/organizations/", {"q": "forum"})
    compressed = Client().get("/organizations/", {"q": "forum"}, headers=GZIP)
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert int(compressed["Content-Length"]) == len(compressed.content)
    body = gzip.decompress(compressed.content)
    assert TOKEN.sub(b"", body) == TOKEN.sub(b"", plain.content)


def test_a_signed_in_page_is_never_compressed(cso_member):
    """BREACH: a signed-in page holds what only its reader may see beside what the request
    typed, and the browser sends the session cookie with requests another site makes."""
    OrganizationFactory.create_batch(3)
    client = signed_in(cso_member)
    response = client.get("/organizations/", {"q": "forum"}, headers=GZIP)
    assert "Content-Encoding" not in response
    assert b"<html" in response.content
    api = client.get("/api/v1/organizations/", headers=GZIP)  # the session, not a token
    assert "Content-Encoding" not in api


def test_the_gzip_header_carries_djangos_random_padding(db):
    compressed = Client().get("/organizations/", {"q": "forum"}, headers=GZIP)
    assert compressed.content[3] & gzip.FNAME


def test_api_json_is_compressed_when_asked(outsider):
    OrganizationFactory.create_batch(5, visibility_tier="public")
    _token, secret = api_token_create(user=outsider, name="sync")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    plain = client.get("/api/v1/organizations/")
    compressed = client.get("/api/v1/organizations/", headers=GZIP)
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["Cache-Control"] == "no-store, private"


def test_nothing_is_compressed_for_a_client_that_does_not_ask(cso_member):
    response = signed_in(cso_member).get("/organizations/")
    assert "Content-Encoding" not in response
    assert b"<html" in response.content


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        ("text/html; charset=utf-8", True),
        ("text/csv; charset=utf-8", True),
        ("application/json", True),
        ("application/problem+json", True),
        ("application/vnd.oai.openapi", True),
        ("image/svg+xml", True),
        ("application/pdf", False),
        ("image/png", False),
        ("application/zip", False),
        ("", False),
    ],
)
def test_only_textual_types_are_compressed(content_type, compressed):
    assert is_compressible(content_type) is compressed
    request = RequestFactory().get("/", headers=GZIP)
    response = HttpResponse(b"x" * 1000, content_type=content_type or None)
    if not content_type:
        del response["Content-Type"]
    answer = CompressionMiddleware(lambda request: response)(request)
    assert (answer.get("Content-Encoding") == "gzip") is compressed
