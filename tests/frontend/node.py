"""Running the PWA's ES modules under node for the parity tests: a script reads a JSON payload
on stdin and writes its JSON answer on stdout, from frontend/ (relative imports resolve)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def run_module(script: str, payload: Any, timeout: int = 120) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (>= 20) is needed for the PWA's tests: apt-get install nodejs")
    run = subprocess.run([node, "--input-type=module", "-e", script], cwd=FRONTEND, text=True,
                         input=json.dumps(payload), capture_output=True, timeout=timeout)
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(run.stdout)
