"""The organisation domain's refusals, declared once (backend/errors.py `Refusals`)."""

from __future__ import annotations

from backend.errors import Refusals

REFUSALS = Refusals({
    "field_required": (422, "{field} 不能为空"),
    "parent_not_found": (422, "上级单位不存在"),
    "parent_level_invalid": (422, "{level}的上级必须是: {wanted}"),
    "unit_exists": (409, "同一上级下已有同名单位: {name}"),
    "unit_not_found": (404, "单位不存在或不在您的管辖范围内"),
    "company_exists": (409, "物业服务企业已存在: {name}"),
    "company_not_found": (404, "物业服务企业不存在或不在您的管辖范围内"),
    "company_unknown": (422, "物业服务企业不存在"),
    "community_not_found": (422, "所属社区不存在"),
    "grid_invalid": (422, "网格不存在或不属于该社区"),
    "compound_exists": (409, "该社区已有同名小区: {name}"),
    "compound_not_found": (404, "小区不存在或不在您的管辖范围内"),
    "file_too_large": (413, "CSV 文件超过 10 MB"),
    "csv_invalid": (422, "{reason}"),
})
