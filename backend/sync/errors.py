"""The sync protocol's refusals of a whole request, declared once (backend/errors.py
`Refusals`). An item's refusal inside a batch is an item result (backend/findings/errors.py)."""

from __future__ import annotations

from backend.errors import Refusals

REFUSALS = Refusals({
    "malformed_json": (400, "请求不是合法的 JSON"),
    "validation_error": (422, "{reason}"),
    "batch_too_large": (422, "每批最多 {limit} 条"),
    "cursor_invalid": (422, "同步位置（cursor）无效：请从 0 开始重新同步"),
})
