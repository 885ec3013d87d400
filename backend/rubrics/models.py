"""Rubric file models: the schema every file in `rubrics/` is validated against.

Four document kinds share one loader (`kind:` at the top of each file):

- ``rubric``         a checklist of items, each with verbatim seed text and machine clauses;
- ``catalog``        the finding catalog (seed 002 附件1): codes, deadlines, deduction per occurrence;
- ``composite``      a weighted combination of rubrics plus bonus, ranking and prizes (seed 002 §三/§五);
- ``company_score``  seed 004: 70% average of project scores + 30% direct score, credit grades.

A number the seed leaves blank or doubtful is written as a `ConfigValue`
(``{value: null, needs_configuration: "why"}``): it loads, `xunjian rubrics check` lists it as a
warning naming the item, and the engine never silently treats it as 0. A number the seed states
but leaves to each deployment (a district's subsidy rates) is a `LocalValue`
(``{value: 0.30, set_locally: "why"}``): it scores as written until the deployment sets its own.
Both are edited in the admin's 规则 screen (backend/configuration), never in these files.

The JSON Schema published at ``rubrics/schema/*.schema.json`` is generated from these models
(`schemas()`); a test keeps the published copy in sync.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator, model_validator


class _Strict(BaseModel):
    # Unknown keys are typos in a hand-written file: reject them rather than ignore them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigValue(_Strict):
    """A value the seed leaves blank (扣\\n分) or doubtful ("2024"): configurable and always flagged."""

    value: Decimal | None = Field(None, description="configured value; null = not yet configured")
    needs_configuration: str = Field(..., min_length=1, description="why the seed value is missing or doubtful (中文)")


class LocalValue(_Strict):
    """A value the seed states but leaves to each deployment: used as written, never flagged."""

    value: Decimal = Field(..., description="the seed's value, unless the deployment set its own")
    set_locally: str = Field(..., min_length=1, description="what the deployment decides here (中文)")


Amount = Union[Decimal, ConfigValue, LocalValue]


def amount_value(a: Amount | None) -> Decimal | None:
    """The usable number of an Amount, or None when unconfigured."""
    if isinstance(a, (ConfigValue, LocalValue)):
        return a.value
    return a


# --------------------------------------------------------------------------- clauses

class _Clause(_Strict):
    id: str = Field(..., min_length=1, description="key of this clause in the observations")
    text: str | None = Field(None, description="the seed's words for this clause, verbatim")
    notes: list[str] = Field(default_factory=list, description="seed quirks and readings (shown to users)")


class PerUnit(_Clause):
    """Deduct (or, in a bonus item, add) `per` for every unit observed: 次/个/日/月/季度/项/处/件/例/条."""

    type: Literal["per_unit"]
    per: Amount
    unit: str = Field(..., min_length=1)
    cap: Amount | None = Field(None, description="explicit cap of this clause (最多扣N分)")
    max_count: int | None = Field(None, ge=1, description="most units that can exist (e.g. 11 kinds of plan)")


class Fixed(_Clause):
    """A fixed amount when the condition is observed true (未签合同扣10分)."""

    type: Literal["fixed"]
    amount: Amount


class FixedDate(_Strict):
    every: Literal["year"] = "year"
    month: int = Field(..., ge=1, le=12)
    day: int = Field(..., ge=1, le=31)


class QuarterlyDate(_Strict):
    """A day in a month of every quarter: 每季度最后一个月的20日前 → month_of_quarter 3, day 20."""

    every: Literal["quarter"]
    month_of_quarter: int = Field(3, ge=1, le=3)
    day: int = Field(..., ge=1, le=28)


class MonthlyDate(_Strict):
    every: Literal["month"]
    day: int = Field(..., ge=1, le=28)


# Plain union: a fixed date may omit `every` (it defaults to "year"), so no discriminator.
Deadline = Union[FixedDate, QuarterlyDate, MonthlyDate]


class TimeNode(_Clause):
    """A submission due by a date (时间节点): on time 0, late −late, missing −missing, per instance."""

    type: Literal["time_node"]
    deadline: Deadline
    inclusive: bool = Field(True, description="a submission on the deadline day itself is on time (…日前 read inclusively)")
    late: Amount | None = None
    missing: Amount | None = None


class Rank(_Clause):
    """Deduction by rank among peers: deductions[0] for the highest value, [1] for the second, …

    Ties use dense ranking by value (every peer at the highest value gets deductions[0], every peer at
    the second-highest distinct value gets deductions[1]); values ≤ 0 are never ranked.
    """

    type: Literal["rank"]
    order: Literal["highest"] = "highest"
    deductions: list[Amount] = Field(..., min_length=1)


class Tier(_Strict):
    min: Decimal = Field(..., description="value ≥ min (以上, inclusive) reaches this tier")
    points: Amount


class Tiers(_Clause):
    """Points by a measured value (satisfaction %), valid only with a minimum sample."""

    type: Literal["tiers"]
    tiers: list[Tier] = Field(..., min_length=1)
    min_sample: Decimal | None = Field(None, description="minimum sample (% of households) for a valid measure")
    sample_label: str | None = Field(None, description="what the sample is (样本数/调查覆盖率)")


class Award(_Clause):
    """Points awarded by the inspector, 0..max (评价分值 / 考核打分)."""

    type: Literal["award"]
    max: Decimal = Field(..., ge=0)


class Veto(_Clause):
    """一票否决: the condition observed true fails the whole assessment."""

    type: Literal["veto"]


class CatalogFindings(_Clause):
    """Findings by catalog code: each costs the catalog's deduction, × overdue_multiplier when overdue."""

    type: Literal["catalog_findings"]
    catalog: str
    overdue_multiplier: Decimal = Decimal(2)


Clause = Annotated[
    Union[PerUnit, Fixed, TimeNode, Rank, Tiers, Award, Veto, CatalogFindings],
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- items and rubrics

class Item(_Strict):
    id: str = Field(..., min_length=1)
    title: str = Field(..., min_length=1, description="考核内容")
    group: str | None = Field(None, description="id of the group (考核大项 / section) it belongs to")
    standard: str | None = Field(None, description="工作标准 / 考核分项, verbatim from the seed")
    scoring_text: str | None = Field(None, description="评分办法 / 评分标准, verbatim from the seed")
    time_node: str | None = Field(None, description="时间节点 column, verbatim")
    kind: Literal["deduct", "award", "bonus"] = Field(
        "deduct", description="deduct: points − deductions; award: sum of awarded points; bonus: added on top")
    points: Amount | None = Field(None, description="分值; null only for uncapped deduction items")
    cap: Amount | None = Field(None, description="explicit item cap (本项最多扣N分 / bonus cap)")
    clauses: list[Clause] = Field(..., min_length=1)
    catalog: list[str] = Field(default_factory=list, description=(
        "finding catalog codes a problem found on this item is usually filed as (offered first)"))
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_clause_ids(self) -> "Item":
        ids = [c.id for c in self.clauses]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"条款编号重复: {', '.join(dup)}")
        return self


class Group(_Strict):
    id: str
    name: str
    points: Decimal


class GradeBand(_Strict):
    name: str
    min: Amount | None = Field(None, description="score ≥ min (含) earns this grade; null = the lowest band")


class NotEligible(_Strict):
    """A flag observed true on an item's clause that makes the subject ineligible for money
    (seed 003 七(二)3: the subsidy is computed on the area of compounds that signed a contract)."""

    item: str
    clause: str
    reason: str = Field(..., min_length=1, description="why no money is given, shown with the 0 (中文)")


class Subsidy(_Strict):
    """subsidy = area × rate(grade) × months, months counted inside `years` from the company's move-in."""

    rates: dict[str, Amount] = Field(..., description="grade name → yuan per m² per month")
    months_per_period: int = Field(6, ge=1)
    years: Amount | None = Field(None, description="subsidy runs this many whole years from move-in (补贴期限)")
    not_eligible_when: list[NotEligible] = Field(
        default_factory=list, description="observations that make the subject ineligible (0 with the reason)")
    text: str | None = None

    @field_validator("years")
    @classmethod
    def _whole_years(cls, years: Amount | None) -> Amount | None:
        n = amount_value(years)
        if n is not None and (n != n.to_integral_value() or n < 1):
            raise ValueError(f"补贴期限须为不少于1的整数年，而不是 {n}")
        return years


class Due(_Strict):
    """How often each subject is to be assessed: one row of the coverage plan (明查、暗访、巡查)."""

    source: Literal["announced", "unannounced", "patrol"] = Field(
        ..., description="announced 明查, unannounced 暗访, patrol 巡查")
    every: Literal["week", "month", "quarter", "half_year", "year"]
    by: str | None = Field(None, description="who assesses (区级, 街道办事处…), as the seed says")
    text: str | None = Field(None, description="the seed's words, or why the frequency is our reading")


class Applies(_Strict):
    """Where a rubric applies: which subjects a phone offers it for, and how often it is due.

    `units` names the org units (a district, a town…) whose subjects it covers, matched against
    the subject and every unit above it; a deployment lists its own. Empty: everywhere."""

    subject: Literal["compound", "street"] = Field(
        ..., description="compound 小区, or street 街道/镇 (a town counts as a street)")
    units: list[str] = Field(default_factory=list, description="unit names it applies under")
    when: list[Literal["is_old", "has_party_branch"]] = Field(
        default_factory=list, description="compound flags it needs: 老旧小区, (临时)党支部")
    due: list[Due] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Rubric(_Strict):
    kind: Literal["rubric"]
    id: str = Field(..., min_length=1)
    name: str
    source: str = Field(..., description="seed file and clause")
    subject: str = Field(..., description="what is assessed: 街道/镇, 小区, 物业服务企业")
    method_text: str | None = Field(None, description="how the score is formed, in words")
    base: Decimal | None = Field(None, description="score = base − deductions + bonus; default = total")
    total: Amount | None = Field(None, description="declared sum of item points (checked)")
    floor: Decimal = Field(Decimal(0), description="a total never goes below this")
    bonus_cap: Amount | None = None
    groups: list[Group] = Field(default_factory=list)
    items: list[Item] = Field(..., min_length=1)
    grades: list[GradeBand] = Field(default_factory=list)
    subsidy: Subsidy | None = None
    applies: Applies | None = Field(None, description="where it applies; none: not assessed by inspection")
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_item_ids(self) -> "Rubric":
        ids = [i.id for i in self.items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"项目编号重复: {', '.join(dup)}")
        return self

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)


# --------------------------------------------------------------------------- finding catalog

class CatalogDeadline(_Strict):
    amount: int | LocalValue = Field(..., description="a whole number ≥ 1; a LocalValue where the deployment sets it")
    unit: Literal["工作时", "工作日"]

    @field_validator("amount")
    @classmethod
    def _whole_and_positive(cls, v: int | LocalValue) -> int | LocalValue:
        n = amount_value(v)
        if n is None or n != int(n) or n < 1:
            raise ValueError(f"处置时限应为不小于 1 的整数，而不是 {n}")
        return v

    @field_serializer("amount")
    def _plain(self, v: int | LocalValue) -> int:
        return self.count  # phones and screens read a number, whoever set it

    @property
    def count(self) -> int:
        return int(amount_value(self.amount))


class CatalogEntry(_Strict):
    code: str = Field(..., pattern=r"^[A-Z]{2}\d{2}$")
    major: str = Field(..., description="大类")
    category: str = Field(..., description="分类")
    name: str = Field(..., description="小类名称")
    condition: str = Field(..., description="立案条件（扣分依据）, verbatim")
    deadline: CatalogDeadline = Field(..., description="处置时限")
    responsible: str = Field(..., description="责任单位")
    deduction: Decimal = Field(..., description="每处（个）扣分")
    catch_all: bool = Field(False, description="其他: for a problem the catalog does not list; offered "
                                               "when a search finds nothing, and needs a description")


class Catalog(_Strict):
    kind: Literal["catalog"]
    id: str
    name: str
    source: str
    code_scheme: str = Field(..., description="how codes were assigned (the seed's 代码 column is blank)")
    entries: list[CatalogEntry] = Field(..., min_length=1)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_codes(self) -> "Catalog":
        codes = [e.code for e in self.entries]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"代码重复: {', '.join(dup)}")
        if sum(e.catch_all for e in self.entries) > 1:
            raise ValueError("“其他”类型（catch_all）最多一个")
        return self

    def entry(self, code: str) -> CatalogEntry:
        for e in self.entries:
            if e.code == code:
                return e
        raise KeyError(code)


# --------------------------------------------------------------------------- composite and company

class Part(_Strict):
    rubric: str
    weight: Decimal = Field(..., gt=0, le=1)
    label: str | None = None


class Prize(_Strict):
    name: str
    count: int = Field(..., ge=1)
    amount: Amount = Field(..., description="yuan each")
    by: Literal["rank", "designated"] = Field("rank", description="rank: by place; designated: named by the town")


class Composite(_Strict):
    kind: Literal["composite"]
    id: str
    name: str
    source: str
    parts: list[Part] = Field(..., min_length=1)
    bonus_items: list[Item] = Field(default_factory=list)
    bonus_cap: Amount | None = None
    prizes: list[Prize] = Field(default_factory=list)
    tie_rule: str = Field(..., description="how ties in the ranking are treated, in words")
    notes: list[str] = Field(default_factory=list)


class HonourLists(_Strict):
    """Seed 004 10.3.3: companies assessed well go on the red list (红榜), those assessed badly on
    the black list (黑榜). The seed gives no score lines, so each deployment sets both."""

    source: str
    red_min: Amount = Field(..., description="企业总分 ≥ red_min（含）列入红榜")
    black_below: Amount = Field(..., description="企业总分 < black_below 列入黑榜")


class CompanyScore(_Strict):
    kind: Literal["company_score"]
    id: str
    name: str
    source: str
    text: str | None = None
    project_weight: Decimal = Field(..., gt=0, le=1)
    direct_weight: Decimal = Field(..., ge=0, le=1)
    credit_grades: list[GradeBand] = Field(default_factory=list)
    honour_lists: HonourLists | None = None
    notes: list[str] = Field(default_factory=list)


Document = Annotated[Union[Rubric, Catalog, Composite, CompanyScore], Field(discriminator="kind")]

KINDS = ("rubric", "catalog", "composite", "company_score")


def schemas() -> dict[str, dict]:
    """JSON Schemas for the published files: rubric.schema.json covers every document kind."""
    from pydantic import TypeAdapter

    return {
        "rubric.schema.json": TypeAdapter(Document).json_schema(),
        "catalog.schema.json": Catalog.model_json_schema(),
    }
