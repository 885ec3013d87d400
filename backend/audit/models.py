"""An append-only record of actions that change what people are judged by.

Revoking a login, re-opening a published period, recomputing provisional due times: each
leaves an event with who, when, what and why.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow
from backend.ids import new_id


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: str | None = Field(default=None, max_length=64, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def record(session, *, actor_id: uuid.UUID | None, action: str, object_type: str,  # noqa: ANN001
           object_id: Any = None, **detail: Any) -> AuditEvent:
    event = AuditEvent(actor_id=actor_id, action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), detail=detail)
    session.add(event)
    return event


# Labels of the actions an admin reads in the log (an action without one shows its code).
ACTION_LABELS = {
    "user.create": "新建用户", "user.update": "修改用户", "user.password_reset": "重置密码",
    "user.password_change": "修改密码", "user.activate": "启用用户", "user.deactivate": "停用用户",
    "token.revoke": "注销登录", "unit.create": "新建单位", "unit.update": "修改单位",
    "company.create": "新建企业", "company.update": "修改企业", "compound.create": "新建小区",
    "compound.update": "修改小区", "organisation.import": "导入组织机构",
    "period.freeze": "发布并冻结期间", "period.reopen": "重新开放期间",
    "ticket.due_recomputed": "重算到期时间", "ticket.merge": "合并工单",
    "ticket.retype": "更正问题类型",
    "case.flags": "设置热线案件标记", "company.direct_score": "录入企业直接评分",
    "demonstration.add": "登记示范点", "inspection.amend": "更正检查",
    "settings.values": "修改评分数值", "settings.calendar": "修改节假日",
    "settings.schedules": "修改作息时间", "settings.rubric_upload": "上传评分标准",
    "settings.notifications": "修改通知规则", "notify.channel_create": "新建通知渠道",
    "notify.channel_update": "修改通知渠道", "notify.channel_test": "发送测试消息",
    "notify.delivery_retry": "重发消息", "hotline.import": "导入热线工单",
    "hotline.mapping": "保存热线列对应", "hotline.review": "核对热线工单",
    "hotline.dismiss": "排除热线工单", "hotline.conflict_done": "处理热线冲突",
}


OBJECT_LABELS = {
    "user": "用户", "auth_token": "登录", "org_unit": "单位", "company": "企业", "compound": "小区",
    "organisation": "组织机构", "period_publication": "考核期间", "ticket": "工单",
    "finding": "问题", "inspection": "检查", "demonstration": "示范点", "settings": "系统设置",
    "notify_channel": "通知渠道", "delivery": "消息", "hotline_import": "热线导入",
    "hotline_mapping": "热线列对应", "hotline_order": "热线工单", "hotline_conflict": "热线冲突",
}


class AuditPublic(SQLModel):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None = None
    action: str
    action_label: str
    object_type: str
    object_label: str
    object_id: str | None
    object_name: str | None = None
    detail: dict[str, Any]
