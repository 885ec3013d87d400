"""The PWA's pure logic (frontend/logic/*.test.js) under node's built-in test runner."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def test_node_unit_tests_of_the_pwa_logic_pass():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (>= 20) is needed for the PWA's unit tests: apt-get install nodejs")
    run = subprocess.run([node, "--test", "logic/"], cwd=FRONTEND, capture_output=True, text=True,
                         timeout=120)
    summary = [line for line in run.stdout.splitlines() if line.startswith("# ")]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert any(line.startswith("# pass ") and line != "# pass 0" for line in summary), summary
