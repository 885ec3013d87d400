"""The reports domain's refusals, declared once (backend/errors.py `Refusals`)."""

from __future__ import annotations

from backend.errors import Refusals

REFUSALS = Refusals({
    "period_invalid": (422, "{reason}"),
    "unit_not_found": (404, "统计范围不存在或不在您的管辖范围内"),
    "no_unit_in_scope": (404, "您的管辖范围内没有可统计的单位"),
    "period_frozen": (409, "该期间已发布；如需重新发布请先重新开放"),
    "period_not_frozen": (404, "该期间尚未发布"),
    "nothing_to_publish": (404, "该范围本期没有可发布的考核结果"),
    "case_not_found": (404, "热线案卷不存在或不在您的管辖范围内"),
    "compound_not_found": (404, "小区不存在或不在您的管辖范围内"),
    "company_not_found": (404, "物业服务企业不存在或不在您的管辖范围内"),
})
