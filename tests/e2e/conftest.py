"""End-to-end fixtures: a real uvicorn server on 127.0.0.1 with its own data dir and its own copy
of frontend/ (so a test can ship a "new version" of the app), and Debian's Chromium driven by
Playwright with a persistent profile (service worker, IndexedDB and caches survive a restart).

Never downloads a browser: Chromium comes from Debian (`apt-get install chromium fonts-noto-cjk`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
from tests.support import SHARED_PHOTOS as PHOTOS  # noqa: F401  checked by `shared_photos`
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
from tests.e2e.flows import PASSWORD, PASSWORDS  # noqa: E402
VIEWPORT = {"width": 360, "height": 640}


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a child process, killing it if it has not exited within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`xunjian serve` in a subprocess; stop() and start() again keep the same data and port."""

    def __init__(self, root: Path, extra_env: dict[str, str] | None = None) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.frontend = root / "frontend"
        shutil.copytree(FRONTEND, self.frontend)
        env = {k: v for k, v in os.environ.items() if not k.startswith("XUNJIAN_")}
        env.update(XUNJIAN_DATA_DIR=str(root / "data"), XUNJIAN_FRONTEND_DIR=str(self.frontend),
                   XUNJIAN_ARGON2_TIME_COST="1", XUNJIAN_ARGON2_MEMORY_KIB="8192",
                   XUNJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS="1000", **(extra_env or {}))
        self.env = env
        self.cli = [str(Path(sys.executable).parent / "xunjian")]
        for step in (["db", "upgrade"], ["demo"]):
            subprocess.run(self.cli + step, env=env, cwd=REPO, check=True, capture_output=True)
        self.proc: subprocess.Popen | None = None
        self.log = root / "server.log"

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cli + ["serve", "--port", str(self.port)], env=self.env,
                                     cwd=REPO, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc:
            stop_process(self.proc)
        self.proc = None

    def token(self, username: str, password: str | None = None) -> str:
        r = httpx.post(f"{self.url}/api/auth/login",
                       json={"username": username, "password": password or PASSWORDS.get(username, PASSWORD)})
        r.raise_for_status()
        return r.json()["access_token"]

    def get(self, path: str, username: str, **kw):  # noqa: ANN003, ANN201
        r = httpx.get(f"{self.url}{path}", headers={"Authorization": f"Bearer {self.token(username)}"},
                      timeout=30, **kw)
        r.raise_for_status()
        return r

    def post(self, path: str, username: str, **kw):  # noqa: ANN003, ANN201
        """A POST as the user; the answer as it comes (a refusal is the test's to check)."""
        return httpx.post(f"{self.url}{path}", headers={"Authorization": f"Bearer {self.token(username)}"},
                          timeout=30, **kw)

    def has_path(self, path: str) -> bool:
        return path in httpx.get(f"{self.url}/api/openapi.json").json()["paths"]


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")


@pytest.fixture
def server(tmp_path_factory):  # noqa: ANN001, ANN201
    """A fresh server per test: each scenario counts findings from zero."""
    srv = Server(tmp_path_factory.mktemp("xj-e2e"))
    srv.start()
    yield srv
    srv.stop()
    # Shown by pytest only when the test failed: what the server said.
    print("---- server log (tail) ----\n" + srv.log.read_text(errors="replace")[-4000:])


class Browser:
    """A persistent Chromium profile that can be closed and reopened like a phone's browser."""

    def __init__(self, playwright, profile: Path) -> None:  # noqa: ANN001
        self.playwright = playwright
        self.profile = profile
        self.context = None

    def open(self):  # noqa: ANN201
        _require_chromium()
        self.context = self.playwright.chromium.launch_persistent_context(
            str(self.profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True,
            locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow",
            accept_downloads=True)
        self.context.set_default_timeout(20000)
        self.context.on("console", lambda m: m.type in ("error", "warning") and
                        print(f"[browser {m.type}] {m.text}"))
        self.context.on("weberror", lambda e: print(f"[browser pageerror] {e.error}"))
        return self.context

    def page(self):  # noqa: ANN201
        return self.context.pages[0] if self.context.pages else self.context.new_page()

    def close(self) -> None:
        if self.context:
            self.context.close()
            self.context = None


@pytest.fixture
def browser(tmp_path):  # noqa: ANN001, ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = Browser(p, tmp_path / "profile")
        b.open()
        yield b
        b.close()
