"""Logins, tokens and user management. Services flush; the request boundary commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.models import AuthToken, LoginFailure, Role, User, UserCreate, UserPublic, \
    UserScopeUnit, UserUpdate
from backend.auth.passwords import hash_password, needs_rehash, new_token, token_digest, \
    verify_password
from backend.auth.scope import Scope, scope_from_units
from backend.config import Settings
from backend.rawsql import RawSQL, column_binder
from backend.dbtypes import utcnow
from backend.errors import Conflict, Invalid, NotFound, TooMany, Unauthorized
from backend.organisation.models import Company, OrgUnit, UnitLevel


class LoginRefused(Unauthorized):
    code = "login_failed"
    message = "用户名或密码错误"
    keep_changes = True  # the failure record must survive the refused request


class LoginThrottled(TooMany):
    code = "login_throttled"
    message = "登录失败次数过多，请稍后再试"
    keep_changes = True


# Only once an hour does a request write `last_used_at` and slide the expiry, so that
# ordinary reads do not each become a write.
_TOUCH_EVERY = timedelta(hours=1)


def login(session: Session, settings: Settings, *, username: str, password: str, address: str,
          client: str | None, now: datetime | None = None) -> tuple[str, AuthToken, User]:
    now = now or utcnow()
    account = username.strip().lower()
    since = now - timedelta(minutes=settings.login_window_minutes)
    per_account = session.exec(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.account == account, LoginFailure.at >= since)).one()
    per_address = session.exec(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address == address, LoginFailure.at >= since)).one()
    if (per_account >= settings.login_max_failures_per_account
            or per_address >= settings.login_max_failures_per_address):
        retry = str(settings.login_window_minutes * 60)
        raise LoginThrottled(headers={"Retry-After": retry},
                             detail={"retry_after_seconds": int(retry)})

    user = session.exec(select(User).where(func.lower(User.username) == account)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginFailure(account=account, address=address, at=now))
        session.flush()
        raise LoginRefused()

    session.exec(delete(LoginFailure).where(LoginFailure.account == account))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = new_token()
    row = AuthToken(user_id=user.id, token_hash=token_digest(token), created_at=now,
                    last_used_at=now, expires_at=now + timedelta(days=settings.token_ttl_days),
                    client=(client or "")[:200] or None, address=address)
    session.add(row)
    session.flush()
    return token, row, user


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user: `User`'s columns but the password hash, and the login (token)
    the request came with. Frozen, and not an ORM instance, so it can never be added to a
    session by mistake, and costs nothing to build; endpoints that change the user load the
    `User` row."""

    id: uuid.UUID
    username: str
    display_name: str
    role: str
    phone: str | None
    company_id: uuid.UUID | None
    is_active: bool
    created_at: datetime
    token_id: uuid.UUID


_SCOPED_TOKEN_SQL = (
    "SELECT t.id, t.revoked_at, t.expires_at, t.last_used_at, u.id, u.username, u.display_name,"
    " u.role, u.phone, u.company_id, u.is_active, u.created_at, o.id, o.level"
    " FROM auth_token t JOIN user_account u ON u.id = t.user_id"
    " LEFT JOIN user_scope_unit s ON s.user_id = u.id LEFT JOIN org_unit o ON o.id = s.unit_id"
    " WHERE t.token_hash = ?")
_TOUCH_SQL = "UPDATE auth_token SET last_used_at = ?, expires_at = ? WHERE id = ?"


def authenticate(session: Session, settings: Settings, token: str,
                        now: datetime | None = None) -> tuple[Caller, Scope]:
    """The caller and their scope (as `scope_for` gives it) from a bearer token, in one
    statement on the DB-API connection: every authenticated request comes through here.

    Read fresh in the request's own transaction: a revoked token or a disabled account is
    refused by the very next request; nothing is cached. A token unused for an hour is
    touched: its last use recorded and its expiry slid forward.
    """
    now = now or utcnow()
    raw = RawSQL(session)
    rows = raw.execute(_SCOPED_TOKEN_SQL, (token_digest(token),)).fetchall()
    if not rows or rows[0][1] is not None:
        raise Unauthorized("登录已失效，请重新登录", code="token_invalid")
    token_id, _, expires_at, last_used_at, user_id, username, display_name, role, phone, \
        company_id, is_active, created_at, _, _ = rows[0]
    if raw.instant(expires_at) <= now:
        raise Unauthorized("登录已过期，请重新登录", code="token_expired")
    if not is_active:
        raise Unauthorized("账号已停用", code="account_disabled")
    if now - raw.instant(last_used_at) >= _TOUCH_EVERY:
        column = AuthToken.__table__.c
        bind = column_binder(column.last_used_at, raw.dialect)
        raw.execute(_TOUCH_SQL, (bind(now), bind(now + timedelta(days=settings.token_ttl_days)),
                                 token_id))  # as read: already in the column's storage form
    user = Caller(id=raw.uuid(user_id), username=username, display_name=display_name, role=role,
                  phone=phone, company_id=raw.uuid(company_id), is_active=bool(is_active),
                  created_at=raw.instant(created_at), token_id=raw.uuid(token_id))
    return user, scope_from_units(user, [(raw.uuid(row[12]), row[13]) for row in rows
                                         if row[12] is not None])


def revoke_token(session: Session, token_row: AuthToken, *, actor_id: uuid.UUID | None,
                 now: datetime | None = None) -> None:
    if token_row.revoked_at is None:
        token_row.revoked_at = now or utcnow()
        record(session, actor_id=actor_id, action="token.revoke", object_type="auth_token",
               object_id=token_row.id, user_id=str(token_row.user_id))


def revoke_all_tokens(session: Session, user_id: uuid.UUID, *, actor_id: uuid.UUID | None) -> int:
    rows = session.exec(select(AuthToken).where(AuthToken.user_id == user_id,
                                                AuthToken.revoked_at.is_(None))).all()
    for row in rows:
        revoke_token(session, row, actor_id=actor_id)
    return len(rows)


# ------------------------------------------------------------------ users

_UNIT_LEVELS_FOR_ROLE = {
    Role.supervisor: {UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community},
    Role.inspector: {UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community},
    Role.grid_worker: {UnitLevel.grid},
}


def _check_scope(session: Session, role: Role, unit_ids: list[uuid.UUID],
                 company_id: uuid.UUID | None) -> None:
    if role == Role.admin:
        if unit_ids or company_id:
            raise Invalid("系统管理员不设管辖范围", code="scope_not_allowed")
        return
    if role == Role.property_manager:
        if company_id is None or session.get(Company, company_id) is None:
            raise Invalid("物业项目经理必须指定所属物业服务企业", code="company_required")
        if unit_ids:
            raise Invalid("物业项目经理的范围由所属企业决定，不设行政区域", code="scope_not_allowed")
        return
    if company_id is not None:
        raise Invalid("只有物业项目经理属于物业服务企业", code="scope_not_allowed")
    if not unit_ids:
        raise Invalid("请指定管辖范围（区、街道/镇、社区或网格）", code="scope_required")
    allowed = _UNIT_LEVELS_FOR_ROLE[role]
    for unit_id in unit_ids:
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            raise Invalid(f"管辖范围单位不存在: {unit_id}", code="unit_not_found")
        if unit.level not in allowed:
            names = "、".join(sorted(str(level) for level in allowed))
            raise Invalid(f"该角色的管辖范围只能是: {names}", code="scope_level_invalid",
                          detail={"unit_id": str(unit_id), "level": unit.level})


def _set_units(session: Session, user: User, unit_ids: list[uuid.UUID]) -> None:
    session.exec(delete(UserScopeUnit).where(UserScopeUnit.user_id == user.id))
    for unit_id in dict.fromkeys(unit_ids):
        session.add(UserScopeUnit(user_id=user.id, unit_id=unit_id))


def create_user(session: Session, data: UserCreate) -> User:
    if session.exec(select(User).where(func.lower(User.username) == data.username.lower())).first():
        raise Conflict(f"用户名已存在: {data.username}", code="username_taken")
    _check_scope(session, data.role, data.unit_ids, data.company_id)
    user = User(username=data.username, display_name=data.display_name, role=data.role,
                phone=data.phone, company_id=data.company_id,
                password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    _set_units(session, user, data.unit_ids)
    session.flush()
    return user


def update_user(session: Session, user: User, data: UserUpdate, *, actor_id: uuid.UUID) -> User:
    changes = data.model_dump(exclude_unset=True)
    if "unit_ids" in changes or "company_id" in changes:
        unit_ids = changes.get("unit_ids", unit_ids_of(session, user.id))
        company_id = changes.get("company_id", user.company_id)
        _check_scope(session, user.role, unit_ids, company_id)
        user.company_id = company_id
        _set_units(session, user, unit_ids)
    for key in ("display_name", "phone"):
        if key in changes:
            setattr(user, key, changes[key])
    if changes.get("password"):
        user.password_hash = hash_password(changes["password"])
        revoke_all_tokens(session, user.id, actor_id=actor_id)
    if changes.get("is_active") is False and user.is_active:
        revoke_all_tokens(session, user.id, actor_id=actor_id)
    if "is_active" in changes and changes["is_active"] is not None:
        user.is_active = changes["is_active"]
    session.add(user)
    session.flush()
    return user


def unit_ids_of(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.exec(select(UserScopeUnit.unit_id).where(UserScopeUnit.user_id == user_id)))


def user_public(session: Session, user: User) -> UserPublic:
    return UserPublic.model_validate(user, update={"unit_ids": unit_ids_of(session, user.id)})


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在", code="user_not_found")
    return user
