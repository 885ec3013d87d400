"""Findings, the rectification tickets they become, the tickets' event log, and photo references.

A finding is what an inspector or grid worker saw; its ticket is the rectification owed by the
compound's property company. The ticket's state is a projection of its append-only events
(`backend.findings.tickets.fold`), stored on the row so that lists and roll-ups read one table.
Ids of findings and events are generated on the phone (UUIDv7), so a retry can never duplicate.

The finding's model family: `FindingBase` holds what the phone says about a problem and is
stored as it is said; `FindingIn` (schemas.py) adds the id, the claimed time and the photos;
`Finding` adds what the server derives; `FindingPublic` (schemas.py) is what screens read.
Insert rows and read columns are derived from these classes (repository.py, views.py).

**Adding a field to a finding** takes four places: `FindingBase` (here), a migration, the
phone's form (frontend/views/finding.js) and the phone's payload (frontend/logic/finding.js).
Storage, the answer, the pull and the content hash follow from `FindingBase`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backend.dbtypes import FiniteFloat, Position, UTCDateTime, utcnow
from backend.ids import new_id


class Source(StrEnum):
    patrol = "patrol"            # 巡查 (grid workers' daily rounds, weekly patrols)
    announced = "announced"      # 明查
    unannounced = "unannounced"  # 暗访
    hotline = "hotline"          # 12345 等平台案卷


class CaseLevel(StrEnum):
    city = "city"
    district = "district"


class TicketState(StrEnum):
    open = "open"
    rectified = "rectified"
    closed = "closed"
    cancelled = "cancelled"


class EventKind(StrEnum):
    dispatch = "dispatch"
    rectify = "rectify"
    close = "close"
    reject = "reject"
    cancel = "cancel"
    due_recomputed = "due_recomputed"
    # The server's own correction of when a rectification counts: its after-photo was taken
    # later than the time the phone claimed (backend/clock.py).
    retimed = "retimed"
    # More photos of the same problem from someone who found it again (同一问题，补充照片):
    # the ticket's state does not move.
    supplement = "supplement"
    # A supervisor's judgement that this finding repeats another: it is closed into that one
    # (state cancelled, detail.duplicate_of) and costs points once (issue 14).
    merge = "merge"
    # A later export of an imported 12345 work order changed what it states (its callback, its
    # content…): recorded with the source file; the state does not move (backend/hotline).
    hotline_update = "hotline_update"
    # A supervisor corrects the finding's catalog type (其他问题 found to be a listed type, a wrong
    # pick): detail.from / detail.to; the due time follows the new type from the dispatch.
    retype = "retype"


class PhotoKind(StrEnum):
    before = "before"
    after = "after"


# ---------------------------------------------------------------- the finding family

class FindingBase(SQLModel):
    """What the phone says about a problem, stored as said."""

    compound_id: uuid.UUID = Field(foreign_key="compound.id")
    catalog_code: str | None = Field(default=None, max_length=16)
    inspection_id: uuid.UUID | None = None
    rubric_item: str | None = Field(default=None, max_length=64)
    description: str = Field(default="", max_length=2000)
    building: str | None = Field(default=None, max_length=100)
    location_text: str | None = Field(default=None, max_length=200)
    latitude: FiniteFloat | None = Field(default=None, ge=-90, le=90)
    longitude: FiniteFloat | None = Field(default=None, ge=-180, le=180)
    accuracy_m: FiniteFloat | None = Field(default=None, ge=0, le=100_000)
    source: Source = Field(default=Source.patrol, sa_type=String(16), nullable=False)
    case_no: str | None = Field(default=None, max_length=64)
    case_level: CaseLevel | None = Field(default=None, sa_type=String(16))


class Finding(FindingBase, table=True):
    __tablename__ = "finding"
    __table_args__ = (
        # Recurrence: a problem (compound, catalog type, building) per month, in index order.
        Index("ix_finding_month_compound", "month", "compound_id", "catalog_code", "building"),
        # An inspection's findings; most findings have none and stay out of it (0008).
        Index("ix_finding_inspection_id", "inspection_id",
              sqlite_where=text("inspection_id IS NOT NULL"),
              postgresql_where=text("inspection_id IS NOT NULL")),
        # A case by its number (the worklist's search, the hotline import); only cases (0014).
        Index("ix_finding_case_no", "case_no", sqlite_where=text("case_no IS NOT NULL"),
              postgresql_where=text("case_no IS NOT NULL")),
    )

    id: uuid.UUID = Field(primary_key=True)
    # Denormalised at creation: roll-ups and scope filters read them without joins, and the
    # company is the one responsible when the problem was found. Not indexed: lists and
    # roll-ups filter the ticket (which carries them too), never the finding (migration 0006).
    district_id: uuid.UUID
    street_id: uuid.UUID
    community_id: uuid.UUID
    company_id: uuid.UUID | None = None
    reporter_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    # Set by a supervisor on a hotline case (seed 002 §四(一) 3 and 5): 推诿, 核查不符.
    case_shirking: bool = False
    case_callback_failed: bool = False
    observed_at: datetime = Field(sa_type=UTCDateTime, description="when it counts (clock.py)")
    client_observed_at: datetime = Field(sa_type=UTCDateTime, description="as the phone said")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    clock_skew_seconds: int = 0
    # Why the phone's time was not believed (backend/clock.py FLAGS), for the verifier.
    time_flag: str | None = Field(default=None, max_length=32)
    month: int = Field(description="yyyymm of observed_at in the deployment zone")
    photos_declared: int = 0
    photos_held: int = 0
    content_hash: str = Field(max_length=64)
    # phones pull tickets by change_seq, not findings: no index (0006)
    change_seq: int = Field(default=0, sa_type=Position)
    # The finding this one repeats, when a supervisor merged it (its ticket is then cancelled).
    # No foreign key: adding one would rebuild SQLite's finding table at upgrade.
    duplicate_of_id: uuid.UUID | None = None


# Open tickets the ladder has reached (催办 or a 督办): the partial index's condition, and the
# dashboards' (written out the same, so that SQLite can use the index).
UP_THE_LADDER = text("ticket.state = 'open' AND ticket.ladder_level >= 2")


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        # The overdue dashboard: open tickets of a street by due time (performance.md).
        # Covering: the overdue test (state, rectified_at) and the scope (district, compound)
        # are answered from the index; migration 0005.
        # With the id after the due time: a page ends inside a run of equal due times (a batch's
        # findings share theirs) without sorting the run (migration 0013). The worklist's
        # filters last: a type, a source or a dispatch week counted from the index (0014).
        Index("ix_ticket_open_street_due", "street_id", "due_at", "id", "state", "rectified_at",
              "district_id", "compound_id", "catalog_code", "source", "dispatched_at",
              sqlite_where=text("state IN ('open', 'rectified')"),
              postgresql_where=text("state IN ('open', 'rectified')")),
        # A company's open tickets by due time (a manager's list); covering like the street's,
        # so the dashboard's count by company reads the index alone (migration 0006).
        Index("ix_ticket_open_company_due", "company_id", "due_at", "id", "state",
              "rectified_at", "district_id", "street_id", "compound_id",
              sqlite_where=text("state IN ('open', 'rectified')"),
              postgresql_where=text("state IN ('open', 'rectified')")),
        # Period roll-ups: one month, every compound, grouped in index order (performance.md),
        # covering what the overdue test and the source filter read (migration 0005); within a
        # compound's month in change_seq order, so new tickets append (migration 0009).
        Index("ix_ticket_month_compound", "month", "compound_id", "change_seq", "catalog_code",
              "source", "state", "due_at", "rectified_at"),
        # Tickets of every state dispatched in a date range (a worklist), by due time; new
        # tickets append to it (0014).
        Index("ix_ticket_dispatched", "dispatched_at", "district_id", "street_id", "due_at", "id"),
        # Recurrence leaves cancelled tickets out: the few of a month, found directly (0006),
        # from the index alone (0010).
        Index("ix_ticket_cancelled_month", "month", "compound_id", "catalog_code", "id",
              sqlite_where=text("state = 'cancelled'"),
              postgresql_where=text("state = 'cancelled'")),
        # Hotline cases: a twentieth of the tickets, read without the others (0010).
        # A street's cases of every state, from the index alone too (0014).
        Index("ix_ticket_hotline_month", "month", "compound_id", "catalog_code", "state",
              "due_at", "rectified_at", "id", "street_id", "dispatched_at",
              sqlite_where=text("source = 'hotline'"), postgresql_where=text("source = 'hotline'")),
        # The notifier's scan: the tickets it must look at by now, and nothing else (0018).
        Index("ix_ticket_notify", "notify_at", sqlite_where=text("notify_at IS NOT NULL"),
              postgresql_where=text("notify_at IS NOT NULL")),
        # The dashboards' 催办 / 督办 counts: the open tickets up the ladder, and only those (0018).
        # The 催办 → 督办 counts (GET /api/dashboard/ladder), by compound first: a community's
        # or a compound's count is a few probes, a street's or the district's a read of this
        # index alone, which holds only the open tickets up the ladder (0018).
        Index("ix_ticket_ladder", "compound_id", "ladder_level", "street_id", "district_id",
              "company_id", "state", sqlite_where=UP_THE_LADDER, postgresql_where=UP_THE_LADDER),
    )

    id: uuid.UUID = Field(primary_key=True, foreign_key="finding.id", description="= finding id")
    compound_id: uuid.UUID = Field(foreign_key="compound.id", index=True)
    district_id: uuid.UUID
    street_id: uuid.UUID
    company_id: uuid.UUID | None = None
    catalog_code: str | None = Field(default=None, max_length=16)
    # The finding's source and observed month, copied so roll-ups read this table alone.
    source: str = Field(default="patrol", sa_column=Column(String(16), nullable=False))
    state: str = Field(default=TicketState.open, sa_column=Column(String(16), nullable=False))
    dispatched_at: datetime = Field(sa_type=UTCDateTime)
    deadline_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(8, 2)))
    deadline_unit: str | None = Field(default=None, max_length=8)
    schedule_key: str | None = Field(default=None, max_length=32)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_provisional: bool = False
    rectified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue_at_close: bool | None = None
    month: int = Field(description="yyyymm the finding was observed (not dispatched)")
    version: int = 0
    # The pull feed's position: on SQLite a counter, on PostgreSQL the writing transaction's
    # id (repository.change_seqs, backend/sync/README.md).
    change_seq: int = Field(default=0, index=True, sa_type=Position)
    # The notifier (backend/notifications): when it must next look at the ticket (an event to
    # tell, or the ladder's next step; null: nothing to come), how far it has read the events,
    # and the ladder's step reached (0 none, 1 即将到期, 2 催办, 3 黄牌, 4 红牌督办) and when.
    notify_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notified_seq: int = 0
    ladder_level: int = 0
    ladder_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TicketEvent(SQLModel, table=True):
    """Append-only: a row is never updated or deleted."""

    __tablename__ = "ticket_event"
    __table_args__ = (UniqueConstraint("ticket_id", "seq"),)

    id: uuid.UUID = Field(primary_key=True)
    ticket_id: uuid.UUID = Field(foreign_key="ticket.id")  # indexed by the unique (ticket_id, seq)
    seq: int
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    at: datetime = Field(sa_type=UTCDateTime, description="when it counts (backend/clock.py)")
    client_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    clock_skew_seconds: int = 0
    time_flag: str | None = Field(default=None, max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=1000)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str | None = Field(default=None, max_length=64)


class PhotoRef(SQLModel, table=True):
    """A photo a finding or event declared; `received_at` is set when its bytes arrive from
    someone whose scope covers the finding (or at once, when the declarer could already see
    those bytes: repository.photo_refs)."""

    __tablename__ = "photo_ref"
    __table_args__ = (UniqueConstraint("owner_id", "sha256"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    finding_id: uuid.UUID = Field(foreign_key="finding.id", index=True)
    owner_id: uuid.UUID = Field(description="the finding (before) or the ticket event (after)")
    kind: str = Field(sa_column=Column(String(8), nullable=False))
    sha256: str = Field(max_length=64, index=True)
    position: int = 0
    declared_bytes: int | None = None
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SyncCounter(SQLModel, table=True):
    """SQLite's change sequence: one row. Taking the next value locks the database for the
    rest of the transaction (SQLite has one writer anyway), so sequence order is commit order
    and a pull cursor never skips a late-committing change. PostgreSQL does not use it."""

    __tablename__ = "sync_counter"

    id: int = Field(default=1, primary_key=True)
    value: int = 0
