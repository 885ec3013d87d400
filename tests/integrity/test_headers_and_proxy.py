"""Issue 12 §5 and §8: security headers on every answer, a Content-Security-Policy the PWA
works under (its end-to-end tests run with it), and login limits that a rotated
X-Forwarded-For cannot get round."""

from __future__ import annotations

import asyncio

import httpx
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def test_every_answer_carries_the_security_headers(client, world):
    for path in ("/", "/app.js", "/api/health", "/api/auth/me", "/api/nowhere"):
        r = client.get(path, headers=world.headers("inspector"))
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["referrer-policy"] == "same-origin", path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    docs = client.get("/api/docs").headers["content-security-policy"]
    assert "cdn.jsdelivr.net" in docs  # Swagger UI, on the documentation page only


def _logins(app, *, trusted: str) -> list[int]:
    """31 failed logins from one machine, each claiming another X-Forwarded-For."""
    wrapped = ProxyHeadersMiddleware(app, trusted_hosts=trusted)

    async def go() -> list[int]:
        transport = httpx.ASGITransport(app=wrapped, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return [(await c.post("/api/auth/login", json={"username": f"nobody{i}",
                                                           "password": "wrong"},
                                  headers={"X-Forwarded-For": f"203.0.113.{i}"})).status_code
                    for i in range(31)]
    return asyncio.run(go())


def test_a_rotated_forwarded_for_from_an_untrusted_peer_does_not_reset_the_login_limit(app):
    """The peer 127.0.0.1 is not the configured proxy (here 10.0.0.2): its header is ignored,
    every failure counts against 127.0.0.1, and the 31st attempt is throttled."""
    statuses = _logins(app, trusted="10.0.0.2")
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_the_trusted_proxy_is_believed(app):
    """From the configured proxy (nginx overwrites the header with the client's own address),
    each address is its own client: 31 different clients, none throttled."""
    assert set(_logins(app, trusted="127.0.0.1")) == {401}


def test_serve_believes_only_the_configured_proxies(monkeypatch):
    import uvicorn

    from backend.system.cli import serve

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    serve(host="127.0.0.1", port=8000, workers=1, reload=False)
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "127.0.0.1"
