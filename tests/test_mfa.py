import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from organizations.adapters import MFAAdapter
from organizations.models import Sector
from organizations.services import api_token_create
from tests.conftest import (
    TOTP_SECRET,
    enrol_totp,
    signed_in,
    signed_in_with_password,
    totp_code,
)
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVILEGED = ["reviewer", "convener", "government_user", "multilateral_user", "staff"]


# This module tests the two-factor requirement itself: its privileged people start without a
# second factor.
@pytest.fixture
def reviewer(unenrolled_reviewer):
    return unenrolled_reviewer


@pytest.fixture
def convener(unenrolled_convener):
    return unenrolled_convener


@pytest.fixture
def government_user(unenrolled_government_user):
    return unenrolled_government_user


@pytest.fixture
def staff(db):
    return UserFactory(email="sam@staff.example", is_staff=True)


@pytest.fixture
def multilateral_user(db):
    # Every sector that may ask civil society for contacts needs a second factor.
    commission = OrganizationFactory(name="Regional Commission", sector=Sector.MULTILATERAL)
    return MembershipFactory(organization=commission, user__email="mo@un.example").user


@pytest.fixture(params=PRIVILEGED)
def privileged_user(request):
    return request.getfixturevalue(request.param)


def test_privileged_user_without_mfa_is_sent_to_enrolment_from_every_page(privileged_user):
    client = signed_in(privileged_user)
    for url in [
        reverse("home"),
        reverse("organizations:account_settings"),
        reverse("organizations:api_tokens"),
        "/admin/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_index"), url


def test_privileged_user_without_mfa_may_open_enrolment_and_sign_out(privileged_user):
    client = signed_in_with_password(privileged_user)
    assert client.get(reverse("mfa_index")).status_code == 200
    _confirm_password(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_privileged_user_without_mfa_gets_403_from_the_api(privileged_user):
    response = signed_in(privileged_user).get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Enable two-factor authentication first."}

    _token, secret = api_token_create(user=privileged_user, name="script")
    response = Client().get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Enable two-factor authentication first."}


def _confirm_password(client):
    # Enrolling a factor is sensitive: allauth asks for the password again first.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_activating_totp_lifts_the_requirement(reviewer):
    client = signed_in_with_password(reviewer)
    _confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reviewer, type="totp").count() == 1
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/api/v1/me/").json()["mfa_enabled"] is True


def test_unprivileged_users_are_not_asked_for_mfa(cso_admin, cso_member, outsider):
    for user in (cso_admin, cso_member, outsider):
        assert signed_in(user).get(reverse("home")).status_code == 200


def test_totp_secret_is_encrypted_at_rest(reviewer):
    authenticator = enrol_totp(reviewer)
    stored = Authenticator.objects.get(pk=authenticator.pk).data["secret"]
    assert TOTP_SECRET not in stored
    assert MFAAdapter().decrypt(stored) == TOTP_SECRET


def test_login_of_an_enrolled_user_asks_for_the_code(client, reviewer):
    enrol_totp(reviewer)
    response = client.post(
        reverse("account_login"), {"login": reviewer.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reviewer.pk)
    assert client.get(reverse("home")).status_code == 200


def test_a_security_key_can_be_enrolled_instead_of_an_app(reviewer):
    client = signed_in_with_password(reviewer)
    _confirm_password(client)
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "mfa/js/webauthn.js" in body
    assert 'id="js_data" type="application/json"' in body


def test_the_enrolment_page_says_why_it_is_asked(government_user):
    client = signed_in(government_user)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "requires two-factor authentication" in response.content.decode()
