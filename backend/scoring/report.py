"""File-level entry points used by the CLI: read an observations file, score, render a table.

Town file:    {"rubric": "town", "period": {...}, "designated": {"红色物业": ["XX苑"]},
               "compounds": {"XX花园": {"L": {observations…}, "P": {…}, "bonus": {…}}}}
Company file: {"rubric": "company", "companies": {"甲物业": {"projects": {"XX花园": 92}, "direct": 88}}}
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from backend.rubrics.loader import Library, SourceError, parse_source
from backend.rubrics.models import CompanyScore, Composite, Rubric
from backend.scoring.composite import BONUS_KEY, CompanyResult, TownResult, company_score, score_town
from backend.scoring.engine import score_peers
from backend.scoring.observations import _subject, as_decimal, from_data
from backend.scoring.results import ScoreResult, fmt


def _read(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise SourceError(path, None, "文件不存在") from None
    except UnicodeDecodeError:
        raise SourceError(path, None, "文件不是 UTF-8 编码") from None
    parsed = parse_source(text, path)
    if not isinstance(parsed.data, Mapping):
        raise parsed.error((), "观测文件顶层必须是键值映射")
    return parsed


def _check_rubric_name(parsed, doc_id: str) -> None:
    named = parsed.data.get("rubric")
    if named is not None and str(named) != doc_id:
        raise parsed.error(("rubric",), f"观测文件写明适用于“{named}”，而评分标准是“{doc_id}”")


def score_file(rubric: Rubric, path: str, lib: Library) -> ScoreResult | dict[str, ScoreResult]:
    parsed = _read(path)
    _check_rubric_name(parsed, rubric.id)
    subjects = from_data(parsed.data, parsed)
    results = score_peers(rubric, subjects, catalogs=lib.catalogs())
    if "subjects" not in parsed.data:
        return next(iter(results.values()))
    return results


def town_file(composite: Composite, path: str, lib: Library) -> TownResult:
    parsed = _read(path)
    _check_rubric_name(parsed, composite.id)
    data = parsed.data
    allowed = {"rubric", "comment", "period", "as_of", "designated", "compounds"}
    for k in data:
        if k not in allowed:
            raise parsed.error((k,), f"未知字段“{k}”（可用: {', '.join(sorted(allowed))}）")
    top = _subject({k: data[k] for k in ("period", "as_of") if k in data}, parsed, (), {})
    compounds = data.get("compounds")
    if not isinstance(compounds, Mapping) or not compounds:
        raise parsed.error(("compounds",), "compounds 须为 {小区: {L: 观测, P: 观测, bonus: 观测}}")
    part_ids = [p.rubric for p in composite.parts] + [BONUS_KEY]
    obs: dict[str, dict] = {}
    for name, parts in compounds.items():
        if not isinstance(parts, Mapping):
            raise parsed.error(("compounds", name), f"{name}: 须为 {{{', '.join(part_ids)}: 观测}}")
        for pid in parts:
            if pid not in part_ids:
                raise parsed.error(("compounds", name, pid), f"{name}: 未知部分“{pid}”（可用: {', '.join(part_ids)}）")
        inherited = {"period": top.period, "as_of": top.as_of, "subject": name}
        obs[name] = {pid: _subject(parts[pid], parsed, ("compounds", name, pid), inherited) for pid in parts}
    designated = data.get("designated", {})
    if not isinstance(designated, Mapping) or not all(isinstance(v, list) for v in designated.values()):
        raise parsed.error(("designated",), "designated 须为 {奖项: [小区, …]}")
    for prize, names in designated.items():
        for n in names:
            if n not in compounds:
                raise parsed.error(("designated", prize), f"指定获奖的“{n}”不在 compounds 中")
    rubrics = {p.rubric: lib.rubrics()[p.rubric] for p in composite.parts}
    return score_town(composite, rubrics, obs, catalogs=lib.catalogs(), designated=designated)


def company_file(rule: CompanyScore, path: str) -> dict[str, CompanyResult]:
    parsed = _read(path)
    _check_rubric_name(parsed, rule.id)
    companies = parsed.data.get("companies")
    if not isinstance(companies, Mapping) or not companies:
        raise parsed.error(("companies",), "companies 须为 {企业: {projects: {项目: 分数}, direct: 分数}}")
    out = {}
    for name, c in companies.items():
        loc = ("companies", name)
        if not isinstance(c, Mapping) or set(c) != {"projects", "direct"} or not isinstance(c["projects"], Mapping) \
                or not c["projects"]:
            raise parsed.error(loc, f"{name}: 须为 {{projects: {{项目: 分数}}, direct: 分数}}")
        scores = [as_decimal(v, lambda m, k=k: parsed.error(loc + ("projects", k), f"{name}/{k}: {m}"))
                  for k, v in c["projects"].items()]
        direct = as_decimal(c["direct"], lambda m: parsed.error(loc + ("direct",), f"{name}/direct: {m}"))
        out[name] = company_score(rule, scores, direct, company=name)
    return out


# --------------------------------------------------------------------------- table

def _score_table(r: ScoreResult) -> list[str]:
    head = f"【{r.subject or ''}】评分标准 {r.rubric}：总分 {fmt(r.total)}"
    if r.grade:
        head += f"，等次 {r.grade}"
    if r.money and r.money.amount is not None:
        head += f"，补贴 {r.money.amount.quantize(Decimal('0.01'))} 元"
    out = [head, f"  {'项目':<8}{'分值':>6}{'扣分':>6}{'加分':>6}  依据"]
    for it in r.items:
        if not it.lines and it.status == "scored":
            continue
        out.append(f"  {it.id:<8}{fmt(it.points) or '-':>6}{fmt(it.deduction):>6}{fmt(it.bonus):>6}  "
                   f"{it.title}{'（未考核）' if it.status == 'not_assessed' else ''}{'（封顶）' if it.capped else ''}")
        for ln in it.lines:
            out.append(f"  {'':<26}· {ln.clause}: {ln.detail}")
    out.append(f"  基础分 {fmt(r.base)} − 扣分 {fmt(r.deductions)} + 加分 {fmt(r.bonus)} = {fmt(r.total)}"
               + ("（一票否决）" if r.vetoed else ""))
    out += [f"  ! {w}" for w in r.warnings]
    return out


def table(out: Any) -> str:
    lines: list[str] = []
    if isinstance(out, ScoreResult):
        lines = _score_table(out)
    elif isinstance(out, TownResult):
        lines.append(f"{'名次':<4}{'小区':<12}{'总分':>8}  构成")
        for r in out.ranking:
            c = out.results[r.subject]
            parts = " + ".join(f"{k} {fmt(v)}" for k, v in c.weighted.items())
            lines.append(f"{r.rank:<4}{r.subject:<12}{fmt(r.score):>8}  {parts} + 加分 {fmt(c.bonus)}")
        for p in out.prizes:
            amt = str(p.amount.quantize(Decimal('0.01'))) if p.amount is not None else "需配置"
            lines.append(f"  {p.prize}: {p.subject}（{amt} 元）")
        lines += [f"  ! {w}" for w in out.warnings]
    elif isinstance(out, dict):
        for v in out.values():
            if isinstance(v, ScoreResult):
                lines += _score_table(v) + [""]
            elif isinstance(v, CompanyResult):
                lines.append(f"{v.company}: {v.detail}，信用等级 {v.grade or '未定'}")
                lines += [f"  ! {w}" for w in v.warnings]
    return "\n".join(lines)
