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
    "unit_in_use": (409, "其下还有 {units} 个在用单位、{compounds} 个在用小区，请先停用或迁出"),
    "company_in_use": (409, "该企业仍服务 {compounds} 个在用小区，请先为这些小区更换物业"),
    "grid_in_use": (409, "网格内已有小区，不能迁到其他社区；请先调整小区所属网格"),
    "file_too_large": (413, "文件超过 10 MB"),
    "csv_invalid": (422, "{reason}"),
})
