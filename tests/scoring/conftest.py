"""Shared fixtures: the real rubric files of rubrics/ and a helper to build observations."""

from __future__ import annotations

import pytest

from backend.rubrics.loader import default_rubrics_dir, load_dir
from backend.scoring.observations import from_data


@pytest.fixture(scope="session")
def lib():
    library = load_dir(default_rubrics_dir())
    assert not library.errors, library.errors
    return library


def obs(observations: dict | None = None, **top):
    """One subject's Observations from plain data (as an observations file would hold it)."""
    data = {"observations": observations or {}, **top}
    (o,) = from_data(data).values()
    return o


@pytest.fixture
def make_obs():
    return obs
