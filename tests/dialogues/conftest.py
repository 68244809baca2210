"""The dialogues tests use the shared world of tests/conftest.py (a working group created by
the secretariat, with one convener, both enrolled in two-factor authentication); its meeting
helper is re-exported here for the tests that import it from this package."""

from tests.conftest import ON_THE_WAY, SOON, new_meeting

__all__ = ["ON_THE_WAY", "SOON", "new_meeting"]
