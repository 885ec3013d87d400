"""User administration: accounts, roles and scopes, deactivation, password resets. Every change
is audited, and the service never leaves a deployment without an active admin."""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.models import AuthToken, PasswordChange, Role, User, UserCreate, UserListed, \
    UserPublic, UserScopeUnit, UserUpdate
from backend.auth.passwords import hash_password, verify_password
from backend.auth.service import PasswordWrong, check_attempts, record_failure, \
    revoke_all_tokens
from backend.config import Settings
from backend.auth.errors import REFUSALS
from backend.dbtypes import utcnow
from backend.organisation.models import Company, Compound, OrgUnit, UnitLevel, \
    compounds_under, units_under

# A one-time password is read out or sent by message: no 0/O, 1/l/I to misread.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_OTP_LENGTH = 10

_UNIT_LEVELS_FOR_ROLE = {
    Role.supervisor: {UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community},
    Role.inspector: {UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community},
    Role.grid_worker: {UnitLevel.grid},
}


def _check_scope(session: Session, role: Role, unit_ids: list[uuid.UUID],
                 company_id: uuid.UUID | None) -> None:
    if role == Role.admin:
        if unit_ids or company_id:
            raise REFUSALS("scope_not_allowed", reason="系统管理员不设管辖范围")
        return
    if role == Role.property_manager:
        if company_id is None or session.get(Company, company_id) is None:
            raise REFUSALS("company_required")
        if unit_ids:
            raise REFUSALS("scope_not_allowed", reason="物业项目经理的范围由所属企业决定，不设行政区域")
        return
    if company_id is not None:
        raise REFUSALS("scope_not_allowed", reason="只有物业项目经理属于物业服务企业")
    if not unit_ids:
        raise REFUSALS("scope_required")
    allowed = _UNIT_LEVELS_FOR_ROLE[role]
    for unit_id in unit_ids:
        unit = session.get(OrgUnit, unit_id)
        if unit is None:
            raise REFUSALS("scope_unit_unknown", unit_id=unit_id)
        if unit.level not in allowed:
            names = "、".join(sorted(str(level) for level in allowed))
            raise REFUSALS("scope_level_invalid", levels=names,
                          detail={"unit_id": str(unit_id), "level": unit.level})


def _set_units(session: Session, user: User, unit_ids: list[uuid.UUID]) -> None:
    session.exec(delete(UserScopeUnit).where(UserScopeUnit.user_id == user.id))
    for unit_id in dict.fromkeys(unit_ids):
        session.add(UserScopeUnit(user_id=user.id, unit_id=unit_id))


def create_user(session: Session, data: UserCreate, *, actor_id: uuid.UUID | None,
                temporary_password: bool = False) -> User:
    """A new account. `temporary_password`: an admin chose the password and hands it over, so
    the user must replace it at the first login (the admin screens' way; the CLI and the demo
    set passwords their users keep)."""
    if session.exec(select(User).where(func.lower(User.username) == data.username.lower())).first():
        raise REFUSALS("username_taken", username=data.username)
    _check_scope(session, data.role, data.unit_ids, data.company_id)
    user = User(username=data.username, display_name=data.display_name, role=data.role,
                phone=data.phone, wecom_id=data.wecom_id, dingtalk_id=data.dingtalk_id,
                email=data.email, is_company_head=data.is_company_head and data.role == Role.property_manager,
                company_id=data.company_id, password_hash=hash_password(data.password),
                must_change_password=temporary_password)
    session.add(user)
    session.flush()
    _set_units(session, user, data.unit_ids)
    session.flush()
    record(session, actor_id=actor_id, action="user.create", object_type="user",
           object_id=user.id, username=user.username, role=str(data.role),
           unit_ids=[str(u) for u in data.unit_ids],
           company_id=str(data.company_id) if data.company_id else None)
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return session.exec(select(func.count()).select_from(User).where(
        User.role == Role.admin, User.is_active.is_(True), User.id != user.id)).one()


def update_user(session: Session, user: User, data: UserUpdate, *, actor_id: uuid.UUID) -> User:
    """Change a user; a new password or deactivation revokes all their logins at once. Never
    oneself out of office, never the deployment's last active admin."""
    changes = data.model_dump(exclude_unset=True)
    for required in ("display_name", "is_active", "role", "is_company_head"):
        if required in changes and changes[required] is None:
            raise REFUSALS("field_required", detail={"field": required})
    deactivate = changes.get("is_active") is False and user.is_active
    demote = "role" in changes and changes["role"] != user.role and user.role == Role.admin
    if (deactivate or demote) and user.id == actor_id:
        raise REFUSALS("self_protected")
    if (deactivate or demote) and user.role == Role.admin and user.is_active \
            and _other_active_admins(session, user) == 0:
        raise REFUSALS("last_admin")
    role = Role(changes.get("role", user.role))
    audit: dict = {}
    if "unit_ids" in changes or "company_id" in changes or role != user.role:
        unit_ids = changes.get("unit_ids", unit_ids_of(session, user.id))
        company_id = changes.get("company_id", user.company_id)
        _check_scope(session, role, unit_ids, company_id)
        audit |= {"role": str(role), "unit_ids": [str(u) for u in unit_ids],
                  "company_id": str(company_id) if company_id else None}
        user.role, user.company_id = role, company_id
        _set_units(session, user, unit_ids)
    if changes.get("is_company_head") and role != Role.property_manager:
        changes["is_company_head"] = False  # only a company's manager heads it
    for key in ("display_name", "phone", "wecom_id", "dingtalk_id", "email", "is_company_head"):
        if key in changes:
            setattr(user, key, changes[key])
            audit[key] = changes[key]
    if audit:
        record(session, actor_id=actor_id, action="user.update", object_type="user",
               object_id=user.id, **audit)
    if changes.get("password"):
        _set_password(session, user, changes["password"], actor_id=actor_id, temporary=True)
    if deactivate:
        revoke_all_tokens(session, user.id, actor_id=actor_id)
    if "is_active" in changes and changes["is_active"] != user.is_active:
        user.is_active = changes["is_active"]
        record(session, actor_id=actor_id,
               action="user.activate" if user.is_active else "user.deactivate",
               object_type="user", object_id=user.id)
    session.add(user)
    session.flush()
    return user


def _set_password(session: Session, user: User, password: str, *, actor_id: uuid.UUID,
                  temporary: bool) -> None:
    """A new password ends every login of the user. One an admin set is temporary: the user
    must replace it before doing anything else."""
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    revoke_all_tokens(session, user.id, actor_id=actor_id)
    record(session, actor_id=actor_id, object_type="user", object_id=user.id,
           action="user.password_reset" if temporary else "user.password_change")


def reset_password(session: Session, user: User, *, actor_id: uuid.UUID) -> str:
    """A one-time password for `user`, returned once and stored only hashed."""
    password = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(_OTP_LENGTH))
    _set_password(session, user, password, actor_id=actor_id, temporary=True)
    session.add(user)
    session.flush()
    return password


def change_own_password(session: Session, settings: Settings, user_id: uuid.UUID,
                        data: PasswordChange, *, keep_token_id: uuid.UUID, address: str) -> User:
    """The caller replaces their password (a one-time one, or any). Their other logins end;
    the one they changed it from goes on. Wrong current passwords count as failed logins."""
    user = get_user(session, user_id)
    now = utcnow()
    account = user.username.lower()
    check_attempts(session, settings, account=account, address=address, now=now)
    if not verify_password(user.password_hash, data.current_password):
        record_failure(session, account=account, address=address, now=now)
        raise PasswordWrong()
    if data.new_password == data.current_password:
        raise REFUSALS("password_unchanged")
    user.password_hash = hash_password(data.new_password)
    user.must_change_password = False
    for token in session.exec(select(AuthToken).where(AuthToken.user_id == user.id,
                                                      AuthToken.id != keep_token_id,
                                                      AuthToken.revoked_at.is_(None))):
        token.revoked_at = utcnow()
        session.add(token)
    record(session, actor_id=user.id, action="user.password_change", object_type="user",
           object_id=user.id)
    session.add(user)
    session.flush()
    return user


def unit_ids_of(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.exec(select(UserScopeUnit.unit_id).where(UserScopeUnit.user_id == user_id)))


def user_public(session: Session, user: User) -> UserPublic:
    return UserPublic.model_validate(user, update={"unit_ids": unit_ids_of(session, user.id)})


def list_users(session: Session, *, role: Role | None = None, unit_id: uuid.UUID | None = None,
               active: bool | None = None, q: str | None = None,
               now: datetime | None = None) -> list[UserListed]:
    """The admin's user list, filtered by role, unit (a user whose scope lies at or under it,
    or a manager of a company serving a compound under it) and state, with each user's scope
    names, last login and open sessions, in five queries whatever the number of users."""
    now = now or utcnow()
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    if q:
        text = q.lower()
        query = query.where(or_(func.lower(User.username).contains(text),
                                func.lower(User.display_name).contains(text),
                                User.phone.contains(q)))
    if unit_id:
        query = query.where(User.id.in_(_users_under(session, unit_id)))
    users = list(session.exec(query.order_by(User.role, User.username)))
    ids = [u.id for u in users]
    if not ids:
        return []
    units: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
    for user_id, unit, name in session.exec(
            select(UserScopeUnit.user_id, OrgUnit.id, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == UserScopeUnit.unit_id)
            .where(UserScopeUnit.user_id.in_(ids))):
        units[user_id].append((unit, name))
    company_ids = {u.company_id for u in users if u.company_id}
    companies = dict(session.exec(select(Company.id, Company.name)
                                  .where(Company.id.in_(company_ids))).all())
    logins = {user_id: (last, open_) for user_id, last, open_ in session.exec(
        select(AuthToken.user_id, func.max(AuthToken.created_at),
               func.count().filter(AuthToken.revoked_at.is_(None), AuthToken.expires_at > now))
        .where(AuthToken.user_id.in_(ids)).group_by(AuthToken.user_id))}
    return [UserListed.model_validate(u, update={
        "unit_ids": [unit for unit, _ in units[u.id]],
        "unit_names": [name for _, name in units[u.id]],
        "company_name": companies.get(u.company_id),
        "last_login_at": logins.get(u.id, (None, 0))[0],
        "active_sessions": logins.get(u.id, (None, 0))[1] or 0,
    }) for u in users]


def _users_under(session: Session, unit_id: uuid.UUID):  # noqa: ANN202 - a sub-select
    """Users whose scope unit lies at or under `unit_id`, and managers of companies serving a
    compound under it."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        raise REFUSALS("scope_unit_unknown", unit_id=unit_id)
    scoped = select(UserScopeUnit.user_id).join(OrgUnit, OrgUnit.id == UserScopeUnit.unit_id) \
        .where(units_under(unit))
    managers = select(User.id).where(User.company_id.in_(
        select(Compound.company_id).where(compounds_under(unit))))
    return scoped.union(managers)


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise REFUSALS("user_not_found")
    return user
