"""Issue 5 §5, the set-wise sync batch: every item answered in order, every new id stored once.

`POST /api/sync/findings` checks and stores a whole batch with a few statements (see
backend.findings.service.create_findings); these tests hold it to the same rules as one item at
a time: duplicates, reused ids, refusals and new items mixed in one request, repeats inside the
batch, a create racing another request, and distinct change_seq values for the pull cursor.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from backend.transaction import SessionDep
from backend.digest import digest
from backend.findings import repository
from backend.findings.models import Finding, PhotoRef, Ticket, TicketEvent
from backend.findings.schemas import FindingIn
from backend.ids import new_id
from tests.findings.conftest import real_photo, sha


def _sync(client, world, persona, findings):  # noqa: ANN001, ANN201
    r = client.post("/api/sync/findings", json={"findings": findings},
                    headers=world.headers(persona))
    assert r.status_code == 200, r.text
    return r.json()["results"]


def _stored(db, model, ids) -> int:  # noqa: ANN001
    return db.exec(select(func.count()).select_from(model)
                   .where(model.id.in_([uuid.UUID(i) for i in ids]))).one()


def test_a_batch_mixing_repeats_reuses_refusals_and_new_items_answers_each_in_order(
        api, client, world, db, clock):
    """Nine items, one answer each in order: the stored finding sent again is `duplicate`, the
    same id with other content `conflict` (uuid_reused), an unknown catalog code and a compound
    out of scope `invalid`; the two new ones `created`, the second copy of a new one inside the
    same batch `duplicate` and a third copy with other content `conflict`. Exactly one finding,
    one ticket and one dispatch event per new id; nothing for the refused ones."""
    photo = real_photo("orientation_portrait_1.jpg")
    stored = api.finding("inspector")
    assert api.post_finding("inspector", stored).status_code == 201
    new_a = api.finding("inspector", code="HJ01")
    new_b = api.finding("inspector", compound="east_b", photos=[photo])
    unknown = api.finding("inspector", code="ZZ99")
    out_of_scope = api.finding("inspector", compound="west_b")
    batch = [stored, {**stored, "description": "另一处问题"}, new_a, unknown, out_of_scope,
             new_b, new_a, {**new_a, "building": "5号楼"}, unknown]
    results = _sync(client, world, "inspector", batch)

    assert [(r["id"], r["status"], r["code"]) for r in results] == [
        (stored["id"], "duplicate", None), (stored["id"], "conflict", "uuid_reused"),
        (new_a["id"], "created", None), (unknown["id"], "invalid", "catalog_code_unknown"),
        (out_of_scope["id"], "invalid", "compound_not_found"), (new_b["id"], "created", None),
        (new_a["id"], "duplicate", None), (new_a["id"], "conflict", "uuid_reused"),
        (unknown["id"], "invalid", "catalog_code_unknown")]
    ids = [stored["id"], new_a["id"], new_b["id"]]
    for model in (Finding, Ticket):
        assert _stored(db, model, ids) == 3
        assert _stored(db, model, [unknown["id"], out_of_scope["id"]]) == 0
    assert db.exec(select(func.count()).select_from(TicketEvent)).one() == 3  # dispatch only
    assert db.get(Finding, uuid.UUID(new_a["id"])).building == "3号楼"  # never overwritten

    # Photos: declared, not yet held; the finding is incomplete until the upload.
    assert results[5]["complete"] is False and results[5]["photos_missing"] == [sha(photo)]
    assert results[5]["photos_held"] == []
    assert db.exec(select(func.count()).select_from(PhotoRef)).one() == 1
    assert results[2]["complete"] is True and results[2]["photos_missing"] == []
    # The brief ticket carries the same due time the single-item API computes.
    single = api.post_finding("inspector", api.finding("inspector", code="HJ01")).json()
    brief = results[2]["ticket"]
    assert brief["state"] == "open" and brief["id"] == new_a["id"]
    assert brief["due_at"] == single["ticket"]["due_at"]
    assert brief["due_provisional"] is False and results[0]["ticket"]["state"] == "open"
    assert results[1]["ticket"] is None and results[3]["ticket"] is None


def test_a_batch_answer_is_exactly_the_documented_model(api, client, world):
    """The batch answer is serialised from plain values, not through its response model
    (backend.sync.router): it must be byte for byte what FindingBatchResult gives for the same
    content, for created, duplicate, conflict and invalid items alike."""
    from backend.sync.router import FindingBatchResult

    stored = api.finding("inspector")
    assert api.post_finding("inspector", stored).status_code == 201
    new = api.finding("inspector", photos=[real_photo("orientation_portrait_1.jpg")])
    batch = [new, stored, {**stored, "description": "另一处问题"},
             api.finding("inspector", code="ZZ99"), new]
    r = client.post("/api/sync/findings", json={"findings": batch},
                    headers=world.headers("inspector"))
    assert r.status_code == 200
    assert FindingBatchResult.model_validate_json(r.content).model_dump_json().encode() \
        == r.content


def test_a_batch_sent_again_answers_duplicate_for_every_item_and_stores_nothing_more(
        api, client, world, db):
    batch = [api.finding("inspector") for _ in range(5)]
    first = _sync(client, world, "inspector", batch)
    again = _sync(client, world, "inspector", batch)
    assert [r["status"] for r in first] == ["created"] * 5
    assert [r["status"] for r in again] == ["duplicate"] * 5
    assert [r["ticket"]["due_at"] for r in again] == [r["ticket"]["due_at"] for r in first]
    assert db.exec(select(func.count()).select_from(Finding)).one() == 5
    assert db.exec(select(func.count()).select_from(TicketEvent)).one() == 5


def test_every_finding_of_a_batch_has_its_own_change_seq_so_pull_pages_skip_nothing(
        api, client, world, db):
    """One allocation reserves a range (SQLite: a counter; PostgreSQL: the transaction's id
    and its own count, backend/findings/repository.py): seven findings, seven consecutive
    positions in batch order, and a pull by pages of two returns each exactly once."""
    batch = [api.finding("inspector") for _ in range(7)]
    _sync(client, world, "inspector", batch)
    seqs = [db.get(Finding, uuid.UUID(f["id"])).change_seq for f in batch]
    assert seqs == list(range(seqs[0], seqs[0] + 7))
    assert [db.get(Ticket, uuid.UUID(f["id"])).change_seq for f in batch] == seqs
    seen, cursor = [], 0
    for _ in range(10):
        page = client.get("/api/sync/pull", params={"cursor": cursor, "limit": 2},
                          headers=world.headers("inspector")).json()
        seen += [t["id"] for t in page["tickets"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert seen == [f["id"] for f in batch]


@pytest.mark.parametrize("same_content", [True, False])
def test_a_create_racing_another_request_is_answered_from_what_that_request_stored(
        api, client, world, db, monkeypatch, same_content):
    """Another request stores the same id between this request's check and its insert (on
    PostgreSQL; simulated here by hiding the stored row from the check): the insert skips it
    and the item is answered as any repeat, `duplicate` or `conflict`, never an error."""
    raced = api.finding("inspector")
    assert api.post_finding("inspector", raced).status_code == 201
    fresh = api.finding("inspector")
    real = repository.stored_digests
    calls = []

    def blind_first_time(session, ids):  # noqa: ANN001, ANN202
        calls.append(ids)
        return {} if len(calls) == 1 else real(session, ids)

    monkeypatch.setattr(repository, "stored_digests", blind_first_time)
    resent = raced if same_content else {**raced, "description": "另一处问题"}
    results = _sync(client, world, "inspector", [resent, fresh])
    assert [r["status"] for r in results] == \
        ["duplicate" if same_content else "conflict", "created"]
    assert db.exec(select(func.count()).select_from(Finding)).one() == 2
    assert db.exec(select(func.count()).select_from(Ticket)).one() == 2
    assert db.exec(select(func.count()).select_from(TicketEvent)).one() == 2
    assert db.get(Finding, uuid.UUID(raced["id"])).description == raced["description"]


def test_concurrent_read_then_write_requests_on_sqlite_queue_instead_of_failing(tmp_path):
    """A deferred SQLite transaction that reads and then writes fails at once with "database
    is locked" if another writer committed in between (the benchmark hit it within a second).
    Request sessions of non-GET requests begin IMMEDIATE and queue: 8 threads x 25 read-then-
    write transactions all succeed. (Always on a SQLite file: it tests backend.db's SQLite
    set-up, whichever database the rest of the suite uses.)"""

    from backend.config import Settings
    from backend.db import make_engine
    from backend.transaction import EngineSessions

    engine = make_engine(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    writer = EngineSessions(engine)
    errors: list[Exception] = []

    def work() -> None:
        for _ in range(25):
            try:
                with writer.open(write=True) as session:
                    value = session.execute(text("SELECT value FROM counter")).scalar_one()
                    session.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})
                    session.commit()
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == 200
    engine.dispose()
    assert errors == []


def test_a_batch_of_500_is_stored_with_one_result_each(api, client, world, db):
    batch = [api.finding("inspector", finding_id=new_id()) for _ in range(500)]
    results = _sync(client, world, "inspector", batch)
    assert [r["id"] for r in results] == [f["id"] for f in batch]
    assert {r["status"] for r in results} == {"created"}
    assert db.exec(select(func.count()).select_from(Ticket)).one() == 500


def test_more_concurrent_writers_than_threads_all_finish_on_sqlite(tmp_path):
    """60 concurrent POSTs that each read then write, more than the 40 worker threads: they
    take turns on the event loop (backend.transaction's write turns), none fails with "database is locked"
    and none waits for a thread that a waiting writer holds."""
    import asyncio

    import httpx
    from fastapi import FastAPI

    from backend.config import Settings
    from backend.db import get_engine, make_engine, set_engine

    engine = make_engine(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    app = FastAPI()

    @app.post("/bump")
    def bump(session: SessionDep) -> dict:
        value = session.execute(text("SELECT value FROM counter")).scalar_one()
        session.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})
        return {"value": value + 1}

    async def hammer() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = await asyncio.gather(*(client.post("/bump") for _ in range(60)))
        return [a.status_code if a.status_code == 200 else a.text for a in answers]

    previous = get_engine()
    set_engine(engine)
    try:
        statuses = asyncio.run(asyncio.wait_for(hammer(), timeout=30))
    finally:
        set_engine(previous)
    assert statuses == [200] * 60
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == 60
    engine.dispose()


def test_a_finding_stored_with_the_earlier_content_hash_is_still_a_duplicate(api, client, world,
                                                                              db):  # noqa: ANN001
    """Findings stored by the first version carry the hash of their sorted-key payload
    (backend/digest.py, v0): a phone resending one after the upgrade gets `duplicate`, not
    `conflict`, and a changed copy is still refused."""
    item = api.finding("inspector")
    assert api.post_finding("inspector", item).status_code == 201
    finding = db.get(Finding, uuid.UUID(item["id"]))
    parsed = FindingIn.model_validate(item)
    sorted_keys = json.dumps(parsed.model_dump(mode="json"), sort_keys=True, ensure_ascii=False,
                             default=str, separators=(",", ":"))
    finding.content_hash = hashlib.sha256(sorted_keys.encode()).hexdigest()
    assert finding.content_hash != digest(parsed)
    db.add(finding)
    db.commit()
    results = _sync(client, world, "inspector", [item, {**item, "description": "另一处问题"}])
    assert [(r["status"], r["code"]) for r in results] == [("duplicate", None),
                                                           ("conflict", "uuid_reused")]
