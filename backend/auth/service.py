"""Logins and tokens: who is calling. User administration is users.py's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.models import AuthToken, LoginFailure, User
from backend.auth.passwords import hash_password, needs_rehash, new_token, token_digest, \
    verify_password
from backend.auth.scope import Scope, scope_from_units
from backend.config import Settings
from backend.configuration import service as configuration
from backend.rawsql import RawSQL, column_binder
from backend.dbtypes import utcnow
from backend.auth.errors import REFUSALS
from backend.errors import Invalid, TooMany, Unauthorized


class LoginRefused(Unauthorized):
    code = "login_failed"
    message = "用户名或密码错误"
    keep_changes = True  # the failure record must survive the refused request


class PasswordWrong(Invalid):
    code = "password_wrong"
    message = "当前密码不正确"
    keep_changes = True  # the failure record counts towards the limit


class LoginThrottled(TooMany):
    code = "login_throttled"
    message = "登录失败次数过多，请稍后再试"
    keep_changes = True


# Only once an hour does a request write `last_used_at` and slide the expiry, so that
# ordinary reads do not each become a write.
_TOUCH_EVERY = timedelta(hours=1)


def check_attempts(session: Session, settings: Settings, *, account: str, address: str,
                   now: datetime) -> None:
    """429 once the account or the address has failed too often in the window: logins and
    password changes (a stolen token must not guess the current password) alike."""
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


def record_failure(session: Session, *, account: str, address: str, now: datetime) -> None:
    session.add(LoginFailure(account=account, address=address, at=now))
    session.flush()


def login(session: Session, settings: Settings, *, username: str, password: str, address: str,
          client: str | None, now: datetime | None = None) -> tuple[str, AuthToken, User]:
    now = now or utcnow()
    account = username.strip().lower()
    check_attempts(session, settings, account=account, address=address, now=now)
    user = session.exec(select(User).where(func.lower(User.username) == account)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        record_failure(session, account=account, address=address, now=now)
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
    must_change_password: bool = False


_SCOPED_TOKEN_SQL = (
    "SELECT t.id, t.revoked_at, t.expires_at, t.last_used_at, u.id, u.username, u.display_name,"
    " u.role, u.phone, u.company_id, u.is_active, u.created_at, u.must_change_password,"
    " o.id, o.level, (SELECT max(version) FROM settings_version)"
    " FROM auth_token t JOIN user_account u ON u.id = t.user_id"
    " LEFT JOIN user_scope_unit s ON s.user_id = u.id LEFT JOIN org_unit o ON o.id = s.unit_id"
    " WHERE t.token_hash = ?")
_TOUCH_SQL = "UPDATE auth_token SET last_used_at = ?, expires_at = ? WHERE id = ?"


def authenticate(session: Session, settings: Settings, token: str,
                 now: datetime | None = None, *, password_pending_ok: bool = False
                 ) -> tuple[Caller, Scope]:
    """The caller and their scope (as `scope_for` gives it) from a bearer token, in one
    statement on the DB-API connection: every authenticated request comes through here.

    Read fresh in the request's own transaction: a revoked token or a disabled account is
    refused by the very next request; nothing is cached. A token unused for an hour is
    touched: its last use recorded and its expiry slid forward. A user holding a one-time
    password may do nothing but change it (`password_pending_ok`: the endpoints that do).
    """
    now = now or utcnow()
    raw = RawSQL(session)
    rows = raw.execute(_SCOPED_TOKEN_SQL, (token_digest(token),)).fetchall()
    if not rows or rows[0][1] is not None:
        raise REFUSALS("token_invalid")
    token_id, _, expires_at, last_used_at, user_id, username, display_name, role, phone, \
        company_id, is_active, created_at, must_change, _, _, settings_version = rows[0]
    # The same statement read the newest settings version: another worker's change to the
    # rules is in force here from this request on, at no extra round trip.
    configuration.observe(session, settings_version)
    if raw.instant(expires_at) <= now:
        raise REFUSALS("token_expired")
    if not is_active:
        raise REFUSALS("account_disabled")
    if must_change and not password_pending_ok:
        raise REFUSALS("password_change_required")
    if now - raw.instant(last_used_at) >= _TOUCH_EVERY:
        column = AuthToken.__table__.c
        bind = column_binder(column.last_used_at, raw.dialect)
        raw.execute(_TOUCH_SQL, (bind(now), bind(now + timedelta(days=settings.token_ttl_days)),
                                 token_id))  # as read: already in the column's storage form
    user = Caller(id=raw.uuid(user_id), username=username, display_name=display_name, role=role,
                  phone=phone, company_id=raw.uuid(company_id), is_active=bool(is_active),
                  created_at=raw.instant(created_at), token_id=raw.uuid(token_id),
                  must_change_password=bool(must_change))
    return user, scope_from_units(user, [(raw.uuid(row[13]), row[14]) for row in rows
                                         if row[13] is not None])


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


def tokens_of(session: Session, user_id: uuid.UUID) -> list[AuthToken]:
    """A user's logins (one per phone or browser), newest first."""
    return list(session.exec(select(AuthToken).where(AuthToken.user_id == user_id)
                             .order_by(AuthToken.created_at.desc())))


def revoke_login(session: Session, token_id: uuid.UUID, *, caller_id: uuid.UUID,
                 caller_is_admin: bool) -> None:
    """Revoke a login: one's own (a lost phone), or anyone's for an admin; 404 otherwise."""
    row = session.get(AuthToken, token_id)
    if row is None or (row.user_id != caller_id and not caller_is_admin):
        raise REFUSALS("token_not_found")
    revoke_token(session, row, actor_id=caller_id)
