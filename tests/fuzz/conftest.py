"""Counts of the OpenAPI fuzz (test_openapi_fuzz.py), printed at the end of the run."""

from __future__ import annotations

from collections import Counter

import pytest

RUN: Counter = Counter()


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if RUN["cases"]:
        statuses = ", ".join(f"{k.split()[1]}: {v}" for k, v in sorted(RUN.items())
                             if k.startswith("status "))
        terminalreporter.write_line(
            f"OpenAPI fuzz: {RUN['cases']} cases, {RUN['server_errors']} server errors, "
            f"{RUN['schema_violations']} schema violations (answers by status: {statuses})")


@pytest.fixture
def fuzz_counts() -> Counter:
    return RUN
