"""Typed dependencies: who is calling, what they may see, and role guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.auth import service
from backend.auth.models import Role
from backend.auth.scope import Scope
from backend.auth.service import Caller
from backend.config import get_settings
from backend.db import SessionDep
from backend.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="登录后获得的令牌")


def _current(request: Request, session: SessionDep,
             credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
             ) -> tuple[Caller, Scope]:
    """The caller and their scope, in one statement and one worker-thread hop (a second
    `def` dependency for the scope would cost a second hop on every request)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    user, scope = service.authenticate(session, get_settings(), credentials.credentials)
    request.state.user_id = user.id
    return user, scope


_Current = Annotated[tuple[Caller, Scope], Depends(_current)]


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
