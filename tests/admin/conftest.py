"""The demo district (tests/findings/conftest.py) for the rules-in-force tests, and each test
leaving the rules as the files give them (settings are put in force process-wide)."""

import pytest

from backend.findings import deadlines
from backend.rubrics import library
from backend.rubrics.loader import Overlay
from tests.findings.conftest import api, clock, demo  # noqa: F401  fixtures shared


@pytest.fixture(autouse=True)
def rules_from_the_files():  # noqa: ANN201
    yield
    library.use_settings(Overlay())
    deadlines.use_settings({}, {})
