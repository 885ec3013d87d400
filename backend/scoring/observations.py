"""Observations: what the inspector recorded for one subject (a street, a compound) in one period.

File format (JSON or YAML; documented in rubrics/README.md)::

    {"rubric": "X", "subject": "八一路街道",
     "period": {"start": "2021-01-01", "end": "2021-06-30"}, "as_of": "2021-06-30",
     "facts": {"area_m2": 52000, "moved_in": "2022-03-01"},
     "not_assessed": ["3"],
     "observations": {"4.2": {"report": "2021-06-18", "unrecorded": 5}}}

or, for peers scored together (rank clauses), ``"subjects": {"八一路街道": {...}, ...}`` where each
subject holds its own ``observations`` (and may override period/as_of/facts).

`Observations` keeps the parsed source so the engine can name file and line in its errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from backend.rubrics.loader import Parsed, SourceError, parse_source


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass(frozen=True)
class Observations:
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    subject: str | None = None
    period: Period | None = None
    as_of: date | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    not_assessed: frozenset[str] = frozenset()
    source: Parsed | None = None
    prefix: tuple = ()  # key path of this subject inside the source file

    def get(self, item: str, clause: str) -> Any:
        return self.values.get(item, {}).get(clause, _ABSENT)

    def has(self, item: str, clause: str) -> bool:
        return clause in self.values.get(item, {})

    def error(self, loc: tuple, reason: str) -> SourceError:
        """SourceError at the line of `loc` (relative to this subject's observations)."""
        if self.source is None:
            return SourceError("<observations>", None, reason)
        return self.source.error(self.prefix + loc, reason)

    def obs_error(self, item: str, clause: str | None, reason: str) -> SourceError:
        loc = ("observations", item) + ((clause,) if clause else ())
        where = f"{item}" + (f"/{clause}" if clause else "")
        return self.error(loc, f"{where}: {reason}")


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()
ABSENT = _ABSENT


def as_date(value: Any, err) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise err(f"日期格式应为 YYYY-MM-DD（现为 {value!r}）")


def as_decimal(value: Any, err, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise err(f"应为数值（现为 {value!r}）")
    d = Decimal(value)
    if not d.is_finite() or (minimum is not None and d < minimum):
        raise err(f"数值不能小于 {minimum}（现为 {value}）")
    return d


def as_count(value: Any, err) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or Decimal(value) != int(value) \
            or value < 0:
        raise err(f"应为非负整数（次数/个数）（现为 {value!r}）")
    return int(value)


def as_bool(value: Any, err) -> bool:
    if not isinstance(value, bool):
        raise err(f"应为 true 或 false（现为 {value!r}）")
    return value


_SUBJECT_KEYS = {"subject", "period", "as_of", "facts", "not_assessed", "observations"}
_TOP_KEYS = _SUBJECT_KEYS | {"rubric", "subjects", "comment", "notes"}


def _subject(data: Mapping, parsed: Parsed | None, prefix: tuple, inherited: dict) -> Observations:
    def err(loc: tuple, reason: str) -> SourceError:
        if parsed is None:
            return SourceError("<observations>", None, reason)
        return parsed.error(prefix + loc, reason)

    if not isinstance(data, Mapping):
        raise err((), "观测数据必须是键值映射")
    allowed = _TOP_KEYS if not prefix else _SUBJECT_KEYS | {"comment", "notes"}
    for k in data:
        if k not in allowed:
            raise err((k,), f"未知字段“{k}”（可用: {', '.join(sorted(allowed))}）")
    period = inherited.get("period")
    if "period" in data:
        p = data["period"]
        if not isinstance(p, Mapping) or set(p) != {"start", "end"}:
            raise err(("period",), "period 须为 {start, end}")
        start = as_date(p["start"], lambda m: err(("period", "start"), m))
        end = as_date(p["end"], lambda m: err(("period", "end"), m))
        if end < start:
            raise err(("period",), "期末早于期初")
        period = Period(start, end)
    as_of = inherited.get("as_of")
    if "as_of" in data:
        as_of = as_date(data["as_of"], lambda m: err(("as_of",), m))
    facts = dict(inherited.get("facts", {}))
    if "facts" in data:
        if not isinstance(data["facts"], Mapping):
            raise err(("facts",), "facts 必须是键值映射")
        facts.update(data["facts"])
    na = data.get("not_assessed", [])
    if not isinstance(na, list) or not all(isinstance(x, (str, int)) for x in na):
        raise err(("not_assessed",), "not_assessed 须为项目编号列表")
    values = data.get("observations", {})
    if not isinstance(values, Mapping) or not all(isinstance(v, Mapping) for v in values.values()):
        raise err(("observations",), "observations 须为 {项目编号: {条款编号: 值}}")
    return Observations(values=values, subject=data.get("subject", inherited.get("subject")),
                        period=period, as_of=as_of or (period.end if period else None), facts=facts,
                        not_assessed=frozenset(str(x) for x in na), source=parsed, prefix=prefix)


def from_data(data: Mapping, parsed: Parsed | None = None) -> dict[str, Observations]:
    """Observations by subject name (one entry, key = subject or "", unless `subjects` is given)."""
    if not isinstance(data, Mapping):
        raise (parsed.error((), "观测文件顶层必须是键值映射") if parsed
               else SourceError("<observations>", None, "观测数据必须是键值映射"))
    top = _subject({k: v for k, v in data.items() if k not in ("subjects", "rubric")}, parsed, (), {})
    if "subjects" not in data:
        return {top.subject or "": top}
    subs = data["subjects"]
    if not isinstance(subs, Mapping) or not subs:
        raise (parsed.error(("subjects",), "subjects 须为 {名称: 观测}") if parsed
               else SourceError("<observations>", None, "subjects 须为 {名称: 观测}"))
    inherited = {"period": top.period, "as_of": top.as_of, "facts": top.facts}
    out = {}
    for name, sub in subs.items():
        o = _subject(sub, parsed, ("subjects", name), inherited | {"subject": name})
        out[name] = o
    return out


def load_observations(path: str) -> tuple[str | None, dict[str, Observations], Parsed]:
    """Read an observations file: (rubric id named in it, observations by subject, parsed source)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise SourceError(path, None, "文件不存在") from None
    parsed = parse_source(text, path)
    if not isinstance(parsed.data, Mapping):
        raise parsed.error((), "观测文件顶层必须是键值映射")
    return parsed.data.get("rubric"), from_data(parsed.data, parsed), parsed
