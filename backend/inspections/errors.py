"""The inspections domain's refusals, declared once (backend/errors.py `Refusals`). In a sync
batch the same refusal is the item's answer (`invalid` or `conflict`), never an exception."""

from __future__ import annotations

from backend.errors import DomainError, Refusals
from backend.inspections.schemas import InspectionItemResult

REFUSALS = Refusals({
    "inspection_not_found": (404, "检查记录不存在或不在您的管辖范围内"),
    "uuid_reused": (409, "该编号已用于另一次检查，未覆盖"),
    "role_not_allowed": (403, "您的角色不能开展检查"),
    "subject_required": (422, "请指定被检查的小区或街道（二选一）"),
    "rubric_not_applicable": (422, "{reason}"),
    "compound_not_found": (404, "小区不存在或不在您的管辖范围内"),
    "unit_not_found": (404, "街道/镇不存在或不在您的管辖范围内"),
    "street_assessed_from_above": (403, "街道/镇的考核由区级考核人员开展，不能考核本街道/镇"),
    "time_out_of_range": (422, "{reason}"),
    "time_in_future": (422, "{reason}"),
    "inspection_submitted": (409, "检查已提交，不能以不同内容再次提交"),
    "not_the_inspector": (403, "只有开展检查的人员可以提交"),
    "observations_invalid": (422, "观测数据有误：{reason}"),
    "photo_item_unknown": (422, "照片所属的考核项“{item}”不在评分标准中"),
    "amended_not_found": (404, "要修改的检查记录不存在或不在您的管辖范围内"),
    "amend_mismatch": (422, "修改后的检查须与原检查为同一对象、同一考核细则、同一考核期间和方式"),
    "already_amended": (409, "该检查已有更新的版本，请在最新版本上修改"),
    "not_submitted": (409, "原检查尚未提交，不能修改"),
    "period_frozen": (409, "{period}的考核结果已发布，该期间不能再提交或修改检查；如需更正请先由监管人员重新开放"),
})


def item_refusal(item_id, error: DomainError) -> InspectionItemResult:  # noqa: ANN001
    """A refusal as a batch answers it: conflicts (409) are `conflict`, the rest `invalid`."""
    return InspectionItemResult(id=item_id, status="conflict" if error.status_code == 409
                                else "invalid", code=error.code, message=error.message)
