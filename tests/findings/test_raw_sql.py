"""The ingestion hot path writes and reads on the DB-API connection (`backend.rawsql.RawSQL`) and
authenticates with one statement (`authenticate`). These tests hold it to what the ORM
and the ordinary dependencies do, on whichever database the suite runs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlmodel import select

from backend.auth import service as auth_service
from backend.auth.models import AuthToken, User
from backend.auth.passwords import token_digest
from backend.auth.scope import scope_for
from backend.config import get_settings
from backend.rawsql import RawSQL, column_binder
from backend.errors import Unauthorized
from backend.findings import repository, service as findings_service
from backend.findings.repository import NewFinding
from backend.findings.models import Finding, PhotoRef, Ticket, TicketEvent
from backend.ids import new_id
from backend.organisation.models import Compound

CST = timezone(timedelta(hours=8))
TABLES = (Finding, Ticket, TicketEvent, PhotoRef)


def _rows(world) -> dict:  # noqa: ANN001
    """One row per table, every column set, with awkward values: an instant with
    microseconds in another zone, a decimal, non-ASCII text, JSON, nulls, booleans."""
    compound = world.compounds["east_a"]
    fid, eid = new_id(), new_id()
    at = datetime(2026, 12, 31, 23, 59, 58, 123456, tzinfo=CST)
    finding = {
        "id": fid, "compound_id": compound.id, "district_id": compound.district_id,
        "street_id": compound.street_id, "community_id": compound.community_id,
        "company_id": None, "reporter_id": world.users["inspector"].id, "catalog_code": "JC04",
        "inspection_id": None, "rubric_item": "1.2", "description": "东侧\"雨水箅子\"缺失 ✓",
        "building": "3号楼", "location_text": None, "latitude": 31.230101, "longitude": -0.5,
        "accuracy_m": 0.0, "source": "hotline", "case_no": "12345-1", "case_level": "city",
        "case_shirking": True, "case_callback_failed": False, "observed_at": at,
        "client_observed_at": at - timedelta(seconds=61), "received_at": at,
        "clock_skew_seconds": -61, "time_flag": "offline_window", "month": 202612, "photos_declared": 1, "photos_held": 0,
        "content_hash": "ab" * 32, "change_seq": 987654321, "duplicate_of_id": None}
    ticket = {
        "id": fid, "compound_id": compound.id, "district_id": compound.district_id,
        "street_id": compound.street_id, "company_id": compound.company_id,
        "catalog_code": "JC04", "source": "hotline", "state": "open", "dispatched_at": at,
        "deadline_amount": Decimal("7.50"), "deadline_unit": "workday",
        "schedule_key": "office", "due_at": at + timedelta(days=9), "due_provisional": True,
        "rectified_at": None, "closed_at": None, "cancelled_at": None,
        "overdue_at_close": None, "month": 202612, "version": 1, "change_seq": 987654321,
        "notify_at": at, "notified_seq": 0, "ladder_level": 0, "ladder_at": None}
    event = {
        "id": eid, "ticket_id": fid, "seq": 1, "kind": "dispatch",
        "actor_id": world.users["inspector"].id, "at": at, "client_at": None,
        "received_at": at, "clock_skew_seconds": 0, "time_flag": None, "from_state": None,
        "to_state": "open",
        "note": "备注", "detail": {"due_at": at.isoformat(), "missing_years": [2027],
                                   "provisional": True, "名": "值"}, "content_hash": None}
    ref = {"id": new_id(), "finding_id": fid, "owner_id": fid, "kind": "before",
           "sha256": "cd" * 32, "position": 0, "declared_bytes": 123456, "received_at": None}
    return {Finding: finding, Ticket: ticket, TicketEvent: event, PhotoRef: ref}


def _columns(obj) -> dict:  # noqa: ANN001
    return {c.name: getattr(obj, c.name) for c in type(obj).__table__.columns}


def test_binders_send_what_sqlalchemy_sends(db, world):  # noqa: ANN001
    """For every column of the tables the hot path writes, the raw binder gives the driver
    exactly what SQLAlchemy's own bind processing gives it (the storage form)."""
    dialect = db.connection().dialect
    for model, row in _rows(world).items():
        for column in model.__table__.columns:
            value = row[column.name]
            expected = column.type.dialect_impl(dialect).bind_processor(dialect)
            expected = value if expected is None else expected(value)
            ours = column_binder(column, dialect)
            ours = value if ours is None else ours(value)
            if type(expected).__name__ == "Json":  # psycopg's JSON wrapper: compare its content
                expected, ours = expected.obj, ours.obj
            assert (type(ours), ours) == (type(expected), expected), (model.__name__, column.name)


def test_rows_written_raw_read_back_through_the_orm_like_rows_written_by_it(db, world):  # noqa: ANN001
    """The same rows inserted once through the ORM and once through RawSQL (other ids) read
    back identically through the ORM, on SQLite (hex uuids, naive UTC strings, floats for
    decimals) and on PostgreSQL (native types)."""
    orm_rows, raw_rows = _rows(world), _rows(world)
    for model in TABLES:
        db.add(model(**orm_rows[model]))
        db.flush()
    raw = RawSQL(db)
    for model in TABLES:
        assert raw.insert(model.__table__, [raw_rows[model]]) == 1
    db.commit()
    db.expunge_all()
    for model in TABLES:
        pk = "id"
        a = _columns(db.get(model, orm_rows[model][pk]))
        b = _columns(db.get(model, raw_rows[model][pk]))
        for key in ("id", "finding_id", "owner_id", "ticket_id"):
            a.pop(key, None), b.pop(key, None)
        assert a == b, model.__name__
        assert b["received_at" if "received_at" in b else "dispatched_at"] in (
            None, datetime(2026, 12, 31, 15, 59, 58, 123456, tzinfo=timezone.utc))


def test_raw_insert_fills_scalar_defaults_and_refuses_naive_instants(db, world):  # noqa: ANN001
    row = _rows(world)[Finding]
    del row["case_shirking"], row["case_callback_failed"], row["photos_held"]
    raw = RawSQL(db)
    raw.insert(Finding.__table__, [row])
    stored = db.get(Finding, row["id"])
    assert (stored.case_shirking, stored.case_callback_failed, stored.photos_held) == (False, False, 0)
    naive = {**_rows(world)[Finding], "observed_at": datetime(2026, 1, 1, 8)}
    with pytest.raises(ValueError, match="naive"):
        raw.insert(Finding.__table__, [naive])


def _new(rows: dict, **finding) -> NewFinding:
    return NewFinding({**rows[Finding], **finding}, {**rows[Ticket], **finding},
                      [rows[TicketEvent]], [rows[PhotoRef]])


def test_insert_stores_and_reports_only_the_findings_no_one_stored_first(db, world):  # noqa: ANN001
    """A finding whose id another transaction stored first is skipped, with its ticket, event
    and photo refs; the others of the batch are stored (repository.insert)."""
    first = _new(_rows(world))
    assert repository.insert(db, [first]) == [first]
    again = _new(_rows(world), id=first.finding["id"], change_seq=987654322)
    again.finding["description"] = "另一条"
    second = _new(_rows(world), change_seq=987654323)
    assert repository.insert(db, [again, second]) == [second]
    assert db.get(Finding, first.finding["id"]).description == first.finding["description"]
    assert db.get(Ticket, second.finding["id"]) is not None


@pytest.mark.parametrize("persona", ["admin", "supervisor", "inspector", "inspector_west",
                                     "grid_worker", "manager_a", "manager_b"])
def test_authentication_gives_the_user_row_and_the_scope_of_scope_for(db, world, persona):  # noqa: ANN001
    token = world.tokens[persona]
    user, scope = auth_service.authenticate(db, get_settings(), token)
    orm_user = db.get(User, world.users[persona].id)
    assert scope == scope_for(db, orm_user)
    for name in ("id", "username", "display_name", "role", "phone", "company_id", "is_active",
                 "created_at"):
        assert getattr(user, name) == getattr(orm_user, name), name
    assert user.token_id == _token_row(db, token).id
    # and the in-memory scope check the hot path uses agrees with the SQL filter
    compounds = db.exec(select(Compound)).all()
    in_sql = set(db.exec(select(Compound.id).where(scope.compound_filter())).all())
    assert set(findings_service._compounds_in_scope(db, scope, {c.id for c in compounds})) == in_sql


def _token_row(db, token: str) -> AuthToken:  # noqa: ANN001
    return db.exec(select(AuthToken).where(AuthToken.token_hash == token_digest(token))).one()


def test_authentication_refuses_unknown_expired_revoked_tokens_and_disabled_accounts(db, world):  # noqa: ANN001
    settings = get_settings()

    def refusal(token: str) -> str:
        with pytest.raises(Unauthorized) as caught:
            auth_service.authenticate(db, settings, token)
        return caught.value.code

    assert refusal("no-such-token") == "token_invalid"
    row = _token_row(db, world.tokens["inspector"])
    row.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.add(row)
    db.flush()
    assert refusal(world.tokens["inspector"]) == "token_expired"
    row.revoked_at = datetime.now(timezone.utc)
    db.add(row)
    db.flush()
    assert refusal(world.tokens["inspector"]) == "token_invalid"
    user = db.get(User, world.users["grid_worker"].id)
    user.is_active = False
    db.add(user)
    db.flush()
    assert refusal(world.tokens["grid_worker"]) == "account_disabled"


def test_authentication_touches_a_token_unused_for_an_hour(db, world):  # noqa: ANN001
    row = _token_row(db, world.tokens["inspector"])
    old = datetime.now(timezone.utc) - timedelta(hours=2)
    row.last_used_at, row.expires_at = old, old + timedelta(days=1)
    db.add(row)
    db.commit()
    auth_service.authenticate(db, get_settings(), world.tokens["inspector"])
    db.commit()
    db.expire_all()
    row = _token_row(db, world.tokens["inspector"])
    assert row.last_used_at > old + timedelta(hours=1)
    assert row.expires_at > datetime.now(timezone.utc) + timedelta(days=get_settings().token_ttl_days - 1)


def _finding(world, **extra) -> dict:  # noqa: ANN001
    return {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
            "catalog_code": "JC04", "description": "3号楼东侧雨水箅子缺失",
            "observed_at": "2026-09-30T16:20:00+08:00", **extra}


@pytest.mark.parametrize("path", ["/api/findings", "/api/sync/findings"])
def test_a_revoked_login_is_refused_by_the_very_next_ingestion_request(client, world, path):  # noqa: ANN001
    """No token is cached beyond a request: logging out (revoking) is effective at once on the
    hot paths, which authenticate on their own."""
    headers = world.headers("inspector")

    def post():  # noqa: ANN202
        body = _finding(world) if path == "/api/findings" else {"findings": [_finding(world)]}
        return client.post(path, json=body, headers=headers)

    assert post().status_code in (200, 201)
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    refused = post()
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_invalid"
    assert client.post(path, json={}, headers={}).status_code == 401


def test_a_deactivated_account_is_refused_by_the_next_ingestion_request(client, world):  # noqa: ANN001
    response = client.patch(f"/api/users/{world.users['inspector'].id}",
                            json={"is_active": False}, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    refused = client.post("/api/sync/findings", json={"findings": [_finding(world)]},
                          headers=world.headers("inspector"))
    assert refused.status_code == 401


def test_the_single_create_answers_as_the_response_model_would(client, world, db):  # noqa: ANN001
    """The hot path serialises ItemResult itself: the answer validates against the model and
    reads back what is stored (due time, event log, photo declarations)."""
    from backend.findings.schemas import ItemResult

    body = _finding(world, photos=[{"sha256": "ef" * 32, "bytes": 10}])
    first = client.post("/api/findings", json=body, headers=world.headers("inspector"))
    assert first.status_code == 201 and first.headers["content-type"] == "application/json"
    result = ItemResult.model_validate_json(first.content)
    assert result.status == "created" and result.photos_missing == ["ef" * 32]
    assert not result.complete
    ticket = db.get(Ticket, uuid.UUID(body["id"]))
    assert result.ticket.due_at == ticket.due_at and ticket.due_at is not None
    assert [e.kind for e in result.ticket.events] == ["dispatch"]
    again = client.post("/api/findings", json=body, headers=world.headers("inspector"))
    assert again.status_code == 200
    created, repeated = first.json()["ticket"], again.json()["ticket"]
    # (as before this fast path: the created answer carries the deadline as computed, "3";
    # a repeat reads it back from NUMERIC(8, 2), "3.00")
    assert Decimal(created.pop("deadline_amount")) == Decimal(repeated.pop("deadline_amount"))
    assert repeated == created
    assert client.post("/api/findings", json={**body, "description": "别的"},
                       headers=world.headers("inspector")).status_code == 409


def test_a_session_used_raw_is_freed_as_soon_as_it_is_dropped(db):  # noqa: ANN001
    """Regression (bench_sync under load, once: "bad parameter or other API misuse" from
    pysqlite). RawSQL used to keep a cursor and a reference to the session's transaction in
    `session.info`, a reference cycle: the session and its cursor were freed only by the
    garbage collector, at any later moment and in any thread, possibly while another request
    was using the same pooled connection. Now nothing refers back to the session and every
    statement has its own cursor, released where it is used."""
    import gc
    import weakref

    from sqlmodel import Session

    session = Session(bind=db.connection(), join_transaction_mode="create_savepoint")
    raw = RawSQL(session)
    assert raw.execute("SELECT 1").fetchall()[0][0] == 1
    assert RawSQL(session) is raw  # one per transaction
    alive = weakref.ref(session)
    enabled = gc.isenabled()
    gc.disable()
    try:
        session.close()
        del session, raw
        assert alive() is None  # freed by reference counting, not left to the collector
    finally:
        if enabled:
            gc.enable()
