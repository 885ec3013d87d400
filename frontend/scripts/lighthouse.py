#!/usr/bin/env python3
"""Lighthouse accessibility audit of the PWA's main screens, end to end.

    .venv/bin/python frontend/scripts/lighthouse.py [--min 95] [--lighthouse PATH] [--keep DIR]
                                                    [--only NAME,…] [--desktop]

What it does:
  1. starts a temporary `xunjian serve` with its own data dir (db upgrade + demo data) on a free
     127.0.0.1 port, and seeds tickets through the API (one overdue, one rectified);
  2. for each role (inspector, manager, supervisor, admin) launches Debian's Chromium (/usr/bin/chromium,
     never a downloaded one) with --remote-debugging-port and its own profile, logs in through the
     login form with Playwright over CDP, and prepares the screens (a finding logged, a rubric
     inspection started);
  3. runs `lighthouse <url> --port=<debug port> --only-categories=accessibility
     --disable-storage-reset` on every main screen at 360 x 640 (mobile), so the logged-in state in
     IndexedDB is kept;
  4. prints the score of each screen and the failing audits, and exits 1 if any score is below
     --min (default 95).

Lighthouse comes from npm: `--lighthouse PATH`, else $LIGHTHOUSE, else `lighthouse` on PATH, else
frontend/node_modules/.bin/lighthouse (gitignored), else it is installed once into a temporary
directory with `npm install --prefix <tmp> lighthouse@12`. Not part of the pytest suite: the tests
must not depend on npm at run time.

Every process it starts (server, browsers) is stopped by its PID at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # the end-to-end tests' server and browser steps, reused below

from backend.ids import new_id  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, free_port, stop_process  # noqa: E402
from tests.e2e.conftest import Server as AppServer  # noqa: E402
from tests.e2e.flows import login, wait_for_cache, wait_until  # noqa: E402

FRONTEND = REPO / "frontend"
# Lighthouse drives the browser itself over the debugging port: headless from the start.
CHROME_FLAGS = ["--headless=new", *CHROMIUM_ARGS, "--no-default-browser-check"]


def log(msg: str) -> None:
    print(msg, flush=True)


# ----------------------------------------------------------------------------- lighthouse binary

def find_lighthouse(explicit: str | None, tmp: Path) -> list[str]:
    for candidate in (explicit, os.environ.get("LIGHTHOUSE"), shutil.which("lighthouse"),
                      str(FRONTEND / "node_modules" / ".bin" / "lighthouse")):
        if candidate and Path(candidate).exists():
            return [candidate]
    npm = shutil.which("npm")
    if not npm:
        sys.exit("lighthouse not found and npm is missing: install Node.js and npm, or pass --lighthouse")
    prefix = tmp / "npm"
    log(f"installing lighthouse from npm into {prefix} …")
    subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "lighthouse@12"],
                   check=True, stdout=subprocess.DEVNULL)
    return [str(prefix / "node_modules" / ".bin" / "lighthouse")]


# ----------------------------------------------------------------------------- server

class Server(AppServer):
    """The end-to-end tests' server (its own data dir, demo data), started at once, with the
    tickets the manager's and supervisor's screens show."""

    def __init__(self, root: Path) -> None:
        import httpx

        super().__init__(root)
        self.httpx = httpx
        self.start()

    def headers(self, username: str) -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def seed(self) -> dict:
        """Tickets for the manager and supervisor screens, with before (and after) photos."""
        inspector = self.headers("inspector")
        r = self.httpx.get(f"{self.url}/api/compounds?limit=100", headers=inspector)
        r.raise_for_status()
        compounds = r.json()["items"]
        manager = self.headers("manager")
        r = self.httpx.get(f"{self.url}/api/compounds?limit=100", headers=manager)
        r.raise_for_status()
        managed = {c["id"] for c in r.json()["items"]}
        compound = next(c for c in compounds if c["id"] in managed)
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
        ids = {}
        for name, days, text in (("overdue", 20, "1号楼东侧井盖缺失"), ("open", 0, "3号楼门前垃圾堆放"),
                                 ("rectified", 1, "2号楼雨水箅子破损")):
            data = jpeg(text)
            sha = hashlib.sha256(data).hexdigest()
            fid = str(new_id())
            at = (now - dt.timedelta(days=days, minutes=5)).isoformat(timespec="seconds")
            r = self.httpx.post(f"{self.url}/api/findings", headers=inspector, json={
                "id": fid, "compound_id": compound["id"], "catalog_code": "JC04", "description": text,
                "observed_at": at, "photos": [{"sha256": sha, "bytes": len(data)}]})
            assert r.status_code == 201, r.text
            r = self.httpx.post(f"{self.url}/api/photos", headers=inspector, data={"finding_id": fid},
                                files={"file": ("before.jpg", data, "image/jpeg")}, timeout=60)
            assert r.status_code == 200, r.text
            ids[name] = fid
        data = jpeg("after")
        sha = hashlib.sha256(data).hexdigest()
        r = self.httpx.post(f"{self.url}/api/tickets/{ids['rectified']}/events", headers=manager, json={
            "id": str(new_id()), "ticket_id": ids["rectified"], "kind": "rectify", "note": "已更换",
            "photos": [{"sha256": sha, "bytes": len(data)}]})
        assert r.status_code in (200, 201), r.text
        r = self.httpx.post(f"{self.url}/api/photos", headers=manager, data={"finding_id": ids["rectified"]},
                            files={"file": ("after.jpg", data, "image/jpeg")}, timeout=60)
        assert r.status_code == 200, r.text
        ids["compound"] = compound["id"]
        self.make_overdue(ids["overdue"])
        return ids

    def make_overdue(self, ticket_id: str) -> None:
        """A ticket is due by its deadline counted from when the server received it, so a fresh
        demo has none overdue; move one due time into the past in this throwaway database (before
        any phone pulls), so the red overdue rows are audited too."""
        import sqlite3

        past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)).replace(tzinfo=None)
        with sqlite3.connect(Path(self.env["XUNJIAN_DATA_DIR"]) / "xunjian.db") as con:
            n = con.execute("UPDATE ticket SET due_at = ? WHERE id = ?",
                            (past.strftime("%Y-%m-%d %H:%M:%S.%f"), uuid.UUID(ticket_id).hex)).rowcount
        if n != 1:
            sys.exit(f"could not make ticket {ticket_id} overdue")


def jpeg(text: str) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (90, 110, 130))
    ImageDraw.Draw(img).rectangle((200, 150, 440, 330), fill=(200, 80, 40))
    img.putpixel((0, 0), tuple(hashlib.sha256(text.encode()).digest()[:3]))  # distinct bytes per photo
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


# ----------------------------------------------------------------------------- browser

class Chromium:
    """Debian's Chromium with a debugging port and its own profile (one per role)."""

    def __init__(self, playwright, profile: Path) -> None:  # noqa: ANN001
        self.port = free_port()
        self.proc = subprocess.Popen(
            [CHROMIUM, *CHROME_FLAGS, f"--remote-debugging-port={self.port}", f"--user-data-dir={profile}",
             f"--window-size={VIEWPORT['width']},{VIEWPORT['height']}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{self.port}")
                break
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.3)
        context = self.browser.contexts[0]
        self.page = context.pages[0] if context.pages else context.new_page()
        self.page.set_viewport_size(VIEWPORT)

    def park(self) -> None:
        """Leave the app: Lighthouse opens its own tab; ours must not run syncs meanwhile."""
        self.page.goto("about:blank")

    def stop(self) -> None:
        try:
            self.browser.close()
        except Exception:  # noqa: BLE001
            pass
        stop_process(self.proc)


# ----------------------------------------------------------------------------- audit

DESKTOP = {"width": 1280, "height": 800}


def audit(lighthouse: list[str], url: str, port: int, out: Path, desktop: bool = False) -> dict:
    screen = ["--form-factor=desktop", "--screenEmulation.mobile=false",
              f"--screenEmulation.width={DESKTOP['width']}", f"--screenEmulation.height={DESKTOP['height']}",
              "--screenEmulation.deviceScaleFactor=1"] if desktop else [
        "--form-factor=mobile", "--screenEmulation.mobile", f"--screenEmulation.width={VIEWPORT['width']}",
        f"--screenEmulation.height={VIEWPORT['height']}", "--screenEmulation.deviceScaleFactor=2"]
    cmd = [*lighthouse, url, f"--port={port}", "--only-categories=accessibility", "--output=json",
           f"--output-path={out}", "--disable-storage-reset", *screen,
           "--throttling-method=provided", "--quiet"]
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{proc.stderr[-3000:]}")
    report = json.loads(out.read_text())
    score = report["categories"]["accessibility"]["score"]
    failing = []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        a = report["audits"][ref["id"]]
        if a.get("scoreDisplayMode") in ("binary", "numeric") and a.get("score") is not None and a["score"] < 1:
            items = (a.get("details") or {}).get("items") or []
            nodes = [((i.get("node") or {}).get("snippet") or "")[:120] for i in items[:4]]
            failing.append({"id": ref["id"], "weight": ref.get("weight"), "title": a["title"], "nodes": nodes})
    return {"url": url, "score": None if score is None else round(score * 100), "failing": failing,
            "runtime_error": report.get("runtimeError")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--min", type=int, default=95, help="lowest acceptable score (default 95)")
    ap.add_argument("--lighthouse", help="path to the lighthouse CLI")
    ap.add_argument("--keep", help="keep the reports (JSON) in this directory")
    ap.add_argument("--only", help="comma-separated screen names to audit")
    ap.add_argument("--desktop", action="store_true", help="audit at 1280 x 800 (desk) instead of 360 x 640")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (no browser is downloaded)")

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="xj-lighthouse-"))
    reports = Path(args.keep) if args.keep else tmp / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    results: list[tuple[str, dict]] = []
    server = None
    try:
        lighthouse = find_lighthouse(args.lighthouse, tmp)
        version = subprocess.run([*lighthouse, "--version"], capture_output=True, text=True).stdout.strip()
        log(f"lighthouse {version}, chromium {CHROMIUM}, reports in {reports}")
        server = Server(tmp)
        ids = server.seed()
        base = server.url
        log(f"server {base} (data {tmp / 'data'})")

        def run(browser: Chromium, name: str, route: str) -> None:
            if only and name not in only:
                return
            browser.park()
            result = audit(lighthouse, f"{base}/{route}", browser.port, reports / f"{name}.json",
                           desktop=args.desktop)
            results.append((name, result))
            log(f"  {name:<20} {result['score']:>3}  {route}")
            for f in result["failing"]:
                log(f"      ✗ {f['id']} (weight {f['weight']}): {f['title']}")
                for n in f["nodes"]:
                    log(f"          {n}")

        with sync_playwright() as pw:
            # --- inspector (and the login screen, before logging in)
            b = Chromium(pw, tmp / "profile-inspector")
            try:
                b.page.goto(base + "/")
                b.page.get_by_label("用户名").wait_for()
                run(b, "login", "")
                login(b.page, base, "inspector")
                for name in ("compounds", "catalog", "rubrics"):
                    wait_for_cache(b.page, name)
                # one finding logged through the app, so the list shows a record with its state
                b.page.goto(f"{base}/#/new?compound={ids['compound']}")
                b.page.locator(".chip").first.click()
                b.page.get_by_label("说明").fill("单元门禁损坏")
                b.page.get_by_role("button", name="保存（离线也可）").click()
                b.page.wait_for_url("**/#/findings*")
                wait_until(b.page, "async () => (await (await import('./db.js')).allItems()).every((i) => i.state === 'sent')")
                # a rubric inspection in progress: #/inspect then shows the item-by-item screen
                b.page.goto(f"{base}/#/inspect")
                b.page.locator("[data-testid=plan-row]").get_by_role(
                    "button", name="开始明查").first.click()
                b.page.locator("[data-testid=running-score]").wait_for()
                run(b, "compounds", "#/compounds")
                run(b, "new-finding", f"#/new?compound={ids['compound']}")
                run(b, "inspection-item", "#/inspect")
                run(b, "findings", "#/findings")
                run(b, "me", "#/me")
            finally:
                b.stop()
            # --- property manager and supervisor: their screens once their tickets are cached
            for role, screens in (
                    ("manager", [("tickets", "#/tickets"), ("ticket", f"#/ticket/{ids['overdue']}"),
                                 ("rectify", f"#/ticket/{ids['open']}/rectify"), ("inbox", "#/inbox")]),
                    ("supervisor", [("dashboard", "#/dashboard"), ("scores", "#/scores"),
                                    ("ticket-verify", f"#/ticket/{ids['rectified']}"),
                                    ("hotline", "#/hotline"), ("hotline-review", "#/hotline/review"),
                                    ("hotline-conflicts", "#/hotline/conflicts")]),
                    ("admin", [("admin-overview", "#/admin"), ("admin-org", "#/admin/org"),
                               ("admin-import", "#/admin/org/import"),
                               ("admin-users", "#/admin/users"), ("admin-new-user", "#/admin/users/new"),
                               ("admin-calendar", "#/admin/calendar"), ("admin-rules", "#/admin/rules"),
                               ("admin-notify", "#/admin/notify"), ("admin-log", "#/admin/log")])):
                b = Chromium(pw, tmp / f"profile-{role}")
                try:
                    login(b.page, base, role)
                    wait_for_cache(b.page, "tickets")
                    for name, route in screens:
                        run(b, name, route)
                finally:
                    b.stop()
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)  # data, profiles, npm; --keep reports live elsewhere

    print()
    size = "1280 x 800 desktop" if args.desktop else "360 x 640 mobile"
    print(f"Lighthouse accessibility, {dt.date.today().isoformat()}, {size}:")
    below = []
    for name, r in results:
        print(f"  {name:<20} {r['score']}")
        if r["score"] is None or r["score"] < args.min:
            below.append(name)
    if below:
        print(f"below {args.min}: {', '.join(below)}")
        return 1
    print(f"all {len(results)} screens ≥ {args.min}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
