"""The settings domain's refusals, declared once (backend/errors.py `Refusals`)."""

from __future__ import annotations

from backend.errors import Refusals

REFUSALS = Refusals({
    "value_unknown": (422, "没有这一项需要配置的值：{key}"),
    "value_negative": (422, "{label} 不能为负数"),
    "rubric_invalid": (422, "{reason}"),
    "rubric_breaks_library": (422, "上传后规则库有错误：{reason}"),
    "values_break_library": (422, "按这些数值规则不成立：{reason}"),
    "rubric_not_utf8": (422, "文件不是 UTF-8 编码"),
    "rubric_too_large": (413, "评分标准文件超过 1 MB"),
    "rubric_name_invalid": (422, "文件名须以 .yaml 或 .yml 结尾，且只含字母、数字、-、_"),
    "calendar_invalid": (422, "{reason}"),
    "schedules_invalid": (422, "作息时间有误：{reason}"),
    "schedule_in_use": (409, "作息 {keys} 仍有未办结的工单在用，不能删除"),
    "settings_changed": (409, "设置已被他人改为第 {version} 版，请刷新后再改"),
})
