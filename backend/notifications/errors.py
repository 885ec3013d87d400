"""The notifications domain's refusals, declared once (backend/errors.py `Refusals`)."""

from __future__ import annotations

from backend.errors import Refusals

REFUSALS = Refusals({
    "channel_not_found": (404, "没有这个通知渠道"),
    "delivery_not_found": (404, "没有这条待发消息"),
    "channel_owner": (422, "通知渠道须属于一个单位或一家物业企业（二选一）"),
    "channel_unit_unknown": (422, "没有这个单位"),
    "channel_company_unknown": (422, "没有这家物业企业"),
    "channel_config_missing": (422, "{kind}须填写：{fields}"),
    "channel_config_invalid": (422, "{reason}"),
    "delivery_not_retryable": (409, "这条消息已发出，无需重试"),
    "delivery_sending": (409, "这条消息正在发送，请稍后再看"),
    "rules_invalid": (422, "通知规则有误：{reason}"),
})
