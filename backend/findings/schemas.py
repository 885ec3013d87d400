"""What the API takes and gives for findings, tickets and their events (the tables are in
models.py). `FindingIn` and `FindingPublic` derive from `FindingBase`, so a new field of a
finding reaches the API, the pull and the phone's answers without being listed again."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field as PydField

from backend.dbtypes import AwareDatetime
from backend.findings.models import EventKind, FindingBase, Source


class PhotoDecl(BaseModel):
    sha256: str = PydField(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the photo bytes")
    bytes: int | None = PydField(default=None, ge=1, le=2**31)


class FindingIn(FindingBase):
    id: uuid.UUID = PydField(description="client-generated UUIDv7")
    observed_at: AwareDatetime
    photos: list[PhotoDecl] = PydField(default_factory=list, max_length=20)


class EventIn(BaseModel):
    id: uuid.UUID = PydField(description="client-generated UUIDv7 of this transition")
    ticket_id: uuid.UUID
    kind: EventKind
    at: AwareDatetime | None = None
    note: str | None = PydField(default=None, max_length=1000)
    photos: list[PhotoDecl] = PydField(default_factory=list, max_length=20)


class FindingPublic(FindingBase):
    """The finding as a ticket's screens show it."""

    observed_at: datetime
    client_observed_at: datetime | None = None
    received_at: datetime | None = None
    reporter_id: uuid.UUID
    clock_skew_seconds: int = 0
    time_flag: str | None = None
    duplicate_of_id: uuid.UUID | None = None
    before_photos: list[str] = []
    complete: bool = True


class EventPublic(BaseModel):
    id: uuid.UUID
    seq: int
    kind: str
    actor_id: uuid.UUID | None
    actor_name: str | None = None
    at: datetime
    client_at: datetime | None = None
    received_at: datetime
    time_flag: str | None = None
    from_state: str | None
    to_state: str
    note: str | None
    photos: list[str] = []
    detail: dict[str, Any] = {}


class TicketPublic(BaseModel):
    id: uuid.UUID
    compound_id: uuid.UUID
    compound_name: str | None = None
    street_id: uuid.UUID
    company_id: uuid.UUID | None
    catalog_code: str | None
    catalog_name: str | None = None
    source: str = "patrol"
    state: str
    dispatched_at: datetime
    deadline_amount: Decimal | None
    deadline_unit: str | None
    due_at: datetime | None
    due_provisional: bool
    rectified_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    work_seconds_left: int | None = None
    # The 催办 → 督办 ladder (backend/notifications): 0 none, 1 即将到期, 2 催办, 3 黄牌, 4 红牌督办
    ladder_level: int = 0
    ladder_at: datetime | None = PydField(None, description="when its last step was sent")
    version: int
    finding: FindingPublic | None = None
    events: list[EventPublic] = []
    photos_missing: list[str] = []


class TicketBrief(BaseModel):
    """The ticket as a sync batch answers it: enough to show the finding as dispatched.
    The full ticket (names, events, photos, `version`) comes with the next pull; having no
    `version`, a brief never replaces a fuller copy the phone already holds."""

    id: uuid.UUID
    state: str
    dispatched_at: datetime
    due_at: datetime | None
    due_provisional: bool


class _Answer(BaseModel):
    id: uuid.UUID
    status: str  # created | duplicate | conflict | invalid
    code: str | None = None
    message: str | None = None
    complete: bool | None = None
    photos_held: list[str] = []
    photos_missing: list[str] = []


class SyncItemResult(_Answer):
    """One finding's answer in `POST /api/sync/findings` (see backend/sync/README.md)."""

    ticket: TicketBrief | None = None


class ItemResult(_Answer):
    """One item's answer with the full ticket (single-item API, transitions)."""

    ticket: TicketPublic | None = None


class RetypeIn(BaseModel):
    """A supervisor's correction of the finding's catalog type, with the reason."""

    catalog_code: str = PydField(max_length=16)
    note: str = PydField(max_length=1000, description="更正原因")


class MergeIn(BaseModel):
    """A supervisor's judgement that this finding repeats another (`into`)."""

    into: uuid.UUID = PydField(description="the finding it repeats, which stays")
    note: str | None = PydField(default=None, max_length=1000)


class TicketNarrowing(BaseModel):
    """Where and what: the filters the worklist and the overdue dashboard share, every one
    optional and combined with AND."""

    street_id: uuid.UUID | None = None
    community_id: uuid.UUID | None = None
    compound_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    catalog_code: str | None = PydField(default=None, max_length=16)
    source: Source | None = None
    dispatched_from: date | None = PydField(default=None, description="派单日期起（含）")
    dispatched_to: date | None = PydField(default=None, description="派单日期止（含）")
    q: str | None = PydField(default=None, min_length=1, max_length=64,
                             description="案卷号，或问题说明中的文字")

    @property
    def narrowed(self) -> bool:
        """Whether any of these filters is set (a worklist's state and overdue test aside)."""
        return any(getattr(self, name) is not None for name in TicketNarrowing.model_fields)


class TicketQuery(TicketNarrowing):
    """A worklist's filters (GET /api/tickets): the narrowing, the state and the overdue test."""

    state: Literal["open", "all", "closed", "cancelled"] = "open"
    overdue: bool = False


class OverdueCount(BaseModel):
    """Overdue tickets of one place or company (`id` null: tickets of no company)."""

    id: uuid.UUID | None
    name: str
    overdue: int


class ChosenPlace(BaseModel):
    """One step of the dashboard's drill-down, for its crumbs: the filter and its name."""

    key: Literal["street_id", "community_id", "compound_id", "company_id"]
    id: uuid.UUID
    name: str


class LadderBoard(BaseModel):
    """The open tickets of a selection up the 催办 → 督办 ladder (GET /api/dashboard/ladder)."""

    urged: int = PydField(description="已催办（未到督办）的未办结工单数")
    yellow: int = PydField(description="黄牌督办中的未办结工单数")
    red: int = PydField(description="红牌督办中的未办结工单数")


class OverdueBoard(BaseModel):
    """The overdue dashboard of a selection (GET /api/dashboard/overdue): its totals, the
    overdue counts of the next level down (street → community → compound) and of its
    companies, most overdue first."""

    total: int = PydField(description="超期工单数")
    open: int = PydField(description="未办结工单数")
    level: Literal["street", "community", "compound"] | None = PydField(
        description="`rows` 按哪一级计数；已选到小区时为空")
    rows: list[OverdueCount]
    by_company: list[OverdueCount] = PydField(description="超期最多的物业公司（至多 20 家）")

    companies: int = PydField(description="有超期工单的物业公司数")
    path: list[ChosenPlace]
