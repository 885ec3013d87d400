"""Typed dependencies: who is calling, what they may see, and role guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.auth import service
from backend.auth.models import AuthToken, Role, User
from backend.auth.scope import Scope, scope_for
from backend.config import get_settings
from backend.db import SessionDep
from backend.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="登录后获得的令牌")


def _current(request: Request, session: SessionDep,
             credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
             ) -> tuple[User, AuthToken]:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    user, token = service.authenticate(session, get_settings(), credentials.credentials)
    request.state.user_id = user.id
    return user, token


async def get_current_user(current: Annotated[tuple[User, AuthToken], Depends(_current)]) -> User:
    return current[0]


async def get_current_token(current: Annotated[tuple[User, AuthToken], Depends(_current)]) -> AuthToken:
    return current[1]


# The trivial dependencies are `async def`: FastAPI runs a plain `def` dependency in a worker
# thread, a hop that cost more than the work (tests/bench/RESULTS.md, issue 5).
CurrentUser = Annotated[User, Depends(get_current_user)]
CurrentToken = Annotated[AuthToken, Depends(get_current_token)]


def get_scope(session: SessionDep, user: CurrentUser) -> Scope:
    return scope_for(session, user)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    allowed = set(roles)

    async def guard(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden()
        return user

    return guard


AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
