"""Sign-up does the same work for an address that has an account as for a new one."""

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from organizations.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hashes(monkeypatch):
    """Counts passwords hashed by the real (configured) hasher; it still hashes them."""
    hasher = type(get_hasher("default"))
    original = hasher.encode
    calls = []

    def encode(self, password, salt, *args, **kwargs):
        calls.append(password)
        return original(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(hasher, "encode", encode)
    return calls


def _sign_up(email):
    return Client().post(
        reverse("account_signup"),
        {
            "name": "Someone New",
            "email": email,
            "password1": "a-long-new-passphrase",
            "password2": "a-long-new-passphrase",
        },
    )


def test_sign_up_hashes_once_for_a_known_and_an_unknown_address(
    hashes, django_capture_on_commit_callbacks
):
    known = UserFactory(email="known@example.org")
    before = (known.password, User.objects.count())
    hashes.clear()  # the factory hashed the known user's password

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        answer_known = _sign_up("Known@Example.org")
        known_hashes = len(hashes)
        answer_new = _sign_up("new@example.org")
    new_hashes = len(hashes) - known_hashes

    assert (known_hashes, new_hashes) == (1, 1)
    assert hashes == ["a-long-new-passphrase", "a-long-new-passphrase"]
    assert (answer_known.status_code, answer_known["Location"]) == (
        answer_new.status_code,
        answer_new["Location"],
    )
    assert answer_new["Location"] == reverse("account_email_verification_sent")
    # Both addresses got one email; the known account is unchanged and not duplicated.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "known@example.org",
        "new@example.org",
    ]
    known.refresh_from_db()
    assert (known.password, User.objects.count() - 1) == before
    assert known.check_password(PASSWORD)
