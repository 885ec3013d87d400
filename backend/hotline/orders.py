"""A hotline export's rows as work orders: finding the header, mapping columns to the fields
work orders carry, and reading each value. Pure: no database, no HTTP.

Exports differ by platform and city: the header may have a title row above it and span two
lines (group headings over sub-headings, merged in Excel); dates come as text, Excel dates or
Excel serial numbers. A column's label is its heading with the group heading before it
("时间/受理时间"). A mapping names, for each field, the label of its column; it is guessed from
the words below and saved per platform once an official has checked it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

# field → (label shown to officials, words a column's label may be or contain), in the order
# columns are guessed (the more specific fields first).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "case_no": ("工单编号", ("工单编号", "工单号", "案件编号", "受理编号", "编号")),
    "accepted_at": ("受理时间", ("受理时间", "来电时间", "登记时间", "派单时间", "受理日期")),
    "replied_at": ("回复/办结时间", ("回复时间", "办结时间", "答复时间", "反馈时间", "处理时间")),
    "time_limit": ("办理时限", ("办理时限", "办结时限", "截止时间", "时限")),
    "content": ("诉求内容", ("诉求内容", "来电内容", "问题描述", "诉求描述", "内容")),
    "address": ("诉求地址", ("诉求地址", "事发地址", "发生地址", "地址", "地点")),
    "category": ("诉求分类", ("诉求分类", "问题分类", "诉求类别", "分类", "类别")),
    "handler": ("承办单位", ("承办单位", "办理单位", "责任单位", "处置单位")),
    "status": ("工单状态", ("工单状态", "办理状态", "状态")),
    "callback": ("回访结果", ("回访结果", "回访情况", "回访")),
    "satisfaction": ("满意度", ("满意度", "满意程度", "评价")),
    "level": ("市级/区级", ("市级/区级", "工单级别", "级别", "层级")),
}
REQUIRED = ("case_no", "accepted_at")


def field_label(name: str) -> str:
    return FIELDS[name][0]


@dataclass(frozen=True)
class OrderError:
    """A line (0: the file) that cannot be imported, the column at fault, and why."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行" if self.line else "文件"
        return f"{where}{' ' + self.column if self.column else ''}：{self.message}"


class HeaderNotFound(ValueError):
    pass


@dataclass
class Table:
    """The export after its header: column labels, and data rows with their line numbers."""

    labels: list[str]
    header_lines: list[int]
    rows: list[tuple[int, list[Any]]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_key_label(text: str) -> bool:
    return any(word in text for word in FIELDS["case_no"][1])


def find_table(rows: Iterable[tuple[int, list[Any]]], key_labels: Iterable[str] = ()) -> Table:
    """The header (one or two lines: the first naming the work-order number, by the words
    above or one of `key_labels` (saved mappings'), the second its sub-headings, which leave
    the number's column empty or repeat it) and the data below. Blank lines are skipped."""
    rows = [(n, cells) for n, cells in rows if any(_text(c) for c in cells)]
    known = {k.split("/")[0] for k in key_labels} | {k.split("/")[-1] for k in key_labels}

    def is_key(text: str) -> bool:
        return text in known or _is_key_label(text)

    for index, (line, cells) in enumerate(rows):
        texts = [_text(c) for c in cells]
        key_columns = [i for i, t in enumerate(texts) if is_key(t)]
        if not key_columns:
            continue
        key = key_columns[0]
        top, header_lines, data = texts, [line], rows[index + 1:]
        bottom: list[str] = []
        if data:
            below = [_text(c) for c in data[0][1]]
            # sub-headings leave the number's column empty (or repeat it: a vertical merge)
            # and hold no value: a first order without its number is an order, not a heading
            if (key >= len(below) or below[key] in ("", texts[key])) \
                    and not any(_looks_like_value(c) for c in data[0][1]):
                bottom, header_lines, data = below, [line, data[0][0]], data[1:]
        width = max(len(top), len(bottom))
        labels = []
        for col in range(width):
            t = top[col] if col < len(top) else ""
            b = bottom[col] if col < len(bottom) else ""
            labels.append(b if not t or t == b else t if not b else f"{t}/{b}")
        return Table(labels, header_lines, data)
    raise HeaderNotFound("没有找到表头：请确认文件中有“工单编号”一列（或在列对应中指定工单编号所在的列名）")


_VALUE = re.compile(r"^\s*(\d{4}\s*[-/年.]\s*\d{1,2}|\d+(\.\d+)?\s*$)")


def _looks_like_value(cell: Any) -> bool:  # noqa: ANN401
    """A date, a time or a number: what a heading never is."""
    if isinstance(cell, (datetime, date, int, float, Decimal)) and not isinstance(cell, bool):
        return True
    return bool(_VALUE.match(str(cell or "")))


def guess_mapping(labels: Sequence[str]) -> dict[str, str]:
    """field → column label, by the words above: a label equal to a word first, then one
    containing it; the sub-heading is read before its group heading."""
    mapping: dict[str, str] = {}
    taken: set[int] = set()
    # the whole label, then its sub-heading, then its group heading ("市级/区级" is one heading)
    parts = [[label, *reversed(label.split("/"))] for label in labels]
    for exact in (True, False):
        for name, (_, words) in FIELDS.items():
            if name in mapping:
                continue
            for col, label_parts in enumerate(parts):
                if col in taken or not labels[col]:
                    continue
                if any((p == w) if exact else (w in p) for p in label_parts for w in words):
                    mapping[name] = labels[col]
                    taken.add(col)
                    break
    return mapping


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ------------------------------------------------------------------ values

_EXCEL_EPOCH = datetime(1899, 12, 30)
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
            "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M", "%Y-%m-%dT%H:%M:%S",
            "%Y.%m.%d %H:%M")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*个?\s*(工作日|工作时|工作小时|小时|自然日|天|日)$")


def _serial(number: float) -> datetime:
    if not 1 <= number < 2958466:  # Excel's own range: 1900-01-01 … 9999-12-31
        raise ValueError
    # to the second: a stored fraction of a day is 15 digits, 09:44:55 reads as 09:44:54.999998
    return _EXCEL_EPOCH + timedelta(seconds=round(number * 86400))


def read_time(value: Any, zone: ZoneInfo, *, end_of_day: bool = False) -> datetime | None:
    """A local time as an aware datetime; a date alone is its start (or `end_of_day`)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        # an Excel date cell is a datetime at midnight: a date, as the same date in a CSV is
        local = datetime.combine(value.date(), time.max) \
            if end_of_day and value.time() == time.min else value
    elif isinstance(value, date):
        local = datetime.combine(value, time.max if end_of_day else time.min)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        local = _serial(float(value))
    else:
        text = str(value).strip()
        text = re.sub(r"\s+", " ", text.replace("：", ":"))
        local = None
        if re.fullmatch(r"\d+(\.\d+)?", text):
            local = _serial(float(text))
        for fmt in _FORMATS:
            if local is not None:
                break
            try:
                local = datetime.strptime(text, fmt)
            except ValueError:
                continue
        for fmt in _DATE_FORMATS:
            if local is not None:
                break
            try:
                local = datetime.combine(datetime.strptime(text, fmt).date(),
                                         time.max if end_of_day else time.min)
            except ValueError:
                continue
        if local is None:
            raise ValueError
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC"))


def read_duration(value: Any) -> tuple[Decimal, str] | None:
    """"3个工作日" → (3, 工作日); "24小时" → (24, 小时); "3天" → (72, 小时) (natural days)."""
    m = _DURATION.match(str(value).strip())
    if not m:
        return None
    amount, unit = Decimal(m.group(1)), m.group(2)
    if unit in ("天", "日", "自然日"):
        return amount * 24, "小时"
    return amount, "工作时" if unit == "工作小时" else unit


STATUSES = {"办结": ("办结", "已办结", "完成", "已完成", "结案", "已结案", "已办理"),
            "退单": ("退单", "退回", "已退单"), "延期": ("延期", "申请延期", "延期办理")}


def read_status(text: str) -> str:
    for status, words in STATUSES.items():
        if any(w in text for w in words):
            return status
    return text or "处理中"


def read_level(text: str) -> str | None:
    if not text:
        return None
    if "市" in text:
        return "city"
    if "区" in text or "县" in text:
        return "district"
    raise ValueError


@dataclass
class OrderRow:
    """One work order as the export states it (times aware, in UTC)."""

    line: int
    case_no: str
    accepted_at: datetime
    content: str = ""
    address: str = ""
    category: str = ""
    handler: str = ""
    due_at: datetime | None = None                   # 办理时限 as a time
    limit: tuple[Decimal, str] | None = None         # 办理时限 as a duration
    replied_at: datetime | None = None
    status: str = "处理中"
    callback: str = ""
    satisfaction: str = ""
    level: str | None = None
    digest: str = field(default="", compare=False)
    _stated: dict | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_stated(cls, stated: dict, *, line: int = 0) -> OrderRow:
        """The order a stored statement (`stated()`) says."""
        values = dict(stated)
        for key in ("accepted_at", "due_at", "replied_at"):
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        values["limit"] = (Decimal(values["limit"][0]), values["limit"][1]) \
            if values.get("limit") else None
        return cls(line=line, **values)

    def stated(self) -> dict:
        """The values as stored and compared (the line is where, not what); made once."""
        if self._stated is None:
            out = {name: getattr(self, name) for name in _STATED}
            for key in ("accepted_at", "due_at", "replied_at"):
                out[key] = out[key].isoformat() if out[key] else None
            out["limit"] = [str(self.limit[0]), self.limit[1]] if self.limit else None
            self._stated = out
        return self._stated


def _implausible(line: int, values: dict, where, now: datetime | None) -> list[OrderError]:  # noqa: ANN001
    """A line whose values read, but cannot be what the platform meant."""
    errors = []
    for name, key in (("accepted_at", "accepted_at"), ("replied_at", "replied_at"),
                      ("time_limit", "due_at")):
        moment = values.get(key)
        if moment is not None and not 2000 <= moment.year <= 2100:
            errors.append(OrderError(line, where(name), f"日期 {moment:%Y-%m-%d} 不在 2000–2100 年之间"))
    if errors:
        return errors
    accepted, replied, due = values.get("accepted_at"), values.get("replied_at"), values.get("due_at")
    if accepted and now and accepted > now + timedelta(days=1):
        errors.append(OrderError(line, where("accepted_at"), "受理时间晚于现在"))
    if accepted and replied and replied < accepted:
        errors.append(OrderError(line, where("replied_at"), "回复时间早于受理时间"))
    if accepted and due and due < accepted:
        errors.append(OrderError(line, where("time_limit"), "办理时限早于受理时间"))
    limit = values.get("limit")
    if limit and not 0 < limit[0] <= _LIMIT_BOUNDS[limit[1]]:
        errors.append(OrderError(line, where("time_limit"), "办理时限应大于 0 且不超过一年"))
    if values.get("status") == "办结" and not replied:
        column = where("replied_at") if "replied_at" in values else where("status")
        errors.append(OrderError(line, column, "工单已办结，但没有回复/办结时间"))
    return errors


_STATED = ("case_no", "accepted_at", "content", "address", "category", "handler", "due_at",
           "limit", "replied_at", "status", "callback", "satisfaction", "level")


_LIMIT_BOUNDS = {"工作日": 250, "工作时": 2000, "小时": 8760}  # a year at most


@dataclass
class Read:
    orders: list[OrderRow]     # one per number, in the file's order
    errors: list[OrderError]
    duplicates: int = 0        # lines repeating an earlier line exactly


def read_rows(table: Table, mapping: dict[str, str], zone: ZoneInfo, now: datetime | None = None
              ) -> Read:
    """Each data row as an order, or the errors naming its line and column. A line repeating
    an earlier one is a duplicate; one stating something else under the same number is an
    error of its own line (the first is kept)."""
    index = {label: i for i, label in enumerate(table.labels) if label}
    unknown = [label for label in mapping.values() if label not in index]
    if unknown:
        return Read([], [OrderError(0, None, f"文件中没有列“{'、'.join(unknown)}”：请检查列对应")])
    missing = [field_label(f) for f in REQUIRED if mapping.get(f) not in index]
    if missing:
        return Read([], [OrderError(0, None, f"列对应缺少 {'、'.join(missing)}：请在列对应中指定")])
    first: dict[str, OrderRow] = {}
    errors: list[OrderError] = []
    duplicates = 0
    for line, cells in table.rows:
        def cell(name: str) -> Any:  # noqa: ANN401
            col = index.get(mapping.get(name, ""))
            return None if col is None or col >= len(cells) else cells[col]

        def where(name: str) -> str:
            label = mapping[name]
            return f"{label}（{column_letter(index[label])}列）"

        row_errors = []
        values: dict[str, Any] = {}
        for name in FIELDS:
            if name not in mapping:
                continue
            raw = cell(name)
            text = _text(raw)
            try:
                if name in ("accepted_at", "replied_at"):
                    values[name] = read_time(raw, zone)
                elif name == "time_limit":
                    duration = read_duration(text) if text else None
                    if duration:
                        values["limit"] = duration
                    else:
                        values["due_at"] = read_time(raw, zone, end_of_day=True)
                elif name == "status":
                    values[name] = read_status(text)
                elif name == "level":
                    values[name] = read_level(text)
                else:
                    values[name] = text
            except (ValueError, OverflowError):
                kind = {"level": "应为 市级 或 区级", "time_limit": "应为时间（如 2026-11-05 17:30）或时长（如 3个工作日）"
                        }.get(name, "无法识别的时间，应如 2026-11-05 09:30")
                row_errors.append(OrderError(line, where(name), f"{kind}，而不是“{text}”"))
        for name in REQUIRED:
            if name in mapping and not values.get(name) and not any(
                    e.column == where(name) for e in row_errors):
                row_errors.append(OrderError(line, where(name), f"缺少{field_label(name)}"))
        if len(values.get("case_no") or "") > 64:
            row_errors.append(OrderError(line, where("case_no"), "工单编号过长（最多64个字符）"))
        for name, limit in (("content", 2000), ("address", 200), ("category", 200),
                            ("handler", 200), ("callback", 500), ("satisfaction", 100)):
            if len(values.get(name) or "") > limit:
                row_errors.append(OrderError(line, where(name), f"内容过长（最多{limit}个字符）"))
        row_errors += _implausible(line, values, where, now)
        if row_errors:
            errors.extend(row_errors)
            continue
        order = OrderRow(line=line, **values)
        order.digest = hashlib.sha256(json.dumps(order.stated(), ensure_ascii=False,
                                                 sort_keys=True).encode()).hexdigest()
        seen = first.get(order.case_no)
        if seen is None:
            first[order.case_no] = order
        elif seen.digest == order.digest:
            duplicates += 1
        else:
            errors.append(OrderError(line, where("case_no"), f"工单编号“{order.case_no}”与第 "
                                     f"{seen.line} 行相同，但内容不同：请核对后保留一行"))
    return Read(list(first.values()), errors, duplicates)


def stated_label(key: str) -> str:
    """The label of a stated value (`OrderRow.stated`'s keys): 办理时限 for due_at and limit."""
    return field_label("time_limit" if key in ("due_at", "limit") else key)
