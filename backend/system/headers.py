"""Security headers on every response, as a plain ASGI middleware (Starlette's
BaseHTTPMiddleware costs a task and a queue per request: measurable on the ingestion path).

The Content-Security-Policy is the PWA's: its own scripts, styles and workers only; photos
from the API, blobs and data: thumbnails; no framing anywhere. The API documentation pages
load Swagger UI from its CDN and get a policy that allows that, on those pages only.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_APP_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
               "img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; "
               "manifest-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
               "form-action 'self'; frame-ancestors 'none'")
_DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
                "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
                "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
                "object-src 'none'; frame-ancestors 'none'")
_COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY")]
_APP_HEADERS = [*_COMMON, (b"content-security-policy", _APP_POLICY.encode())]
_DOCS_HEADERS = [*_COMMON, (b"content-security-policy", _DOCS_POLICY.encode())]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, docs_path: str = "/api/docs") -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _DOCS_HEADERS if scope["path"].startswith(self.docs_path) else _APP_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
