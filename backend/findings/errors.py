"""The findings domain's refusals, declared once: a stable code, the HTTP status a single-item
endpoint answers with, and the Chinese message. In a sync batch the same refusal is an item
result (`invalid` or `conflict`), never an exception, so one bad item never fails the others.
"""

from __future__ import annotations

import uuid

from backend.errors import DomainError, error_responses
from backend.findings.schemas import ItemResult

# code → (HTTP status, item status in a batch, message)
REFUSALS: dict[str, tuple[int, str, str]] = {
    "role_not_allowed": (403, "invalid", "您的角色不能执行此操作"),
    "compound_not_found": (404, "invalid", "小区不存在或不在您的管辖范围内"),
    "ticket_not_found": (404, "invalid", "工单不存在或不在您的管辖范围内"),
    "finding_not_found": (404, "invalid", "问题记录不存在或不在您的管辖范围内"),
    "inspection_mismatch": (422, "invalid", "该检查不是对这个小区的检查"),
    "catalog_code_unknown": (422, "invalid", "问题类型代码不存在"),
    "catalog_code_required": (422, "invalid", "请选择问题类型"),
    "catch_all_needs_description": (422, "invalid", "选择“其他问题”时请写明是什么问题"),
    "case_no_required": (422, "invalid", "热线案卷请填写案卷号"),
    "item_invalid": (422, "invalid", "提交的数据不完整或格式不正确"),
    "time_out_of_range": (422, "invalid", "时间超出合理范围（须在 2000–2100 年之间）"),
    "time_in_future": (422, "invalid", "记录时间晚于服务器当前时间，请校准手机时间"),
    "event_kind_invalid": (422, "invalid", "该操作不能由客户端提交"),
    "reason_required": (422, "invalid", "请填写原因"),
    "after_photo_required": (422, "invalid", "整改需要至少一张整改后照片"),
    "photo_required": (422, "invalid", "补充照片需要至少一张照片"),
    "retype_same": (422, "invalid", "已是这个问题类型，无需更正"),
    "merge_target_invalid": (422, "invalid", "只能合并到同一小区、同一问题类型、未撤销的另一条问题"),
    "ticket_id_mismatch": (422, "invalid", "路径与请求体中的工单编号不一致"),
    "uuid_reused": (409, "conflict", "该编号已用于另一条不同内容的记录，未覆盖"),
    "ticket_state_conflict": (409, "conflict", "工单状态已变化，不能执行此操作"),
    "concurrent_write": (409, "conflict", "另一请求正在写入同一编号，请稍后重发"),
}

RESPONSES = error_responses(401, 403, 404, 409, 422)


def refused(item_id: uuid.UUID, code: str, message: str | None = None) -> ItemResult:
    """An item's refusal, as a batch answers it."""
    _, status, default = REFUSALS[code]
    return ItemResult(id=item_id, status=status, code=code, message=message or default)


def raise_for(result: ItemResult) -> None:
    """A single-item endpoint answers a refusal with an HTTP error in the common shape."""
    if result.status not in ("conflict", "invalid"):
        return
    http_status = REFUSALS.get(result.code, (422,))[0]
    detail = result.ticket.model_dump(mode="json") if result.ticket else None
    raise DomainError(result.message, code=result.code, status_code=http_status, detail=detail)


def not_found(code: str = "ticket_not_found") -> DomainError:
    http_status, _, message = REFUSALS[code]
    return DomainError(message, code=code, status_code=http_status)
