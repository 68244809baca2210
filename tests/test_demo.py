import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client

from organizations.demo import DEMO_ACCOUNTS, DEMO_TOTP_SECRET
from organizations.models import User
from tests.conftest import totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "demo-password-for-tests"


def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert User.objects.count() == 0


def test_load_demo_needs_a_password(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = ""
    with pytest.raises(CommandError, match="Set DEMO_PASSWORD"):
        call_command("load_demo")
    assert User.objects.count() == 0


def test_load_demo_creates_one_account_per_role_once(settings, capsys):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_demo", "--force")
    assert "Demo accounts: 10 created, 0 present." in capsys.readouterr().out
    call_command("load_demo", "--force")
    assert "Demo accounts: 0 created, 10 present." in capsys.readouterr().out
    signing_in = [u for u in User.objects.all() if u.has_usable_password()]
    assert len(signing_in) == len(DEMO_ACCOUNTS) == 10
    assert EmailAddress.objects.filter(verified=True).count() == 10
    with_totp = set(Authenticator.objects.filter(type="totp").values_list("user__email", flat=True))
    assert with_totp == {
        "government@demo.gsx.example",
        "security@demo.gsx.example",
        "reviewer@demo.gsx.example",
        "reviewer2@demo.gsx.example",
        "convener@demo.gsx.example",
        "admin@demo.gsx.example",
        # Every requester sector needs two factors, multilateral included.
        "policymaker@demo.gsx.example",
        "unverified@demo.gsx.example",
    }


def test_a_privileged_demo_account_signs_in_with_the_documented_secret(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_demo", "--force")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "reviewer@demo.gsx.example", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["email"] == "reviewer@demo.gsx.example"


def test_load_demo_builds_a_directory_with_vettings_and_introductions(settings, capsys):
    from organizations.models import IntroductionRequest, Organization, VettingApplication

    settings.DEBUG = True
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_demo")
    assert "Demo organizations: 36 created." in capsys.readouterr().out
    assert Organization.objects.count() == 41
    assert Organization.objects.filter(visibility_tier="restricted").count() == 1
    statuses = sorted(VettingApplication.objects.values_list("status", flat=True))
    assert statuses == ["approved"] * 6 + ["in_review"]
    # The second pending request waits on the demo CSO admin's home page.
    assert sorted(IntroductionRequest.objects.values_list("status", flat=True)) == [
        "accepted",
        "pending",
        "pending",
    ]
    assert len(set(Organization.objects.values_list("sector", flat=True))) == 8
    # The demo requesters are verified, but for one that shows what an unverified one sees.
    verified = Organization.objects.filter(
        requester_verifications__verified_at__isnull=False,
        requester_verifications__revoked_at__isnull=True,
    ).values_list("slug", flat=True)
    assert sorted(verified) == [
        "lakeside-police-service",
        "ministry-community-safety",
        "regional-peace-commission",
    ]
    assert Organization.objects.filter(slug="coastal-border-agency").exists()
    call_command("load_demo")
    assert "Demo organizations: 0 created." in capsys.readouterr().out


def test_the_demo_profile_speaks_the_readers_language(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_demo", "--force")
    html = (
        Client(headers={"Accept-Language": "ar"})
        .get("/organizations/sahel-women-peace-circle/")
        .content.decode()
    )
    assert 'lang="ar"' in html
    assert "وسيطات يعملن على منع العنف بين المجتمعات المحلية في وسط الساحل." in html
