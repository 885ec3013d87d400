"""The rectification loop's fixtures (a settable clock, real photos, API helpers)."""

from tests.findings.conftest import api, clock  # noqa: F401
