"""The demo district (tests/findings/conftest.py) for the rules-in-force tests, and each test
leaving the rules as the files give them (settings are put in force process-wide)."""

import pytest

from backend.configuration import service as configuration
from tests.findings.conftest import api, clock, demo  # noqa: F401  fixtures shared


@pytest.fixture(autouse=True)
def rules_from_the_files(db):  # noqa: ANN001, ANN201
    yield
    configuration.observe(db, None)  # the settings rolled back: the files alone
