"""The app shell: within its weight budget, every file precached, and the service worker's
VERSION stamped from the files' content so every change reaches the phones."""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
sys.path.insert(0, str(FRONTEND / "scripts"))

import stamp_sw  # noqa: E402

BUDGET = 60 * 1024  # issue 6: libraries + app code + styles, gzipped


def shell() -> list[str]:
    return stamp_sw.shell_files((FRONTEND / "sw.js").read_text())


def test_app_shell_is_at_most_60_kb_gzipped():
    """Each file gzipped on its own (as served), icons excluded, the worker included."""
    files = [f for f in shell() if f.endswith((".js", ".css", ".html", ".webmanifest"))] + ["sw.js"]
    sizes = {f: len(gzip.compress((FRONTEND / f).read_bytes(), 9)) for f in files}
    total = sum(sizes.values())
    report = "\n".join(f"{n:6d}  {f}" for f, n in sorted(sizes.items(), key=lambda x: -x[1]))
    print(f"app shell: {total} bytes gzipped\n{report}")
    assert total <= BUDGET, f"app shell is {total} bytes gzipped, budget {BUDGET}\n{report}"


def test_every_module_and_stylesheet_is_precached():
    """In the shell, or among the screens' modules the worker caches beside it."""
    served = {p.relative_to(FRONTEND).as_posix() for p in FRONTEND.rglob("*")
              if p.suffix in {".js", ".css"} and "scripts" not in p.parts and not p.name.endswith(".test.js")}
    served.discard("sw.js")
    cached = set(stamp_sw.precached((FRONTEND / "sw.js").read_text()))
    assert served <= cached, f"missing from SHELL or MODULES in sw.js: {sorted(served - cached)}"
    for f in cached:
        assert (FRONTEND / f).is_file() or f == "", f


def test_worker_version_is_stamped_from_the_shell_content():
    text = (FRONTEND / "sw.js").read_text()
    stamped = re.search(r"const VERSION = '([^']*)';", text).group(1)
    assert stamped == stamp_sw.shell_hash(text), \
        "frontend changed but sw.js VERSION did not: run python frontend/scripts/stamp_sw.py"


def test_imports_are_relative_es_modules_with_no_bare_specifiers():
    """No bundler and no import map: every import must be a path the browser can fetch."""
    for f in stamp_sw.precached((FRONTEND / "sw.js").read_text()):
        if f.endswith(".js"):
            for spec in re.findall(r"""(?<![\w./'"])(?:from|import)\s*\(?\s*["']([^"']+)["']""",
                                   (FRONTEND / f).read_text()):
                assert spec.startswith("./") or spec.startswith("../"), f"{f}: {spec}"
