"""Typed dependencies: who is calling, what they may see, and role guards.

Two ways in, one check (`service.authenticate`, one statement): the dependencies below for
ordinary endpoints, and `BearerToken` for the ingestion endpoints, which read the caller inside
their one write step (`backend.transaction.run_write`) instead of in a dependency of their own
(resolving dependencies cost a fifth of a one-finding request, tests/bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from backend.auth import service
from backend.auth.models import Role
from backend.auth.scope import Scope
from backend.auth.service import Caller
from backend.clock import CLIENT_TIME_HEADER
from backend.config import get_settings
from backend.transaction import SessionDep
from backend.errors import Forbidden, Unauthorized

# Documents the scheme in OpenAPI; the token itself is read by `bearer_token`.
_bearer_scheme = HTTPBearer(auto_error=False, description="登录后获得的令牌")


async def bearer_token(request: Request) -> str:
    """The bearer token as sent, not yet checked (`authenticate` checks it). A request
    without one is refused (401) before its body is validated (422)."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if not (scheme and token) or scheme.lower() != "bearer":
        raise Unauthorized()
    return token


BearerToken = Annotated[str, Depends(bearer_token)]

# What an ingestion endpoint reads itself, documented as the dependencies would have been.
INGEST_OPENAPI = {
    "security": [{"HTTPBearer": []}],
    "parameters": [{"name": "x-client-time", "in": "header", "required": False,
                    "description": CLIENT_TIME_HEADER, "schema": {"type": "string"}}],
}


def _current(request: Request, session: SessionDep, token: BearerToken,
             _scheme: Annotated[object, Depends(_bearer_scheme)]) -> tuple[Caller, Scope]:
    """The caller and their scope, in one statement and one worker-thread hop (a second
    `def` dependency for the scope would cost a second hop on every request)."""
    user, scope = service.authenticate(session, get_settings(), token)
    request.state.user_id = user.id
    return user, scope


_Current = Annotated[tuple[Caller, Scope], Depends(_current)]


def _self_service(request: Request, session: SessionDep, token: BearerToken,
                  _scheme: Annotated[object, Depends(_bearer_scheme)]) -> Caller:
    """The caller, even one still holding a one-time password: for the few endpoints that let
    them see who they are, change it or log out."""
    user, _ = service.authenticate(session, get_settings(), token, password_pending_ok=True)
    request.state.user_id = user.id
    return user


SelfServiceUser = Annotated[Caller, Depends(_self_service)]


# The trivial dependencies are `async def`: FastAPI runs a plain `def` dependency in a worker
# thread, a hop that cost more than the work (tests/bench/RESULTS.md, issue 5).
async def get_current_user(current: _Current) -> Caller:
    return current[0]


async def get_scope(current: _Current) -> Scope:
    return current[1]


CurrentUser = Annotated[Caller, Depends(get_current_user)]
ScopeDep = Annotated[Scope, Depends(get_scope)]


def require_roles(*roles: Role) -> Callable[[Caller], Caller]:
    allowed = set(roles)

    async def guard(user: CurrentUser) -> Caller:
        if user.role not in allowed:
            raise Forbidden()
        return user

    return guard


AdminUser = Annotated[Caller, Depends(require_roles(Role.admin))]
SupervisorUser = Annotated[Caller, Depends(require_roles(Role.supervisor, Role.admin))]
