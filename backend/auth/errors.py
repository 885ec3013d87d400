"""The accounts domain's refusals, declared once (backend/errors.py `Refusals`). Failed logins
and their limits are refused in service.py: they must keep the failure they record."""

from __future__ import annotations

from backend.errors import Refusals

REFUSALS = Refusals({
    "token_invalid": (401, "登录已失效，请重新登录"),
    "token_expired": (401, "登录已过期，请重新登录"),
    "account_disabled": (401, "账号已停用"),
    "password_change_required": (403, "请先修改临时密码"),
    "password_unchanged": (422, "新密码不能与当前密码相同"),
    "token_not_found": (404, "登录记录不存在"),
    "revoke_self": (403, "请使用退出登录撤销自己的当前登录"),
    "user_not_found": (404, "用户不存在"),
    "username_taken": (409, "用户名已存在: {username}"),
    "field_required": (422, "该字段不能为空"),
    "self_protected": (409, "不能停用自己的账号或取消自己的管理员角色"),
    "last_admin": (409, "不能停用最后一个系统管理员"),
    "scope_not_allowed": (422, "{reason}"),
    "company_required": (422, "物业项目经理必须指定所属物业服务企业"),
    "scope_required": (422, "请指定管辖范围（区、街道/镇、社区或网格）"),
    "scope_unit_unknown": (422, "管辖范围单位不存在: {unit_id}"),
    "scope_level_invalid": (422, "该角色的管辖范围只能是: {levels}"),
})
