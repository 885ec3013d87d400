"""Fixtures for the deadline engine: the real calendar and the default schedule."""

from __future__ import annotations

import pytest

from backend.worktime import default_schedule, package_calendar


@pytest.fixture(scope="session")
def calendar():
    """chinesecalendar 2004-2026, no override file."""
    return package_calendar()


@pytest.fixture(scope="session")
def standard():
    """08:30-12:00 and 13:30-17:30 on official working days (7.5 work-hours a day)."""
    return default_schedule()
