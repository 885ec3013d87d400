"""The hotline domain's refusals, declared once (backend/errors.py `Refusals`)."""

from __future__ import annotations

from backend.errors import Refusals

REFUSALS = Refusals({
    "file_unreadable": (422, "{reason}"),
    "file_empty": (422, "文件是空的"),
    "file_too_large": (413, "文件过大（最多 {limit} MB）：请按月份分开导出"),
    "header_not_found": (422, "{reason}"),
    "mapping_invalid": (422, "{reason}"),
    "mapping_not_found": (404, "没有名为“{name}”的列对应"),
    "order_not_found": (404, "没有这张工单"),
    "order_not_in_review": (409, "这张工单已匹配，不在待核对队列中"),
    "compound_not_found": (422, "没有这个小区，或它不在您的管辖范围"),
    "catalog_code_unknown": (422, "没有问题类型 {code}"),
    "order_frozen": (409, "该工单所在的{period}已发布（冻结），不能改动：请先由监管人员在“评分”中重新开放该期"),
    "conflict_not_found": (404, "没有这条冲突记录"),
    "deadline_invalid": (422, "{reason}"),
    "alias_invalid": (422, "{reason}"),
})
