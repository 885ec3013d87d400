"""How a create is answered: from the rows just written (`Created`), or, for a repeat, from
what is stored (`known_answers`), exactly as the first time."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace

from sqlmodel import Session, select

from backend.dbtypes import as_local
from backend.findings.models import PhotoRef, Ticket
from backend.findings.repository import NewFinding
from backend.findings.schemas import ItemResult, SyncItemResult, TicketBrief
from backend.findings.views import ticket_public, tickets_public


class Created:
    """A finding stored by this request: its rows, kept to answer without reading them back."""

    __slots__ = ("rows", "compound_name", "local_times")

    def __init__(self, rows: NewFinding, compound_name: str, local_times: dict) -> None:
        self.rows = rows
        self.compound_name = compound_name
        # shared by a request's findings: they were dispatched at the same instant, and
        # those of one catalog code are due at the same instant
        self.local_times = local_times

    def _local(self, instant: datetime | None) -> datetime | None:
        local = self.local_times.get(instant)
        if local is None and instant is not None:
            local = self.local_times[instant] = as_local(instant)
        return local

    def result(self, full: bool, user, now: datetime, status: str = "created"):  # noqa: ANN001, ANN201
        refs = self.rows.refs
        held = [r["sha256"] for r in refs if r["received_at"] is not None]
        missing = [r["sha256"] for r in refs if r["received_at"] is None]
        t = self.rows.ticket
        if not full:
            # SyncItemResult's fields, in its order: a sync batch's answer is serialised as
            # it is (pydantic_core.to_json), and building a hundred pairs of models for it
            # cost a twentieth of the batch (test_a_batch_answer_is_exactly_the_documented_model)
            return {"id": t["id"], "status": status, "code": None, "message": None,
                    "complete": not missing, "photos_held": held, "photos_missing": missing,
                    "ticket": {"id": t["id"], "state": t["state"],
                               "dispatched_at": self._local(t["dispatched_at"]),
                               "due_at": self._local(t["due_at"]),
                               "due_provisional": t["due_provisional"]}}
        # ticket_public reads attributes only: plain namespaces over the rows just written
        # stand in for the ORM's instances (whose construction cost more than the rest of
        # the request).
        ticket = ticket_public(SimpleNamespace(**t), SimpleNamespace(**self.rows.finding),
                               self.compound_name, [SimpleNamespace(**r) for r in refs],
                               [SimpleNamespace(**e) for e in self.rows.events],
                               {user.id: user.display_name}, now)
        return ItemResult(id=t["id"], status=status, complete=not missing, photos_held=held,
                          photos_missing=missing, ticket=ticket)


def known_answers(session: Session, ids: set[uuid.UUID], *, full: bool, now: datetime) -> dict:
    """Answers for findings stored before this request (a repeat is answered like the first)."""
    if not ids:
        return {}
    refs: dict[uuid.UUID, list] = {i: [] for i in ids}
    for row in session.execute(select(PhotoRef.finding_id, PhotoRef.sha256,
                                      PhotoRef.received_at)
                               .where(PhotoRef.finding_id.in_(ids))
                               .order_by(PhotoRef.kind, PhotoRef.position)):
        refs[row.finding_id].append(row)
    if full:
        tickets = session.exec(select(Ticket).where(Ticket.id.in_(ids))).all()
        public = {t.id: t for t in tickets_public(session, list(tickets), now)}
    else:
        t = Ticket.__table__.c
        public = {row.id: TicketBrief(id=row.id, state=row.state,
                                      dispatched_at=as_local(row.dispatched_at),
                                      due_at=as_local(row.due_at),
                                      due_provisional=row.due_provisional)
                  for row in session.execute(select(t.id, t.state, t.dispatched_at, t.due_at,
                                                    t.due_provisional).where(t.id.in_(ids)))}
    cls = ItemResult if full else SyncItemResult
    out = {}
    for finding_id in ids:
        held = [r.sha256 for r in refs[finding_id] if r.received_at is not None]
        missing = [r.sha256 for r in refs[finding_id] if r.received_at is None]
        out[finding_id] = cls(id=finding_id, status="duplicate", complete=not missing,
                              photos_held=held, photos_missing=missing,
                              ticket=public.get(finding_id))
    return out
