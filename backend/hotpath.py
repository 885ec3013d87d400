"""What the ingestion endpoints read from a request with the least of FastAPI's dependency
injection.

`POST /api/findings` and `POST /api/sync/findings` are what the phones hit hardest. Resolving
their dependencies (session, write turn, bearer token, clock) through FastAPI cost about a
fifth of a one-finding request (tests/bench/RESULTS.md, issue 5), so these endpoints keep
only the bearer token as a dependency, take the `Request`, and read the rest here with the
same functions and the same refusals. `OPENAPI` documents the header and the security
scheme as the dependencies would have. Their work runs in one step, on SQLite inline on the
event loop whenever the write lock is free (`run_write`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security.utils import get_authorization_scheme_param

from backend.db import run_write
from backend.errors import Unauthorized
from backend.sync.clock import CLIENT_TIME_HEADER, RequestClock, request_clock

__all__ = ["OPENAPI", "BearerToken", "clock", "run_write"]

OPENAPI = {
    "security": [{"HTTPBearer": []}],
    "parameters": [{"name": "x-client-time", "in": "header", "required": False,
                    "description": CLIENT_TIME_HEADER, "schema": {"type": "string"}}],
}


async def bearer_token(request: Request) -> str:
    """The bearer token as sent, not yet checked (`authenticate` checks it): read as
    FastAPI's HTTPBearer reads it. The one dependency these endpoints keep, so that a request
    without a token is refused (401) before its body is validated (422)."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if not (scheme and token) or scheme.lower() != "bearer":
        raise Unauthorized()
    return token


BearerToken = Annotated[str, Depends(bearer_token)]


async def clock(request: Request) -> RequestClock:
    return await request_clock(request.headers.get("x-client-time"))
