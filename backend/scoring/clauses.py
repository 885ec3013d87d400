"""One clause + one observation → the `Line`s it produces. Pure; used by engine.py.

Absent observations: a count is 0, a flag is false; an unrecorded time node or award is reported
(status not_recorded), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from backend.rubrics.models import (
    Award, Catalog, CatalogFindings, ConfigValue, Fixed, Item, PerUnit, Rank, Tiers, TimeNode, Veto,
    amount_value,
)
from backend.scoring import timenodes
from backend.scoring.observations import ABSENT, Observations, as_bool, as_count, as_decimal
from backend.scoring.ranking import dense_position
from backend.scoring.results import Line, fmt

ZERO = Decimal(0)

# (item id, clause id) → {subject: value}: the peers' values of every rank clause.
PeerValues = Mapping[tuple[str, str], Mapping[str, Decimal]]


@dataclass
class Context:
    obs: Observations
    peers: PeerValues = field(default_factory=dict)
    catalogs: Mapping[str, Catalog] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def flag(self, item: Item, clause_id: str, a: Any, what: str) -> None:
        """Warn when a needs-configuration value is used, so it is never silently 0."""
        if isinstance(a, ConfigValue):
            state = f"当前配置值 {fmt(a.value)}" if a.value is not None else "尚未配置"
            self.warnings.append(f"第{item.id}项“{item.title}”条款 {clause_id} 的{what}需要配置（{state}）："
                                 f"{a.needs_configuration}")


def evaluate(item: Item, clause: Any, ctx: Context) -> list[Line]:
    raw = ctx.obs.get(item.id, clause.id)

    def err(reason: str):
        return ctx.obs.obs_error(item.id, clause.id, reason)

    def line(observed: Any, amount: Decimal | None, detail: str, status: str = "ok") -> Line:
        return Line(item.id, clause.id, clause.text, observed, amount, detail, status)

    if isinstance(clause, PerUnit):
        if raw is ABSENT:
            return []
        n = as_count(raw, err)
        if clause.max_count is not None and n > clause.max_count:
            raise err(f"最多 {clause.max_count}{clause.unit}（现为 {n}）")
        if n == 0:
            return []
        per = amount_value(clause.per)
        ctx.flag(item, clause.id, clause.per, "每单位分值")
        if per is None:
            return [line(n, None, f"{n}{clause.unit} × 未配置分值", "needs_configuration")]
        amount = per * n
        detail = f"{n}{clause.unit} × {fmt(per)} = {fmt(amount)}"
        cap = amount_value(clause.cap)
        if cap is not None and amount > cap:
            amount, detail = cap, detail + f"，本条最多 {fmt(cap)}"
        return [line(n, amount, detail)]

    if isinstance(clause, (Fixed, Veto)):
        if raw is ABSENT or not as_bool(raw, err):
            return []
        if isinstance(clause, Veto):
            return [line(True, ZERO, "一票否决", "veto")]
        ctx.flag(item, clause.id, clause.amount, "分值")
        a = amount_value(clause.amount)
        if a is None:
            return [line(True, None, "分值未配置", "needs_configuration")]
        return [line(True, a, f"扣 {fmt(a)}")]

    if isinstance(clause, TimeNode):
        obs = ctx.obs
        if (obs.period is None or obs.as_of is None) and raw is ABSENT:
            return [line(None, None, "观测未给出考核期（period），时间节点未评分", "not_recorded")]
        if obs.period is None or obs.as_of is None:
            raise ctx.obs.error(("period",), "含时间节点的评分标准须在观测中给出 period（期初、期末）")
        out = []
        for o in timenodes.evaluate(clause, raw, obs.period, obs.as_of, err):
            if o.status is None:
                out.append(line(None, None, f"节点 {o.deadline} 未记录报送情况", "not_recorded"))
            elif o.status != "on_time":
                a_cfg = clause.late if o.status == "late" else clause.missing
                word = "逾期报送" if o.status == "late" else "未报送"
                if a_cfg is None:
                    continue  # the seed sets no deduction for this case (another clause covers it)
                ctx.flag(item, clause.id, a_cfg, word + "分值")
                a = amount_value(a_cfg)
                when = f"（{o.submitted}）" if o.submitted else ""
                out.append(line(o.observed, a, f"节点 {o.deadline}：{word}{when}，扣 {fmt(a)}",
                                "ok" if a is not None else "needs_configuration"))
        return out

    if isinstance(clause, Rank):
        if raw is ABSENT:
            return []
        value = as_decimal(raw, err)
        peers = dict(ctx.peers.get((item.id, clause.id), {}))
        if ctx.obs.subject is not None:
            peers[ctx.obs.subject] = value
        if len(peers) < 2:
            return [line(value, None, "排名扣分需要同级单位的数值（请用 score_peers 同时评分）", "not_recorded")]
        pos, tied = dense_position(value, peers.values())
        if pos is None or pos >= len(clause.deductions):
            return []
        a_cfg = clause.deductions[pos]
        ctx.flag(item, clause.id, a_cfg, "排名扣分")
        a = amount_value(a_cfg)
        names = ["最高", "次高", "第三高", "第四高"]
        tie = f"（{tied}个单位并列）" if tied > 1 else ""
        return [line(value, a, f"比例 {fmt(value)} 在 {len(peers)} 个单位中{names[min(pos, 3)]}{tie}，扣 {fmt(a)}",
                     "ok" if a is not None else "needs_configuration")]

    if isinstance(clause, Tiers):
        if raw is ABSENT:
            if item.kind == "bonus":
                return []  # no survey recorded: simply no bonus
            return [line(None, None, "未记录测评结果", "not_recorded")]
        if not isinstance(raw, Mapping) or "value" not in raw:
            raise err("测评结果应为 {value: 百分比, sample: 样本百分比} 或 {value, sampled, households}")
        extra = set(raw) - {"value", "sample", "sampled", "households"}
        if extra:
            raise err(f"未知字段 {', '.join(sorted(extra))}")
        value = as_decimal(raw["value"], err)
        if value > 100:
            raise err(f"百分比不能超过 100（现为 {fmt(value)}）")
        sample = None
        if "sample" in raw:
            sample = as_decimal(raw["sample"], err)
        elif "sampled" in raw and "households" in raw:
            k, n = as_count(raw["sampled"], err), as_count(raw["households"], err)
            if n == 0 or k > n:
                raise err("样本户数须不超过总户数且总户数大于 0")
            sample = Decimal(k) * 100 / Decimal(n)
        if clause.min_sample is not None:
            label = clause.sample_label or "样本"
            if sample is None:
                raise err(f"须给出 sample（{label}，%）或 sampled + households")
            if sample < clause.min_sample:
                return [line(dict(raw), None, f"{label} {fmt(sample)}% 低于 {fmt(clause.min_sample)}%，"
                                              "测评无效，本项不计分", "invalid")]
        for t in sorted(clause.tiers, key=lambda t: t.min, reverse=True):
            if value >= t.min:
                ctx.flag(item, clause.id, t.points, "档次分值")
                a = amount_value(t.points)
                return [line(dict(raw), a, f"{fmt(value)}% ≥ {fmt(t.min)}%，得 {fmt(a)}",
                             "ok" if a is not None else "needs_configuration")]
        return [line(dict(raw), ZERO, f"{fmt(value)}% 未达最低档，得 0")]

    if isinstance(clause, Award):
        if raw is ABSENT:
            return [line(None, None, "未打分", "not_recorded")]
        v = as_decimal(raw, err)
        if v > clause.max:
            raise err(f"得分不能超过本项分值 {fmt(clause.max)}（现为 {fmt(v)}）")
        return [line(v, v, f"得 {fmt(v)} / {fmt(clause.max)}")]

    if isinstance(clause, CatalogFindings):
        if raw is ABSENT:
            return []
        catalog = ctx.catalogs.get(clause.catalog)
        if catalog is None:
            raise err(f"找不到问题目录“{clause.catalog}”")
        if not isinstance(raw, Mapping):
            raise err("应为 {代码: 次数} 或 {代码: {on_time: n, overdue: m}}")
        out = []
        for code in sorted(raw):
            v = raw[code]
            try:
                entry = catalog.entry(code)
            except KeyError:
                raise ctx.obs.error(("observations", item.id, clause.id, code),
                                    f"{item.id}/{clause.id}: 问题目录中没有代码“{code}”") from None
            if isinstance(v, Mapping):
                if not set(v) <= {"on_time", "overdue"}:
                    raise err(f"{code}: 只能有 on_time、overdue")
                on_time, overdue = as_count(v.get("on_time", 0), err), as_count(v.get("overdue", 0), err)
            else:
                on_time, overdue = as_count(v, err), 0
            if on_time + overdue == 0:
                continue
            a = entry.deduction * (on_time + overdue * clause.overdue_multiplier)
            detail = f"{code} {entry.name}：{on_time} 处按时整改 × {fmt(entry.deduction)}"
            if overdue:
                detail += f" + {overdue} 处未按时整改 × {fmt(entry.deduction * clause.overdue_multiplier)}"
            out.append(line({code: v}, a, detail + f" = {fmt(a)}"))
        return out

    raise TypeError(f"unknown clause {clause!r}")
