"""Free-text fields of a profile have maximum lengths, enforced by the service for every door."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from organizations.models import Organization
from organizations.services import api_token_create, organization_update
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Coastal Youth Forum",
    "sector": "civil_society",
    "visibility_tier": "network",
    "summary": "Kept on errors.",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "d" * 10_001, "at most 10000 characters (it has 10001)"),
        ("constituency", "c" * 4_001, "at most 4000 characters (it has 4001)"),
        ("networks", "\n".join(f"Network {n}" for n in range(31)), "no more than 30"),
        ("networks", "n" * 201, "at most 200 characters (it has 201)"),
    ],
)
def test_overlong_texts_are_refused_on_the_page(cso, cso_admin, field, value, message):
    response = signed_in(cso_admin).post(
        reverse("organizations:edit", args=[cso.slug]), {**FORM, field: value}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "Kept on errors." in body
    stored = Organization.objects.get(pk=cso.pk)
    assert (stored.summary, stored.description, stored.constituency, stored.networks) == (
        "",
        "",
        "",
        [],
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "d" * 10_001),
        ("constituency", "c" * 4_001),
        ("networks", [f"Network {n}" for n in range(31)]),
        ("networks", ["n" * 201]),
    ],
)
def test_overlong_texts_are_refused_by_the_api_and_the_service(cso, cso_admin, field, value):
    _token, secret = api_token_create(user=cso_admin, name="t", can_write=True)
    response = Client(headers={"Authorization": f"Bearer {secret}"}).patch(
        f"/api/v1/organizations/{cso.public_id}/", {field: value}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    with pytest.raises(ValidationError) as refused:
        organization_update(organization=cso, user=cso_admin, **{field: value})
    assert list(refused.value.message_dict) == [field]
    stored = Organization.objects.get(pk=cso.pk)
    assert (stored.description, stored.constituency, stored.networks) == ("", "", [])


def test_texts_at_the_limit_are_accepted(cso, cso_admin):
    organization_update(
        organization=cso,
        user=cso_admin,
        description="d" * 10_000,
        constituency="c" * 4_000,
        networks=["n" * 200] * 30,
    )
    stored = Organization.objects.get(pk=cso.pk)
    assert (len(stored.description), len(stored.constituency), len(stored.networks)) == (
        10_000,
        4_000,
        30,
    )
