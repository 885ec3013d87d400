"""The write path of findings, tickets, ticket events and photo references.

This module is the only code that writes the `finding`, `ticket`, `ticket_event` and
`photo_ref` tables, and the only allocator of the pull feed's positions (`change_seqs`).
Everything else (the single and batch creates, transitions, due-time recomputation, photo
uploads, the demo and the benchmarks' data generators) calls it. Rows are built from the
model family (models.py): a finding's phone-given columns are `FindingBase`'s fields.

Statements go straight to the DB-API connection under the session's transaction (`RawSQL`):
on the ingestion hot path SQLAlchemy's per-statement cost was most of a request
(tests/bench/RESULTS.md). Rows written here read back through the ORM like the ORM's own
(tests/findings/test_raw_sql.py). Nothing here commits: the unit of work does (backend/transaction.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, func, select, text, update
from sqlmodel import Session

from backend.findings.models import EventKind, Finding, FindingBase, PhotoKind, PhotoRef, \
    Ticket, TicketEvent, TicketState
from backend.findings import tickets
from backend.findings.schemas import FindingIn, PhotoDecl
from backend.ids import new_id
from backend.rawsql import RawSQL

FINDING_INPUT_COLUMNS = tuple(FindingBase.model_fields)  # stored as the phone said them
# those whose values are enums, stored as their values
_ENUM_COLUMNS = tuple(name for name, f in FindingBase.model_fields.items()
                      if any(isinstance(t, type) and issubclass(t, Enum)
                             for t in (f.annotation, *getattr(f.annotation, "__args__", ()))))
TICKET_COLUMNS = tuple(Ticket.__table__.columns)


def _in(count: int) -> str:
    return "(" + ", ".join("?" * count) + ")"


# ------------------------------------------------------------------ the change sequence

_NEXT_SEQS_SQL = "UPDATE sync_counter SET value = value + ? WHERE id = 1 RETURNING value"
# PostgreSQL: the writing transaction's id, shifted left by 20 bits, plus a counter of the rows
# the transaction placed so far (a transaction-local setting: it ends, and a rolled-back
# savepoint takes it back, with the transaction). The counter stops at 2**20 - 1: a
# transaction placing more rows shares that last position, which the pull orders by id.
_XID_SHIFT = 20
_PG_NEXT_SEQS_SQL = (
    "SELECT (pg_current_xact_id()::text::bigint << 20) + set_config('xunjian.change_seq', "
    "LEAST(COALESCE(NULLIF(current_setting('xunjian.change_seq', true), ''), '0')::bigint"
    " + %s, 1048575)::text, true)::bigint")


def change_seqs(session: Session, count: int) -> Sequence[int]:
    """`count` consecutive positions in the pull feed for rows this transaction writes.

    SQLite: values of one counter; taking them takes the database's one write lock until
    commit, so position order is commit order. PostgreSQL: the writing transaction's id
    (shifted) plus the transaction's own counter: writers never wait for each other, and a
    pull returns only the rows of transactions older than the oldest still in flight
    (`feed_visible`), ordered by position, then id (backend/sync/README.md)."""
    raw = RawSQL(session)
    if raw.sqlite:
        top = raw.execute(_NEXT_SEQS_SQL, (count,)).fetchone()[0]
        return range(top - count + 1, top + 1)
    top = raw.dbapi.execute(_PG_NEXT_SEQS_SQL, (count,)).fetchone()[0]
    base = top >> _XID_SHIFT << _XID_SHIFT  # the transaction's first position
    return [max(base, top - count + 1 + i) for i in range(count)]


def change_seq(session: Session) -> int:
    return change_seqs(session, 1)[0]


def feed_visible(session: Session) -> ColumnElement[bool]:
    """The rows a pull may return now. On PostgreSQL: only those at positions below the oldest
    transaction still in flight other than the pull's own (`pg_snapshot_xip` leaves the own
    one out), since none of those can later commit a row at an earlier position; every
    transaction yet to take an id takes a larger one. On SQLite: every committed row."""
    if session.get_bind().dialect.name == "sqlite":
        return text("1 = 1")
    return Ticket.change_seq < text(
        "COALESCE((SELECT min(x)::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) x)"
        f" << {_XID_SHIFT}, 9223372036854775807)")


# ------------------------------------------------------------------ reads the write path needs


def stored_digests(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple]:
    """{finding id: (content hash, compound id, company id, district id, street id,
    community id)} of the findings among `ids` already stored."""
    ids = list(ids)
    if not ids:
        return {}
    raw = RawSQL(session)
    rows = raw.execute("SELECT id, content_hash, compound_id, company_id, district_id, "
                       f"street_id, community_id FROM finding WHERE id IN {_in(len(ids))}",
                       [raw.bind_uuid(i) for i in ids]).fetchall()
    return {raw.uuid(r[0]): (r[1], *(raw.uuid(v) for v in r[2:])) for r in rows}


class CompoundRow:
    """What a new finding copies from its compound."""

    __slots__ = ("id", "name", "district_id", "street_id", "community_id", "company_id")

    def __init__(self, row: tuple, uuid_of) -> None:  # noqa: ANN001
        self.id, self.name, self.district_id, self.street_id, self.community_id, \
            self.company_id = (uuid_of(row[0]), row[1], uuid_of(row[2]), uuid_of(row[3]),
                               uuid_of(row[4]), uuid_of(row[5]))


def compounds(session: Session, ids: set[uuid.UUID], *, with_grids: bool
              ) -> tuple[list[CompoundRow], dict[uuid.UUID, set[uuid.UUID]]]:
    """The compounds among `ids` that exist, and (`with_grids`) the grids each lies in."""
    if not ids:
        return [], {}
    raw = RawSQL(session)
    params = [raw.bind_uuid(i) for i in ids]
    rows = raw.execute("SELECT id, name, district_id, street_id, community_id, company_id "
                       f"FROM compound WHERE id IN {_in(len(ids))}", params).fetchall()
    # Compounds of a town share their district, street and community, and companies serve
    # many: decode each distinct id once.
    decoded: dict = {}

    def uuid_of(value):  # noqa: ANN001, ANN202
        found = decoded.get(value)
        if found is None and value is not None:
            found = decoded[value] = raw.uuid(value)
        return found

    grids: dict[uuid.UUID, set[uuid.UUID]] = {}
    if with_grids and rows:
        for compound_id, grid_id in raw.execute(
                f"SELECT compound_id, grid_id FROM compound_grid WHERE compound_id IN "
                f"{_in(len(ids))}", params).fetchall():
            grids.setdefault(raw.uuid(compound_id), set()).add(raw.uuid(grid_id))
    return [CompoundRow(row, uuid_of) for row in rows], grids


def visible_photos(session: Session, shas: set[str], tickets_visible: ColumnElement[bool]
                   ) -> set[str]:
    """The photos among `shas` whose bytes the caller can already see: held for a finding
    whose ticket `tickets_visible` admits. Only these may be counted as held when declared;
    any other must be uploaded (a hash is not a key to someone else's photo)."""
    if not shas:
        return set()
    return set(session.execute(
        select(PhotoRef.sha256).join(Ticket, Ticket.id == PhotoRef.finding_id)
        .where(PhotoRef.sha256.in_(sorted(shas)), PhotoRef.received_at.is_not(None),
               tickets_visible).distinct()).scalars())


# ------------------------------------------------------------------ new findings


def photo_refs(finding_id: uuid.UUID, owner_id: uuid.UUID, kind: PhotoKind,
               photos: Sequence[PhotoDecl], *, visible: set[str], now: datetime) -> list[dict]:
    """The references of declared photos (a photo declared twice counts once). One the
    declarer could already see counts as held at once; every other waits for its bytes."""
    refs, seen = [], set()
    for position, photo in enumerate(photos):
        if photo.sha256 in seen:
            continue
        seen.add(photo.sha256)
        refs.append({"id": new_id(), "finding_id": finding_id, "owner_id": owner_id,
                     "kind": kind.value, "sha256": photo.sha256, "position": position,
                     "declared_bytes": photo.bytes,
                     "received_at": now if photo.sha256 in visible else None})
    return refs


@dataclass(slots=True)
class NewFinding:
    """A finding's rows: the finding, its ticket, its events (the dispatch, and for history
    loaded in bulk, the later ones that brought the ticket to its state) and its photo refs."""

    finding: dict
    ticket: dict
    events: list[dict]
    refs: list[dict]


def new_finding(item: FindingIn, *, compound: CompoundRow, reporter_id: uuid.UUID,
                observed_at: datetime, time_flag: str | None, skew_seconds: int, month: int,
                digest: str, seq: int, now: datetime, deadline: Any, visible: set[str],
                received_at: datetime | None = None) -> NewFinding:
    """The rows of a finding dispatched `now` (due by `deadline`, a deadlines.Deadline) and
    received `received_at` (= now, except for a case imported after it was dispatched)."""
    received_at = received_at or now
    refs = photo_refs(item.id, item.id, PhotoKind.before, item.photos, visible=visible, now=now) \
        if item.photos else []
    # FindingIn's validated values are FindingBase's columns, plus the id, the claimed time
    # (stored as client_observed_at) and the photos (stored as refs): copied at C speed
    finding = dict(item.__dict__)
    del finding["photos"]
    for name in _ENUM_COLUMNS:
        if finding[name] is not None:
            finding[name] = finding[name].value
    finding["client_observed_at"] = finding["observed_at"]
    finding["observed_at"] = observed_at
    finding["district_id"] = compound.district_id
    finding["street_id"] = compound.street_id
    finding["community_id"] = compound.community_id
    finding["company_id"] = compound.company_id
    finding["reporter_id"] = reporter_id
    finding["case_shirking"] = finding["case_callback_failed"] = False
    finding["received_at"] = received_at
    finding["clock_skew_seconds"] = skew_seconds
    finding["time_flag"] = time_flag
    finding["month"] = month
    finding["photos_declared"] = len(refs)
    finding["photos_held"] = sum(r["received_at"] is not None for r in refs)
    finding["content_hash"] = digest
    finding["change_seq"] = seq
    finding["duplicate_of_id"] = None
    ticket = {"id": item.id, "compound_id": compound.id, "district_id": compound.district_id,
              "street_id": compound.street_id, "company_id": compound.company_id,
              "catalog_code": item.catalog_code, "source": finding["source"],
              "state": TicketState.open.value, "dispatched_at": now,
              "deadline_amount": None, "deadline_unit": None, "schedule_key": None,
              "due_at": None, "due_provisional": False, "rectified_at": None,
              "closed_at": None, "cancelled_at": None, "overdue_at_close": None,
              # roll-ups count a problem in the month it was observed, not dispatched
              "month": month, "version": 1, "change_seq": seq,
              # the notifier tells the company at once (backend/notifications)
              "notify_at": now, "notified_seq": 0, "ladder_level": 0, "ladder_at": None}
    detail: dict = {}
    if deadline is not None:
        ticket.update(deadline.ticket_columns)
        detail = deadline.event_detail
    # A new time-ordered id (not one derived from the finding's): the finding's own insert
    # makes the dispatch idempotent, and an append-only key keeps the commit small.
    event = {"id": new_id(), "ticket_id": item.id, "seq": 1, "kind": EventKind.dispatch.value,
             "actor_id": reporter_id, "at": now, "client_at": None, "received_at": received_at,
             "clock_skew_seconds": 0, "time_flag": None, "from_state": None,
             "to_state": TicketState.open.value, "note": None, "detail": detail,
             "content_hash": None}
    return NewFinding(finding, ticket, [event], refs)


def add_history(new: NewFinding, steps: Sequence[tuple[EventKind, datetime, dict]], *,
                actor_id: uuid.UUID, received_at: datetime) -> None:
    """Append to a finding not yet stored the events that already happened to its ticket
    elsewhere (an imported hotline case replied and closed on its platform): (kind, at,
    detail) in order. The ticket's stored projection follows each, as `tickets.changes` says.
    A case the platform already replied to or closed is news to no one: the notifier starts
    after its last event; one still open is told like any new ticket."""
    ticket = SimpleNamespace(**new.ticket)
    for kind, at, detail in steps:
        starts, result, _ = tickets.TRANSITIONS[kind]
        if ticket.state not in starts:
            continue
        to_state = result.value if result else ticket.state
        moved = tickets.changes(kind, ticket, at)
        event = {**new.events[-1], "id": new_id(), "seq": len(new.events) + 1,
                 "kind": kind.value, "actor_id": actor_id, "at": at, "received_at": received_at,
                 "from_state": ticket.state, "to_state": to_state,
                 "note": None, "detail": detail}
        new.events.append(event)
        for key, value in {**moved, "state": to_state}.items():
            setattr(ticket, key, value)
    ticket.version = len(new.events)
    if ticket.state != TicketState.open.value:
        ticket.notify_at, ticket.notified_seq = None, len(new.events)
    new.ticket.update(vars(ticket))


def insert(session: Session, new: list[NewFinding]) -> list[NewFinding]:
    """Store new findings with their tickets, dispatch events and photo refs; those whose id
    another transaction stored first are skipped (and left out of the answer).

    The findings go in with one plain executemany (no RETURNING: one multi-row VALUES
    statement with thousands of parameters was 3x slower on PostgreSQL); which rows are
    ours is known from the row count, or else from the change_seq values we allocated."""
    if not new:
        return []
    raw = RawSQL(session)
    rows = [n.finding for n in new]
    count = raw.insert(Finding.__table__, rows, on_conflict_do_nothing=True)
    if count != len(rows):
        ids = [row["id"] for row in rows]
        seqs = {row["change_seq"] for row in rows}
        # A row stored by another transaction has another position (on PostgreSQL, another
        # transaction id), so ours are those at our positions.
        mine = {raw.uuid(r[0]) for r in raw.execute(
            f"SELECT id, change_seq FROM finding WHERE id IN {_in(len(ids))}",
            [raw.bind_uuid(i) for i in ids]).fetchall() if r[1] in seqs}
        new = [n for n in new if n.finding["id"] in mine]
    raw.insert(Ticket.__table__, [n.ticket for n in new])
    raw.insert(TicketEvent.__table__, [e for n in new for e in n.events])
    raw.insert(PhotoRef.__table__, [r for n in new for r in n.refs])
    return new


# ------------------------------------------------------------------ a ticket's life


def load_ticket(session: Session, ticket_id: uuid.UUID,
                where: ColumnElement[bool] | None = None, *, lock: bool = False
                ) -> SimpleNamespace | None:
    """The ticket row as plain attributes (fresh from the database, never a stale ORM copy),
    if it exists and `where` admits it; `lock` holds it until commit (PostgreSQL: a second
    writer of the same ticket waits instead of colliding on the event sequence)."""
    query = select(*TICKET_COLUMNS).where(Ticket.id == ticket_id)
    if where is not None:
        query = query.where(where)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).first()
    return None if row is None else SimpleNamespace(**row._mapping)


def last_event(session: Session, ticket_id: uuid.UUID) -> tuple[int, datetime]:
    """(seq, at) of the ticket's latest event."""
    seq, at = session.execute(select(func.max(TicketEvent.seq), func.max(TicketEvent.at))
                              .where(TicketEvent.ticket_id == ticket_id)).one()
    return seq, at


def append_event(session: Session, ticket: SimpleNamespace, *, event_id: uuid.UUID,
                 kind: EventKind, actor_id: uuid.UUID | None, at: datetime,
                 received_at: datetime, client_at: datetime | None = None,
                 skew_seconds: int = 0, time_flag: str | None = None,
                 to_state: str | None = None, note: str | None = None,
                 detail: dict | None = None, content_hash: str | None = None,
                 photos: Sequence[PhotoDecl] = (), visible: set[str] = frozenset(),
                 changes: dict | None = None) -> SimpleNamespace:
    """Append one event to a ticket's log, with the photos it declares, and move the ticket's
    stored projection by `changes` (tickets.py decides them). Every event is a change the
    phones pull: the ticket's version and feed position move with it. Returns the event."""
    seq, _ = last_event(session, ticket.id)
    event = {"id": event_id, "ticket_id": ticket.id, "seq": seq + 1, "kind": kind.value,
             "actor_id": actor_id, "at": at, "client_at": client_at,
             "received_at": received_at, "clock_skew_seconds": skew_seconds,
             "time_flag": time_flag, "from_state": ticket.state,
             "to_state": to_state or ticket.state, "note": note, "detail": detail or {},
             "content_hash": content_hash}
    raw = RawSQL(session)
    raw.insert(TicketEvent.__table__, [event])
    # A supplement adds evidence of the problem; every other event's photos show the repair.
    photo_kind = PhotoKind.before if kind == EventKind.supplement else PhotoKind.after
    refs = photo_refs(ticket.id, event_id, photo_kind, photos, visible=visible, now=received_at)
    if refs:
        raw.insert(PhotoRef.__table__, refs)
        _refresh_photo_counts(session, ticket.id)
    changes = dict(changes or {})
    if to_state:
        changes["state"] = to_state
    changes["change_seq"] = change_seq(session)
    changes.setdefault("notify_at", received_at)  # the notifier reads the event (backend/notifications)
    # The version is counted by the database: the notifier moves it too (a ladder step), and a
    # count from the row read at the start of the request could repeat its number.
    version = session.execute(update(Ticket).where(Ticket.id == ticket.id)
                              .values(version=Ticket.version + 1, **changes)
                              .returning(Ticket.version)).scalar_one()
    for key, value in changes.items():
        setattr(ticket, key, value)
    ticket.version = version
    return SimpleNamespace(**event)


# ------------------------------------------------------------------ photo bytes arriving


def receive_photo(session: Session, finding_id: uuid.UUID, sha256: str, now: datetime) -> None:
    """The bytes of a declared photo arrived: every reference of the finding to them is held,
    and phones pulling learn it (the ticket's feed position moves)."""
    session.execute(update(PhotoRef).where(PhotoRef.finding_id == finding_id,
                                           PhotoRef.sha256 == sha256,
                                           PhotoRef.received_at.is_(None))
                    .values(received_at=now))
    _refresh_photo_counts(session, finding_id)
    session.execute(update(Ticket).where(Ticket.id == finding_id)
                    .values(change_seq=change_seq(session)))


def photo_status(session: Session, finding_id: uuid.UUID) -> tuple[list[str], list[str]]:
    """(held, missing): the SHA-256 of the finding's declared photos, before then after."""
    rows = session.execute(select(PhotoRef.sha256, PhotoRef.received_at)
                           .where(PhotoRef.finding_id == finding_id)
                           .order_by(PhotoRef.kind, PhotoRef.position)).all()
    return ([sha for sha, at in rows if at is not None], [sha for sha, at in rows if at is None])


def _refresh_photo_counts(session: Session, finding_id: uuid.UUID) -> None:
    held, missing = photo_status(session, finding_id)
    session.execute(update(Finding).where(Finding.id == finding_id)
                    .values(photos_held=len(held), photos_declared=len(held) + len(missing)))


def after_photo_refs(session: Session, finding_id: uuid.UUID, sha256: str) -> list[uuid.UUID]:
    """The events whose after-photos include these bytes."""
    return list(session.execute(select(PhotoRef.owner_id).where(
        PhotoRef.finding_id == finding_id, PhotoRef.sha256 == sha256,
        PhotoRef.kind == PhotoKind.after.value)).scalars())


def set_case_flags(session: Session, finding_id: uuid.UUID, **flags: bool) -> None:
    """推诿 / 核查不符 on a hotline case (seed 002 §四(一) 3 and 5), set by a supervisor."""
    session.execute(update(Finding).where(Finding.id == finding_id)
                    .values(**{f"case_{k}": v for k, v in flags.items()}))


def follow_compound(session: Session, compound_ids: Sequence[uuid.UUID], *,
                    street_id: uuid.UUID, district_id: uuid.UUID) -> int:
    """A compound moved to another street (an admin's correction, a 行政区划 change): its
    findings and tickets carry its new street and district, and the tickets go out again in
    the pull feed. Returns how many tickets moved."""
    if not compound_ids:
        return 0
    session.execute(update(Finding).where(Finding.compound_id.in_(compound_ids))
                    .values(street_id=street_id, district_id=district_id))
    moved = session.execute(update(Ticket).where(Ticket.compound_id.in_(compound_ids))
                            .values(street_id=street_id, district_id=district_id,
                                    change_seq=change_seq(session)))
    return moved.rowcount or 0
