"""The dialogues tests' shared world: a working group created by the secretariat, with one
convener; both enrolled in two-factor authentication, as privileged people must be."""

import pytest

from dialogues.services import working_group_create
from tests.conftest import enrol_totp
from tests.factories import UserFactory


@pytest.fixture
def wg_convener(db):
    user = UserFactory(email="wg-convener@example.org")
    enrol_totp(user)
    return user


@pytest.fixture
def working_group(enrolled_reviewer, wg_convener):
    return working_group_create(
        by=enrolled_reviewer,
        name="Security Interventions",
        slug="security-interventions",
        conveners=[wg_convener],
    )
