"""Cross-checks beyond the schema (`xunjian rubrics check`).

Errors (the file cannot be trusted): item points do not add up to the declared total or to a group's
points; an award criterion's max differs from its item's points; a reference (composite part,
catalog) does not resolve; composite weights do not add up to 1.
Warnings (the file loads, a person must act): every needs-configuration value, named by item.
Notes: seed quirks and readings recorded in `notes`, shown so nobody mistakes them for facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterator

from pydantic import BaseModel

from backend.rubrics.loader import Library
from backend.rubrics.models import (
    Award, CatalogFindings, CompanyScore, Composite, ConfigValue, Item, LocalValue, Rubric, amount_value,
)


@dataclass(frozen=True)
class Issue:
    level: str              # error | warning | note
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        label = {"error": "错误", "warning": "警告", "note": "说明"}[self.level]
        return f"{where}: {label}: {self.message}"


def config_values(obj: Any, path: tuple, kinds: tuple[type, ...] = (ConfigValue,)
                  ) -> Iterator[tuple[tuple, ConfigValue | LocalValue]]:
    """Every ConfigValue (or other of `kinds`) inside a model, with its key path."""
    if isinstance(obj, kinds):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from config_values(getattr(obj, name), path + (name,), kinds)
    elif isinstance(obj, (list, tuple)):
        for i, x in enumerate(obj):
            yield from config_values(x, path + (i,), kinds)
    elif isinstance(obj, dict):
        for k, x in obj.items():
            yield from config_values(x, path + (k,), kinds)


def settable_values(obj: Any) -> Iterator[tuple[tuple, ConfigValue | LocalValue]]:
    """What a deployment sets: the values the seed leaves open and those it leaves to each place."""
    return config_values(obj, (), (ConfigValue, LocalValue))


# The fields a ConfigValue sits in, as officials name them.
_FIELD_NAMES = {"points": "分值", "per": "每次扣分", "amount": "奖金金额", "min": "分数线",
                "red_min": "红榜分数线（不低于）", "black_below": "黑榜分数线（低于）",
                "cap": "封顶", "late": "逾期扣分", "missing": "未报扣分"}


def _field(path: tuple) -> str:
    return ".".join(_FIELD_NAMES.get(str(p), str(p)) for p in path)


def _clause_words(clause: Any) -> str:
    """A clause as an admin knows it: the start of its words (its id only when it has none)."""
    if not clause.text:
        return f"条款 {clause.id}"
    words = "".join(clause.text.split())
    return f"条款“{words[:16]}…”" if len(words) > 16 else f"条款“{words}”"


def describe(doc: Any, path: tuple) -> str:
    """"第3项“信访处理…” 条款“拖延、推诿处理造成后果的有一例扣…” 每次扣分" from a key path."""
    parts = []
    if path[:1] in (("items",), ("bonus_items",)) and len(path) > 1:
        item = getattr(doc, path[0])[path[1]]
        parts.append(f"第{item.id}项“{item.title}”")
        rest = path[2:]
        if rest[:1] == ("clauses",) and len(rest) > 1:
            parts.append(_clause_words(item.clauses[rest[1]]))
            rest = rest[2:]
        parts.append(_field(rest) or "值")
    elif path[:2] == ("subsidy", "rates"):
        parts.append(f"{path[2]}等次的补贴标准（元/㎡/月）")
    elif path == ("subsidy", "years"):
        parts.append("补贴期限（自物业进驻起，年）")
    elif path[:1] == ("entries",) and path[2:] == ("deadline", "amount"):
        entry = doc.entries[path[1]]
        parts.append(f"{entry.code} {entry.name} 的处置时限（{entry.deadline.unit}）")
    elif path[:1] == ("honour_lists",):
        parts.append(f"红黑榜 {_field(path[1:])}")
    elif path[:1] in (("prizes",), ("credit_grades",)):
        parts.append(f"{getattr(doc, path[0])[path[1]].name} 的 {_field(path[2:])}")
    else:
        parts.append(_field(path))
    return " ".join(parts)


def _items_total(items: list[Item]) -> Decimal | None:
    total = Decimal(0)
    for it in items:
        if it.kind == "bonus":
            continue
        v = amount_value(it.points)
        if v is None:
            return None
        total += v
    return total


def check_library(lib: Library) -> list[Issue]:
    issues = [Issue("error", e.filename, e.line, e.reason) for e in lib.errors]
    for doc_id in sorted(lib.documents):
        doc, f, parsed = lib.documents[doc_id], lib.files[doc_id], lib.parsed.get(doc_id)

        def at(*loc: Any) -> int | None:
            return parsed.line(loc) if parsed else None

        def err(msg: str, *loc: Any) -> None:
            issues.append(Issue("error", f, at(*loc), msg))

        for path, cv in config_values(doc, ()):
            state = f"当前值 {cv.value}" if cv.value is not None else "尚未配置"
            issues.append(Issue("warning", f, at(*path),
                                f"需要配置：{describe(doc, path)}（{state}）：{cv.needs_configuration}"))
        for n in doc.notes:
            issues.append(Issue("note", f, at("notes"), n))

        ikey = "items" if isinstance(doc, Rubric) else "bonus_items"
        items = getattr(doc, ikey, None) or []
        for idx, it in enumerate(items):
            for n in it.notes:
                issues.append(Issue("note", f, at(ikey, idx, "notes"), f"第{it.id}项：{n}"))
            for cidx, c in enumerate(it.clauses):
                for n in c.notes:
                    issues.append(Issue("note", f, at(ikey, idx, "clauses", cidx),
                                        f"第{it.id}项条款 {c.id}：{n}"))
                if isinstance(c, CatalogFindings) and c.catalog not in lib.catalogs():
                    err(f"第{it.id}项条款 {c.id} 引用的问题目录“{c.catalog}”不存在", ikey, idx, "clauses", cidx)
            codes = {e.code for cat in lib.catalogs().values() for e in cat.entries}
            for code in it.catalog:
                if code not in codes:
                    err(f"第{it.id}项对应的问题类型“{code}”不在问题目录中", ikey, idx, "catalog")
            if it.kind == "award":
                awards = [c for c in it.clauses if isinstance(c, Award)]
                pts = amount_value(it.points)
                if awards and pts is not None and sum((c.max for c in awards), Decimal(0)) != pts:
                    err(f"第{it.id}项打分条款满分合计不等于分值 {pts}", ikey, idx)
            if it.kind in ("deduct", "award") and it.points is None and isinstance(doc, Rubric) \
                    and doc.base is None:
                err(f"第{it.id}项没有分值", ikey, idx)

        if isinstance(doc, Rubric):
            declared = amount_value(doc.total)
            got = _items_total(doc.items)
            if declared is not None and got is not None and got != declared:
                err(f"各项分值合计 {got} 不等于声明的总分 {declared}", "total")
            if declared is None and doc.base is None:
                err("须声明 total（各项分值合计）或 base（基础分）", "kind")
            group_ids = {g.id for g in doc.groups}
            for idx, it in enumerate(doc.items):
                if doc.groups and it.group not in group_ids and it.kind != "bonus":
                    err(f"第{it.id}项的分组“{it.group}”不存在", "items", idx)
            for gidx, g in enumerate(doc.groups):
                got_g = _items_total([i for i in doc.items if i.group == g.id])
                if got_g is not None and got_g != g.points:
                    err(f"分组“{g.name}”各项分值合计 {got_g} 不等于 {g.points}", "groups", gidx)
            if doc.subsidy:
                names = {g.name for g in doc.grades}
                missing = names - set(doc.subsidy.rates)
                if missing:
                    err(f"补贴标准缺少等次 {', '.join(sorted(missing))}", "subsidy")
        elif isinstance(doc, Composite):
            for pidx, p in enumerate(doc.parts):
                if p.rubric not in lib.rubrics():
                    err(f"组成部分引用的评分标准“{p.rubric}”不存在", "parts", pidx)
            weights = sum((p.weight for p in doc.parts), Decimal(0))
            if weights != 1:
                err(f"各组成部分权重合计 {weights} 不等于 1", "parts")
        elif isinstance(doc, CompanyScore):
            if doc.project_weight + doc.direct_weight != 1:
                err("project_weight + direct_weight 须等于 1", "project_weight")
            lists = doc.honour_lists
            red, black = (amount_value(lists.red_min), amount_value(lists.black_below)) if lists else (None, None)
            if red is not None and black is not None and black > red:
                err(f"黑榜分数线 {black} 高于红榜分数线 {red}：同一企业不能既上红榜又上黑榜",
                    "honour_lists", "black_below")
    return issues
