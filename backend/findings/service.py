"""Logging findings, idempotently: the same id sent twice is stored once (transitions.py moves
tickets the same way).

Every create and transition is identified by the phone's UUID. A second arrival with the same
content answers exactly like the first (`duplicate`); the same id with other content is a
`conflict` (`uuid_reused`) and changes nothing. A refusal is an item result, not an exception,
so that one bad item in a sync batch never blocks the others.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, select

from backend.auth.models import Role, User
from backend.auth.scope import Scope
from backend.config import get_settings
from backend.rawsql import RawSQL
from backend.dbtypes import as_local, utcnow
from backend.findings import deadlines
from backend.findings.models import EventKind, Finding, FindingIn, ItemResult, PhotoDecl, \
    PhotoKind, PhotoRef, SyncCounter, SyncItemResult, Ticket, TicketBrief, TicketEvent, \
    TicketState
from backend.ids import new_id

REPORTERS = frozenset({Role.inspector, Role.grid_worker, Role.supervisor, Role.admin})
SKEW_FLAG_SECONDS = 300


def next_change_seq(session: Session) -> int:
    """The next value of the change sequence (see SyncCounter for why it is a locked row)."""
    return session.exec(update(SyncCounter).where(SyncCounter.id == 1)  # type: ignore[call-overload]
                        .values(value=SyncCounter.value + 1).returning(SyncCounter.value)).scalar_one()


def content_hash(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def month_of(moment: datetime) -> int:
    local = moment.astimezone(ZoneInfo(get_settings().timezone))
    return local.year * 100 + local.month


def _refuse(item_id: uuid.UUID, status: str, code: str, message: str) -> ItemResult:
    return ItemResult(id=item_id, status=status, code=code, message=message)


def photo_status(session: Session, finding_id: uuid.UUID) -> tuple[list[str], list[str]]:
    refs = session.exec(select(PhotoRef).where(PhotoRef.finding_id == finding_id)
                        .order_by(PhotoRef.kind, PhotoRef.position)).all()
    held = [r.sha256 for r in refs if r.received_at is not None]
    missing = [r.sha256 for r in refs if r.received_at is None]
    return held, missing


def _declare_photos(session: Session, finding_id: uuid.UUID, owner_id: uuid.UUID, kind: PhotoKind,
                    photos: list[PhotoDecl]) -> None:
    from backend.photos.models import Photo  # the photo domain owns the stored bytes

    seen: set[str] = set()
    for position, photo in enumerate(photos):
        if photo.sha256 in seen:
            continue
        seen.add(photo.sha256)
        # Bytes already on the server (the same photo sent for another record) count at once.
        held = session.get(Photo, photo.sha256) is not None
        session.add(PhotoRef(finding_id=finding_id, owner_id=owner_id, kind=kind,
                             sha256=photo.sha256, position=position, declared_bytes=photo.bytes,
                             received_at=utcnow() if held else None))


def refresh_photo_counts(session: Session, finding: Finding) -> None:
    session.flush()
    held, missing = photo_status(session, finding.id)
    finding.photos_held, finding.photos_declared = len(held), len(held) + len(missing)
    session.add(finding)


# ------------------------------------------------------------------ findings


def finding_digest(data: FindingIn) -> str:
    """The content hash a repeat is compared by: SHA-256 of the finding's JSON, whose field
    order the model fixes (pydantic's serializer, ~3x cheaper than sorting keys in Python)."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _same_finding(stored_digest: str, digest: str, data: FindingIn) -> bool:
    """Whether a stored finding's hash is this content's: findings stored before
    `finding_digest` carry `content_hash` of the sorted-key payload."""
    return stored_digest == digest or stored_digest == content_hash(data.model_dump(mode="json"))


def create_finding(session: Session, user: User, scope: Scope, data: FindingIn, *,
                   now: datetime, skew: timedelta) -> ItemResult:
    """One finding, answered with its full ticket (`POST /api/findings`)."""
    return create_findings(session, user, scope, [data], now=now, skew=skew, full=True)[0]


def create_findings(session: Session, user: User, scope: Scope, items: list[FindingIn], *,
                    now: datetime, skew: timedelta, full: bool = False
                    ) -> list[ItemResult] | list[dict]:
    """Store new findings and dispatch their tickets; one result per item, in order.

    Set-wise, so that a sync batch costs a handful of statements whatever its size: one query
    for the ids already stored, one for the compounds in scope, one for photos already held,
    one counter update for a range of change_seq values, then one multi-row insert per table.
    Every refusal is decided before anything is written, so a bad item never needs a
    savepoint. A create racing another request with the same id (PostgreSQL; on SQLite the
    write lock is taken at BEGIN) is skipped by ON CONFLICT DO NOTHING and answered from what
    the other request stored. `full` answers with TicketPublic (single-item API); otherwise
    each answer is a SyncItemResult with a TicketBrief as a plain dict, its fields in the
    model's order: a sync batch's answer is serialised as it is (pydantic_core.to_json), and
    building a hundred pairs of models for it cost a twentieth of the batch.
    """
    results: list = [None] * len(items)
    digests = [finding_digest(item) for item in items]
    stored = _stored_hashes(session, {item.id for item in items})
    first: dict[uuid.UUID, int] = {}  # id → index of its first occurrence in this batch
    pending: list[int] = []
    for i, item in enumerate(items):
        if item.id in stored or item.id in first:
            continue  # answered below, once the new ones are stored
        first[item.id] = i
        if user.role not in REPORTERS:
            results[i] = _refuse(item.id, "invalid", "role_not_allowed", "您的角色不能登记问题")
        else:
            pending.append(i)

    # The same checks, in the same order, as one item at a time: scope, then the catalog.
    compounds = _compounds_in_scope(session, scope, {items[i].compound_id for i in pending})
    inspections = _inspection_compounds(session, {items[i].inspection_id for i in pending
                                                  if items[i].inspection_id})
    todo = []
    for i in pending:
        results[i] = _precheck(items[i], compounds, inspections)
        if results[i] is None:
            todo.append(i)

    created: dict[uuid.UUID, _Created] = {}
    if todo:
        created = _insert_new(session, user, [items[i] for i in todo],
                              [digests[i] for i in todo], compounds, now=now, skew=skew)
    raced = [items[i].id for i in todo if items[i].id not in created]
    if raced:  # stored meanwhile by a concurrent request: answer as for any repeat
        stored.update(_stored_hashes(session, set(raced)))
        for i in todo:
            if items[i].id not in created and items[i].id not in stored:  # pragma: no cover
                results[i] = _refuse(items[i].id, "conflict", "concurrent_write",
                                     "另一请求正在写入同一编号，请稍后重发")

    repeats = [i for i, r in enumerate(results) if r is None and items[i].id not in created]
    known = _known_tickets(session, {items[i].id for i in repeats}, full=full, now=now)
    for i, item in enumerate(items):
        if results[i] is not None:
            continue
        if item.id in created and first[item.id] == i:
            results[i] = created[item.id].result(full, user, now)
            continue
        digest = stored[item.id] if item.id in stored else digests[first[item.id]]
        if not _same_finding(digest, digests[i], item):
            results[i] = _refuse(item.id, "conflict", "uuid_reused",
                                 "该编号已用于另一条不同内容的问题记录，未覆盖")
        elif item.id not in stored and item.id not in created:
            results[i] = results[first[item.id]]  # the same item again, refused the same way
        elif item.id in created:
            results[i] = created[item.id].result(full, user, now, status="duplicate")
        else:
            results[i] = known[item.id].model_copy() if item.id in known else _refuse(
                item.id, "invalid", "finding_not_found", "问题记录不存在")
    if not full:
        results = [r if isinstance(r, dict) else SyncItemResult(**r.__dict__).model_dump()
                   for r in results]
    return results


def _inspection_compounds(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
    """The compound each referenced inspection assesses (None for a street inspection)."""
    if not ids:
        return {}
    from backend.inspections.models import Inspection  # inspections build on findings

    return dict(session.exec(select(Inspection.id, Inspection.compound_id)
                             .where(Inspection.id.in_(ids))).all())


def _precheck(data: FindingIn, compounds: dict, inspections: dict) -> ItemResult | None:
    """Why a new finding is refused (compound out of scope, inspection of another compound,
    catalog code, hotline case number), or None. An inspection not yet on the server is not a
    refusal: the phone may send the finding before the inspection's start arrives."""
    if data.compound_id not in compounds:
        return _refuse(data.id, "invalid", "compound_not_found", "小区不存在或不在您的管辖范围内")
    if data.inspection_id in inspections and inspections[data.inspection_id] != data.compound_id:
        return _refuse(data.id, "invalid", "inspection_mismatch", "该检查不是对这个小区的检查")
    if data.catalog_code:
        if deadlines.catalog_entry(data.catalog_code) is None:
            return _refuse(data.id, "invalid", "catalog_code_unknown",
                           f"问题类型代码不存在: {data.catalog_code}")
    elif not data.rubric_item:
        return _refuse(data.id, "invalid", "catalog_code_required", "请选择问题类型")
    if data.source == "hotline" and not data.case_no:
        return _refuse(data.id, "invalid", "case_no_required", "热线案卷请填写案卷号")
    return None


def _in(count: int) -> str:
    return "(" + ", ".join("?" * count) + ")"


def _stored_hashes(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    raw = RawSQL(session)
    rows = raw.execute(f"SELECT id, content_hash FROM finding WHERE id IN {_in(len(ids))}",
                       [raw.bind_uuid(i) for i in ids]).fetchall()
    return {raw.uuid(row[0]): row[1] for row in rows}


class _CompoundRow:
    """What a new finding copies from its compound (read on the DB-API, see `RawSQL`)."""

    __slots__ = ("id", "name", "district_id", "street_id", "community_id", "company_id")

    def __init__(self, row: tuple, uuid_of) -> None:  # noqa: ANN001
        self.id, self.name, self.district_id, self.street_id, self.community_id, \
            self.company_id = (uuid_of(row[0]), row[1], uuid_of(row[2]), uuid_of(row[3]),
                               uuid_of(row[4]), uuid_of(row[5]))


def _compounds_in_scope(session: Session, scope: Scope, ids: set[uuid.UUID]) -> dict:
    """The compounds among `ids` that exist and lie in the scope, by id.

    The scope is checked in memory with `Scope.covers_compound`, the twin of
    `Scope.compound_filter` (tests/foundation/test_scope_matrix.py holds both to the matrix),
    so the lookup is one plain statement by primary key, plus the compounds' grids when the
    caller's scope is made of grids.
    """
    if not ids:
        return {}
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

    compounds = [_CompoundRow(row, uuid_of) for row in rows]
    grids: dict[uuid.UUID, set[uuid.UUID]] = {}
    if scope.grid_ids and not scope.is_global and compounds:
        for compound_id, grid_id in raw.execute(
                f"SELECT compound_id, grid_id FROM compound_grid WHERE compound_id IN "
                f"{_in(len(ids))}", params).fetchall():
            grids.setdefault(raw.uuid(compound_id), set()).add(raw.uuid(grid_id))
    return {c.id: c for c in compounds if scope.covers_compound(c, grids.get(c.id))}


_NEXT_SEQS_SQL = "UPDATE sync_counter SET value = value + ? WHERE id = 1 RETURNING value"


def next_change_seqs(session: Session, count: int) -> range:
    """`count` consecutive values of the change sequence, from one locked counter update."""
    top = RawSQL(session).execute(_NEXT_SEQS_SQL, (count,)).fetchone()[0]
    return range(top - count + 1, top + 1)


class _Created:
    """A finding stored by this request: its rows, kept to answer without reading them back."""

    __slots__ = ("finding", "ticket", "event", "refs", "compound_name", "local_times")

    def __init__(self, finding: dict, ticket: dict, event: dict, refs: list[dict],
                 compound_name: str, local_times: dict) -> None:
        self.finding, self.ticket, self.event, self.refs = finding, ticket, event, refs
        self.compound_name = compound_name
        # shared by a request's findings: they were dispatched at the same instant, and
        # those of one catalog code are due at the same instant
        self.local_times = local_times

    def _local(self, instant: datetime | None) -> datetime | None:
        local = self.local_times.get(instant)
        if local is None and instant is not None:
            local = self.local_times[instant] = as_local(instant)
        return local

    def result(self, full: bool, user: User, now: datetime, status: str = "created"):  # noqa: ANN201
        held = [r["sha256"] for r in self.refs if r["received_at"] is not None]
        missing = [r["sha256"] for r in self.refs if r["received_at"] is None]
        if not full:  # SyncItemResult's fields, in its order (see create_findings)
            t = self.ticket
            return {"id": t["id"], "status": status, "code": None, "message": None,
                    "complete": not missing, "photos_held": held, "photos_missing": missing,
                    "ticket": {"id": t["id"], "state": t["state"],
                               "dispatched_at": self._local(t["dispatched_at"]),
                               "due_at": self._local(t["due_at"]),
                               "due_provisional": t["due_provisional"]}}
        from backend.findings.views import ticket_public

        # ticket_public reads attributes only: plain namespaces over the rows just written
        # stand in for Ticket, Finding, PhotoRef and TicketEvent instances (whose
        # construction, instrumented by the ORM, cost more than the rest of the request).
        ticket = ticket_public(SimpleNamespace(**self.ticket), SimpleNamespace(**self.finding),
                               self.compound_name, [SimpleNamespace(**r) for r in self.refs],
                               [SimpleNamespace(**self.event)], {user.id: user.display_name},
                               now)
        return ItemResult(id=self.ticket["id"], status=status, complete=not missing,
                          photos_held=held, photos_missing=missing, ticket=ticket)


def _insert_new(session: Session, user: User, items: list[FindingIn], digests: list[str],
                compounds: dict, *, now: datetime, skew: timedelta) -> dict[uuid.UUID, _Created]:
    from backend.photos.models import Photo  # the photo domain owns the stored bytes

    raw = RawSQL(session)
    declared = {p.sha256 for item in items for p in item.photos}
    on_server: set[str] = set()
    if declared:
        on_server = {row[0] for row in raw.execute(
            f"SELECT sha256 FROM {Photo.__tablename__} WHERE sha256 IN {_in(len(declared))}",
            list(declared)).fetchall()}
    seqs = next_change_seqs(session, len(items))
    skew_seconds = int(skew.total_seconds())
    by_code: dict[str, deadlines.Deadline] = {}  # the same code dispatched now: the same due
    local_times: dict = {}
    created: dict[uuid.UUID, _Created] = {}
    findings, tickets, events, refs = [], [], [], []
    for item, digest, seq in zip(items, digests, seqs):
        compound = compounds[item.compound_id]
        observed = item.observed_at + skew
        item_refs, seen = [], set()
        for position, photo in enumerate(item.photos):
            if photo.sha256 in seen:
                continue
            seen.add(photo.sha256)
            # Bytes already on the server (the same photo sent for another record) count at once.
            item_refs.append({"id": new_id(), "finding_id": item.id, "owner_id": item.id,
                              "kind": PhotoKind.before.value, "sha256": photo.sha256,
                              "position": position, "declared_bytes": photo.bytes,
                              "received_at": now if photo.sha256 in on_server else None})
        finding = {
            "id": item.id, "compound_id": compound.id, "district_id": compound.district_id,
            "street_id": compound.street_id, "community_id": compound.community_id,
            "company_id": compound.company_id, "reporter_id": user.id,
            "catalog_code": item.catalog_code, "inspection_id": item.inspection_id,
            "rubric_item": item.rubric_item, "description": item.description,
            "building": item.building, "location_text": item.location_text,
            "latitude": item.latitude, "longitude": item.longitude,
            "accuracy_m": item.accuracy_m, "source": item.source.value, "case_no": item.case_no,
            "case_level": item.case_level.value if item.case_level else None,
            "observed_at": observed, "client_observed_at": item.observed_at, "received_at": now,
            "clock_skew_seconds": skew_seconds, "month": month_of(observed),
            "photos_declared": len(item_refs),
            "photos_held": sum(r["received_at"] is not None for r in item_refs),
            "content_hash": digest, "change_seq": seq}
        ticket, detail = _dispatch_row(finding, now=now, seq=seq,
                                       by_code=by_code)
        # A new time-ordered id (not one derived from the finding's): the finding's own
        # insert makes the dispatch idempotent, and an append-only key keeps the commit small.
        event = {"id": new_id(), "ticket_id": item.id, "seq": 1,
                 "kind": EventKind.dispatch.value, "actor_id": user.id, "at": now,
                 "client_at": None, "received_at": now, "clock_skew_seconds": 0,
                 "from_state": None, "to_state": TicketState.open.value, "note": None,
                 "detail": detail, "content_hash": None}
        created[item.id] = _Created(finding, ticket, event, item_refs, compound.name, local_times)
        findings.append(finding)

    inserted = _insert_ignoring_existing(raw, findings)
    for item_id in list(created):
        if item_id not in inserted:
            del created[item_id]
    for c in created.values():
        tickets.append(c.ticket)
        events.append(c.event)
        refs.extend(c.refs)
    for table, rows in ((Ticket.__table__, tickets), (TicketEvent.__table__, events),
                        (PhotoRef.__table__, refs)):
        raw.insert(table, rows)
    return created


def _insert_ignoring_existing(raw: RawSQL, rows: list[dict]) -> set[uuid.UUID]:
    """Insert finding rows; those whose id another transaction stored first are skipped.

    A plain executemany (no RETURNING: one multi-row VALUES statement with thousands of
    parameters was 3x slower on PostgreSQL). Which rows are ours is known from the change_seq
    values this request allocated, if the row count says some were skipped.
    """
    count = raw.insert(Finding.__table__, rows, on_conflict_do_nothing=True)
    ids = [row["id"] for row in rows]
    if count == len(rows):
        return set(ids)
    seqs = [row["change_seq"] for row in rows]
    return {raw.uuid(row[0]) for row in raw.execute(
        f"SELECT id FROM finding WHERE id IN {_in(len(ids))} AND change_seq BETWEEN ? AND ?",
        [*(raw.bind_uuid(i) for i in ids), min(seqs), max(seqs)]).fetchall()}


def _dispatch_row(finding: dict, *, now: datetime, seq: int,
                  by_code: dict) -> tuple[dict, dict]:
    """The ticket row for a new finding, due by the catalog deadline counted from now."""
    ticket = {"id": finding["id"], "compound_id": finding["compound_id"],
              "district_id": finding["district_id"], "street_id": finding["street_id"],
              "company_id": finding["company_id"], "catalog_code": finding["catalog_code"],
              "state": TicketState.open.value, "dispatched_at": now, "deadline_amount": None,
              "deadline_unit": None, "schedule_key": None, "due_at": None,
              "due_provisional": False, "rectified_at": None, "closed_at": None,
              "cancelled_at": None, "overdue_at_close": None, "source": finding["source"],
              # roll-ups count a problem in the month it was observed, not dispatched
              "month": finding["month"],
              "version": 1, "change_seq": seq}
    code = finding["catalog_code"]
    if not code:
        return ticket, {}
    deadline = by_code.get(code)
    if deadline is None:
        deadline = by_code[code] = deadlines.deadline_for(deadlines.catalog_entry(code), now)
    ticket.update(deadline_amount=deadline.amount, deadline_unit=deadline.unit,
                  schedule_key=deadline.schedule_key, due_at=deadline.due_at,
                  due_provisional=deadline.provisional)
    return ticket, {"due_at": deadline.due_at.isoformat(), "provisional": deadline.provisional,
                    "missing_years": list(deadline.missing_years)}


def _known_tickets(session: Session, ids: set[uuid.UUID], *, full: bool, now: datetime) -> dict:
    """Answers for findings stored before this request (a repeat is answered like the first)."""
    if not ids:
        return {}
    refs: dict[uuid.UUID, list] = {i: [] for i in ids}
    ref_table = PhotoRef.__table__
    for row in session.connection().execute(select(ref_table.c.finding_id, ref_table.c.sha256,
                                      ref_table.c.received_at)
                               .where(ref_table.c.finding_id.in_(ids))
                               .order_by(ref_table.c.kind, ref_table.c.position)):
        refs[row.finding_id].append(row)
    if full:
        from backend.findings.views import tickets_public

        tickets = session.exec(select(Ticket).where(Ticket.id.in_(ids))).all()
        public = {t.id: t for t in tickets_public(session, list(tickets), now)}
    else:
        t = Ticket.__table__
        public = {row.id: TicketBrief(id=row.id, state=row.state,
                                      dispatched_at=as_local(row.dispatched_at),
                                      due_at=as_local(row.due_at),
                                      due_provisional=row.due_provisional)
                  for row in session.connection().execute(select(t.c.id, t.c.state, t.c.dispatched_at,
                                                    t.c.due_at, t.c.due_provisional)
                                             .where(t.c.id.in_(ids)))}
    out = {}
    for finding_id in ids:
        held = [r.sha256 for r in refs[finding_id] if r.received_at is not None]
        missing = [r.sha256 for r in refs[finding_id] if r.received_at is None]
        cls = ItemResult if full else SyncItemResult
        out[finding_id] = cls(id=finding_id, status="duplicate", complete=not missing,
                              photos_held=held, photos_missing=missing,
                              ticket=public.get(finding_id))
    return out
