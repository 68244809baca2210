"""Forms and URLs carry public ids (UUIDs, slugs, codes), never serial keys."""

import pytest
from django.urls import reverse

from organizations.forms import EndorsementRequestForm, EvidenceForm, OrganizationForm
from organizations.models import ApiToken, Criterion, Organization, Theme
from organizations.services import api_token_create
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_on_behalf_of_select_offers_public_ids(cso, enrolled_government_user, ministry):
    response = signed_in(enrolled_government_user).get(
        reverse("organizations:introduction_new", args=[cso.slug])
    )
    body = response.content.decode()
    assert f'<option value="{ministry.public_id}"' in body
    assert f'value="{ministry.pk}"' not in body


def test_the_endorser_select_takes_a_public_id_and_refuses_a_serial_key(cso, public_cso):
    endorsers = Organization.objects.filter(pk=public_cso.pk)
    assert f'value="{public_cso.public_id}"' in str(EndorsementRequestForm(endorsers=endorsers))
    by_uuid = EndorsementRequestForm({"endorser": str(public_cso.public_id)}, endorsers=endorsers)
    assert by_uuid.is_valid() and by_uuid.cleaned_data["endorser"] == public_cso
    assert not EndorsementRequestForm({"endorser": public_cso.pk}, endorsers=endorsers).is_valid()


def test_criteria_and_themes_are_named_by_their_codes():
    criteria = list(Criterion.objects.all()[:2])
    evidence = EvidenceForm(criteria=criteria, initial_texts={})
    assert list(evidence.fields) == [f"criterion_{c.code}" for c in criteria]
    rendered = str(OrganizationForm()["themes"])
    theme = Theme.objects.first()
    assert f'value="{theme.slug}"' in rendered and f'value="{theme.pk}"' not in rendered


def test_tokens_are_revoked_by_public_id(outsider):
    token, _secret = api_token_create(user=outsider, name="laptop")
    client = signed_in(outsider)
    page = client.get(reverse("organizations:api_tokens")).content.decode()
    assert f"/account/tokens/{token.public_id}/revoke/" in page
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    client.post(f"/account/tokens/{token.public_id}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
