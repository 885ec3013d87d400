"""User administration: accounts, roles and scopes, deactivation, password resets. Every change
is audited, and the service never leaves a deployment without an active admin."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.models import Role, User, UserCreate, UserPublic, UserScopeUnit, UserUpdate
from backend.auth.passwords import hash_password
from backend.auth.service import revoke_all_tokens
from backend.auth.errors import REFUSALS
from backend.organisation.models import Company, OrgUnit, UnitLevel

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


def create_user(session: Session, data: UserCreate, *, actor_id: uuid.UUID | None) -> User:
    if session.exec(select(User).where(func.lower(User.username) == data.username.lower())).first():
        raise REFUSALS("username_taken", username=data.username)
    _check_scope(session, data.role, data.unit_ids, data.company_id)
    user = User(username=data.username, display_name=data.display_name, role=data.role,
                phone=data.phone, company_id=data.company_id,
                password_hash=hash_password(data.password))
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
    for required in ("display_name", "is_active", "role"):
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
    for key in ("display_name", "phone"):
        if key in changes:
            setattr(user, key, changes[key])
            audit[key] = changes[key]
    if audit:
        record(session, actor_id=actor_id, action="user.update", object_type="user",
               object_id=user.id, **audit)
    if changes.get("password"):
        user.password_hash = hash_password(changes["password"])
        revoke_all_tokens(session, user.id, actor_id=actor_id)
        record(session, actor_id=actor_id, action="user.password_reset", object_type="user",
               object_id=user.id)
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


def unit_ids_of(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.exec(select(UserScopeUnit.unit_id).where(UserScopeUnit.user_id == user_id)))


def user_public(session: Session, user: User) -> UserPublic:
    return UserPublic.model_validate(user, update={"unit_ids": unit_ids_of(session, user.id)})


def list_users(session: Session) -> list[UserPublic]:
    return [user_public(session, u) for u in session.exec(select(User).order_by(User.username))]


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise REFUSALS("user_not_found")
    return user
