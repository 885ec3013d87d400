"""Login, logout, the caller's own profile and logins, and user administration."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from backend.auth import service, users
from backend.auth.dependencies import AdminUser, CurrentUser, SelfServiceUser
from backend.auth.models import AuthToken, LoginRequest, LoginResponse, OneTimePassword, \
    PasswordChange, Role, TokenPublic, User, UserCreate, UserListed, UserPublic, UserUpdate
from backend.config import get_settings
from backend.transaction import SessionDep
from backend.auth.errors import REFUSALS
from backend.errors import error_responses

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/login", response_model=LoginResponse, responses=error_responses(401, 429))
def login(body: LoginRequest, request: Request, session: SessionDep) -> LoginResponse:
    """Exchange a username and password for a bearer token valid for weeks (sliding)."""
    address = request.client.host if request.client else "unknown"
    token, row, user = service.login(session, get_settings(), username=body.username,
                                     password=body.password, address=address,
                                     client=request.headers.get("user-agent"))
    return LoginResponse(access_token=token, expires_at=row.expires_at,
                         user=users.user_public(session, user))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT,
             responses=error_responses(401))
def logout(session: SessionDep, user: SelfServiceUser) -> None:
    """Revoke the token this request was made with; it stops working at once."""
    service.revoke_login(session, user.token_id, caller_id=user.id, caller_is_admin=False)


@router.get("/auth/me", response_model=UserPublic, responses=error_responses(401))
def me(session: SessionDep, user: SelfServiceUser) -> UserPublic:
    return users.user_public(session, users.get_user(session, user.id))


@router.post("/auth/password", response_model=UserPublic, responses=error_responses(401, 422, 429))
def change_password(body: PasswordChange, request: Request, session: SessionDep,
                    user: SelfServiceUser) -> UserPublic:
    """Replace one's own password (a one-time one first of all); other logins end. Wrong
    current passwords count towards the login limits."""
    address = request.client.host if request.client else "unknown"
    changed = users.change_own_password(session, get_settings(), user.id, body,
                                        keep_token_id=user.token_id, address=address)
    return users.user_public(session, changed)


@router.get("/auth/tokens", response_model=list[TokenPublic], responses=error_responses(401))
def my_tokens(session: SessionDep, user: CurrentUser) -> list[AuthToken]:
    """The caller's own logins (one per phone or browser), newest first."""
    return service.tokens_of(session, user.id)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=error_responses(401, 403, 404))
def revoke(token_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    """Revoke a login: one's own (a lost phone), or anyone's for an admin."""
    service.revoke_login(session, token_id, caller_id=user.id,
                         caller_is_admin=user.role == Role.admin)


# ------------------------------------------------------------------ admin: users


def user_by_id(user_id: uuid.UUID, session: SessionDep, _admin: AdminUser) -> User:
    return users.get_user(session, user_id)


UserDep = Annotated[User, Depends(user_by_id)]


@router.get("/users", response_model=list[UserListed], responses=error_responses(401, 403, 422))
def list_users(session: SessionDep, _admin: AdminUser, role: Role | None = None,
               unit_id: uuid.UUID | None = None, active: bool | None = None,
               q: str | None = None) -> list[UserListed]:
    """Users by role, unit (scope at or under it) and state, with last login and sessions."""
    return users.list_users(session, role=role, unit_id=unit_id, active=active, q=q)


@router.post("/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 409, 422))
def create_user(body: UserCreate, session: SessionDep, admin: AdminUser) -> UserPublic:
    """A new account; the password given is temporary, replaced at the first login."""
    return users.user_public(session, users.create_user(session, body, actor_id=admin.id,
                                                        temporary_password=True))


@router.get("/users/{user_id}", response_model=UserPublic, responses=error_responses(401, 403, 404))
def get_user(user: UserDep, session: SessionDep) -> UserPublic:
    return users.user_public(session, user)


@router.patch("/users/{user_id}", response_model=UserPublic,
              responses=error_responses(401, 403, 404, 409, 422))
def update_user(user: UserDep, body: UserUpdate, session: SessionDep,
                admin: AdminUser) -> UserPublic:
    """Change a user; a new password or deactivation revokes all their logins at once."""
    return users.user_public(session, users.update_user(session, user, body, actor_id=admin.id))


@router.post("/users/{user_id}/reset-password", response_model=OneTimePassword,
             responses=error_responses(401, 403, 404))
def reset_password(user: UserDep, session: SessionDep, admin: AdminUser) -> OneTimePassword:
    """A one-time password, shown once; the user's logins end and the first login must
    replace it."""
    return OneTimePassword(one_time_password=users.reset_password(session, user,
                                                                  actor_id=admin.id))


@router.get("/users/{user_id}/tokens", response_model=list[TokenPublic],
            responses=error_responses(401, 403, 404))
def user_tokens(user: UserDep, session: SessionDep) -> list[AuthToken]:
    return service.tokens_of(session, user.id)


@router.post("/users/{user_id}/revoke-tokens", responses=error_responses(401, 403, 404))
def revoke_user_tokens(user: UserDep, session: SessionDep, admin: AdminUser) -> dict:
    if admin.id == user.id:
        raise REFUSALS("revoke_self")
    return {"revoked": service.revoke_all_tokens(session, user.id, actor_id=admin.id)}
