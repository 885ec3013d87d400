"""What a user does, as reusable steps for the end-to-end tests."""

from __future__ import annotations

import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
PASSWORD = "xunjian-demo"
PASSWORDS = {"admin": "xunjian-admin"}  # backend/demo.py DEMO_LOGINS


def screenshot(page, name: str, *, at_top: bool = True) -> None:  # noqa: ANN001
    """The screen as the user sees it: from its top, or (`at_top=False`) where it is scrolled."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("(top) => { document.activeElement && document.activeElement.blur(); if (top) scrollTo(0, 0); }",
                  at_top)
    page.wait_for_timeout(150)  # let fonts and images settle
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def login(page, base_url: str, username: str, password: str | None = None,  # noqa: ANN001
          *, forced_change: str | None = None) -> None:
    """Log in; with `forced_change`, the password is a one-time one, replaced by that one."""
    page.goto(base_url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or PASSWORDS.get(username, PASSWORD))
    page.get_by_role("button", name="登录").click()
    if forced_change:
        page.get_by_role("heading", name="修改密码").wait_for()
        page.get_by_label("临时密码").fill(password)
        page.get_by_label("新密码（至少 8 位）").fill(forced_change)
        page.get_by_label("再次输入新密码").fill(forced_change)
        page.get_by_role("button", name="保存新密码").click()
    page.locator(".tab-bar").wait_for()


def logout(page) -> None:  # noqa: ANN001
    page.goto(page.url.split("#")[0] + "#/me")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for()


def wait_for_worker(page) -> None:  # noqa: ANN001
    """Until the service worker controls the page, so the shell is cached and served offline.

    A document whose navigation was in flight while the first worker activated can miss
    clients.claim() and stay uncontrolled (a Chromium race, harmless for users: the next load is
    controlled); then one reload, as a user's next visit, settles it."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # active, shell precached
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    try:
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                               timeout=20000)
    except Exception as exc:
        state = page.evaluate("""async () => {
          const r = await navigator.serviceWorker.getRegistration();
          return r ? { installing: r.installing && r.installing.state, waiting: r.waiting && r.waiting.state,
                       active: r.active && r.active.state, caches: await caches.keys() } : 'no registration';
        }""")
        raise AssertionError(f"no service worker controls the page: {state}") from exc


def wait_until(page, script: str, arg=None, timeout: float = 20) -> None:  # noqa: ANN001
    """Poll an async page function until it returns truthy. (page.wait_for_function does not
    await a returned promise: an async predicate would pass at once.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {script.strip()[:200]} ({arg!r})")
        time.sleep(0.2)


def wait_for_cache(page, name: str) -> None:  # noqa: ANN001
    """Until the pull has put `name` (compounds, catalog, tickets...) into IndexedDB."""
    wait_until(page, """async (name) => {
          const { getMeta, cacheGet } = await import('./db.js');
          const user = await getMeta('current');
          const data = await cacheGet(user, name);
          return !!data && (!Array.isArray(data) || data.length > 0);
        }""", name)
    # ... and until the screens show it: the app re-reads its data after each pull.
    wait_until(page, "async () => !(await import('./sync.js')).status.pulling")


def outbox(page) -> list[dict]:  # noqa: ANN001
    return page.evaluate("""async () => {
      const { allItems } = await import('./db.js');
      return (await allItems()).map(({ id, owner, kind, state, accepted, photos, photosHeld, error, payload }) =>
        ({ id, owner, kind, state, accepted, photos, photosHeld, error, payload }));
    }""")


def wait_outbox(page, predicate, timeout: float = 60) -> list[dict]:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    items = outbox(page)
    while time.monotonic() < deadline:
        items = outbox(page)
        if predicate(items):
            return items
        page.evaluate("async () => (await import('./sync.js')).runOutbox({ force: true })")
        time.sleep(0.5)
    raise AssertionError(f"outbox never reached the expected state: {items}")


def log_finding(page, compound: str, query: str, photos: list[Path], note: str) -> None:  # noqa: ANN001
    page.goto(page.url.split("#")[0] + "#/compounds")
    page.get_by_role("link", name=compound).first.click()
    page.get_by_label("问题类型").fill(query)
    page.locator(".chip").first.click()
    page.locator("[data-testid=photo-gallery]").set_input_files([str(p) for p in photos])
    page.locator(".photo-picker-item").nth(len(photos) - 1).wait_for(timeout=30000)
    page.get_by_label("说明").fill(note)
    page.get_by_role("button", name="保存（离线也可）").click()
    page.locator("[data-testid=outbox-summary]").wait_for()


def all_sent(count: int):  # noqa: ANN201
    return lambda items: len(items) == count and all(i["state"] == "sent" for i in items)


def server_findings(server, username: str = "inspector") -> list[dict]:  # noqa: ANN001
    """Every finding the user logged in the test (the demo's month of work left out), as the
    server holds it, with the photos it holds."""
    from backend.demo_activity import finding_ids

    page = server.get("/api/findings?limit=100&mine=true", username).json()
    assert page["total"] == len(page["items"])
    demo = {str(i) for i in finding_ids()}
    out = []
    for t in page["items"]:
        if t["id"] in demo:
            continue
        held = server.get(f"/api/findings/{t['id']}/photos", username).json()
        out.append({**t, "photo_status": held})
    return out


def seed_ticket(server, compound_name: str, photo: Path, description: str) -> str:  # noqa: ANN001
    """A ticket with a before-photo, logged by the inspector through the API (not the PWA)."""
    import hashlib
    import uuid as _uuid

    import httpx
    import uuid_utils

    headers = {"Authorization": f"Bearer {server.token('inspector')}"}
    r = httpx.get(f"{server.url}/api/compounds?limit=100", headers=headers)
    assert r.status_code == 200, r.text
    compounds = r.json()["items"]
    compound = next(c for c in compounds if c["name"] == compound_name)
    data = photo.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    finding_id = str(_uuid.UUID(bytes=uuid_utils.uuid7().bytes))
    r = httpx.post(f"{server.url}/api/findings", headers=headers, json={
        "id": finding_id, "compound_id": compound["id"], "catalog_code": "JC04",
        "description": description, "observed_at": "2026-11-20T10:00:00+08:00",
        "photos": [{"sha256": sha, "bytes": len(data)}]})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{server.url}/api/photos", headers=headers, data={"finding_id": finding_id},
                   files={"file": ("before.jpg", data, "image/jpeg")}, timeout=60)
    assert r.status_code == 200, r.text
    return finding_id


def rectify_via_api(server, ticket_id: str, photo: Path, note: str,  # noqa: ANN001
                    at: str | None = None) -> None:
    import hashlib
    import uuid as _uuid

    import httpx
    import uuid_utils

    headers = {"Authorization": f"Bearer {server.token('manager')}"}
    data = photo.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    event_id = str(_uuid.UUID(bytes=uuid_utils.uuid7().bytes))
    r = httpx.post(f"{server.url}/api/tickets/{ticket_id}/events", headers=headers, json={
        "id": event_id, "ticket_id": ticket_id, "kind": "rectify", "note": note, "at": at,
        "photos": [{"sha256": sha, "bytes": len(data)}]})
    assert r.status_code in (200, 201), r.text
    r = httpx.post(f"{server.url}/api/photos", headers=headers, data={"finding_id": ticket_id},
                   files={"file": ("after.jpg", data, "image/jpeg")}, timeout=60)
    assert r.status_code == 200, r.text
