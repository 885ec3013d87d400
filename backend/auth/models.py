"""Users, their roles and scope, login tokens and failed-login records."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import computed_field
from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow
from backend.ids import new_id


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"            # 物管科 / 住建 / 街道: verifies, publishes scores
    inspector = "inspector"              # 考核人员: inspections and findings
    grid_worker = "grid_worker"          # 网格员: daily findings in their grids
    property_manager = "property_manager"  # 物业项目经理: rectifies tickets of their company


ROLE_LABELS = {
    "admin": "系统管理员", "supervisor": "监管人员", "inspector": "考核人员",
    "grid_worker": "网格员", "property_manager": "物业项目经理",
}


class UserBase(SQLModel):
    username: str = Field(min_length=2, max_length=64, regex=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    role: Role = Field(sa_column=Column(String(24), nullable=False))
    phone: str | None = Field(default=None, max_length=32, description="mobile number")
    wecom_id: str | None = Field(default=None, max_length=64, description="企业微信 userid")
    dingtalk_id: str | None = Field(default=None, max_length=64, description="钉钉 userid")
    email: str | None = Field(default=None, max_length=200, regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                              description="for notifications by e-mail")
    is_company_head: bool = Field(default=False, description=(
        "企业负责人: a property manager who receives the company's 督办 (backend/notifications)"))


class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=128)
    # Scope: org units (district/street/town/community) for supervisors and inspectors,
    # grids for grid workers, a company for property managers; admins are global.
    unit_ids: list[uuid.UUID] = []
    company_id: uuid.UUID | None = None


class UserUpdate(SQLModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=64)
    role: Role | None = None
    phone: str | None = None
    wecom_id: str | None = Field(default=None, max_length=64)
    dingtalk_id: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=200, regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    is_company_head: bool | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=128)
    unit_ids: list[uuid.UUID] | None = None
    company_id: uuid.UUID | None = None


class User(UserBase, table=True):
    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str
    company_id: uuid.UUID | None = Field(default=None, foreign_key="company.id", index=True)
    is_active: bool = True
    # Set with a one-time password an admin hands out: nothing but changing it is allowed.
    must_change_password: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserScopeUnit(SQLModel, table=True):
    __tablename__ = "user_scope_unit"

    user_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    unit_id: uuid.UUID = Field(foreign_key="org_unit.id", primary_key=True, index=True)


class UserPublic(UserBase):
    id: uuid.UUID
    is_active: bool
    must_change_password: bool = False
    company_id: uuid.UUID | None
    unit_ids: list[uuid.UUID] = []
    created_at: datetime | None = None

    @computed_field
    @property
    def role_label(self) -> str:
        """The role as the screens name it."""
        return ROLE_LABELS.get(self.role, self.role)


class UserListed(UserPublic):
    """A row of the admin's user list: where the user works and when they were last seen."""

    unit_names: list[str] = []
    company_name: str | None = None
    last_login_at: datetime | None = None
    active_sessions: int = 0


class OneTimePassword(SQLModel):
    one_time_password: str = Field(description="shown once; must be changed at the first login")


class PasswordChange(SQLModel):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class AuthToken(SQLModel, table=True):
    """A login. Only the SHA-256 of the bearer token is stored, so a database leak logs no one in."""

    __tablename__ = "auth_token"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    client: str | None = Field(default=None, max_length=200, description="user agent at login")
    address: str | None = Field(default=None, max_length=64)


class TokenPublic(SQLModel):
    id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime
    revoked_at: datetime | None
    client: str | None
    address: str | None


class LoginFailure(SQLModel, table=True):
    """Failed logins, counted per account and per address over a sliding window."""

    __tablename__ = "login_failure"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LoginRequest(SQLModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class LoginResponse(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserPublic
