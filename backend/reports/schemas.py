"""The period report: the one typed shape every roll-up gives (assemble.py builds it), the API
answers (`response_model`) and a publication freezes (as its JSON).

Plain dataclasses with slots: a district report has 10,000 compound rows, and building them as
validated models cost a fifth of the report (tests/bench/RESULTS.md); FastAPI serialises
dataclasses through pydantic like models. Scores and money are decimal text ("98", "94.8",
"62400.00"), as every number the scoring engine gives (rubrics/README.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import TypeAdapter


@dataclass(slots=True)
class PeriodInfo:
    key: str
    label: str
    start: str
    end: str


@dataclass(slots=True)
class ScopeInfo:
    id: str
    name: str
    level: str


@dataclass(slots=True)
class OldCompound:
    """Rubric E (seed 003) for an old compound: grade and the half year's subsidy."""

    grade: str | None
    total: str | None
    subsidy: dict | None


@dataclass(slots=True)
class CompoundScore:
    compound_id: str
    name: str
    street_id: str
    community_id: str
    company_id: str | None
    total: str | None                       # the town composite; None: not ranked (no P)
    parts: dict[str, str | None]            # {"L": long-term management, "P": rubric P}
    bonus: str | None                       # demonstration projects
    complete: bool
    finding_counts: dict[str, int]          # {"on_time": n, "overdue": m}
    deductions: dict[str, str]              # rubric L: {"findings": …, "cases": …}
    cases: dict[str, int]                   # hotline case deductions by kind (seed 002 §四(一))
    demonstrations: dict[str, int]          # demonstration projects by level
    inspections: dict[str, str]             # rubric id → the inspection scored
    old_compound: OldCompound | None
    rank: int | None = None
    findings: dict[str, dict[str, int]] | None = None  # with detail: by catalog code
    detail: dict | None = None              # with detail: the engine's full trace


@dataclass(slots=True)
class PrizeRow:
    prize: str
    compound_id: str
    name: str
    amount: str | None
    rank: int | None


@dataclass(slots=True)
class GroupScore:
    """A community or a street: the mean of its compounds' composite scores, ranked."""

    id: str
    name: str | None
    score: str
    compounds: int
    rank: int


@dataclass(slots=True)
class CompanyRow:
    """Seed 004 10.3.1: 70% the mean of its projects + 30% the direct score, ranked."""

    id: str
    name: str | None
    projects: int
    project_average: str
    direct: str | None
    total: str | None
    credit_grade: str | None
    warnings: list[str] = field(default_factory=list)
    rank: int | None = None
    honour_list: str | None = None  # 红榜 | 黑榜 (seed 004 10.3.3)


@dataclass(slots=True)
class Recurrence:
    """The same problem at the same compound in consecutive months (seed 002 反复性)."""

    compound_id: str
    catalog_code: str
    building: str | None
    month: int
    count: int
    previous_month_count: int


@dataclass(slots=True)
class PeriodReport:
    period: PeriodInfo
    scope: ScopeInfo
    as_of: str
    compounds: list[CompoundScore]
    prizes: list[PrizeRow]
    communities: list[GroupScore]
    streets: list[GroupScore]
    companies: list[CompanyRow]
    recurrent: list[Recurrence]
    warnings: list[str]
    frozen: bool = False
    frozen_at: str | None = None
    publication_id: str | None = None
    settings_version: int = 0  # the deployment's settings it was computed under (0: the files)

    def to_json(self) -> dict[str, Any]:
        """As a publication stores it."""
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> "PeriodReport":
        return _ADAPTER.validate_python(data)


_ADAPTER = TypeAdapter(PeriodReport)
