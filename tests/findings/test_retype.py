"""A supervisor corrects a finding's catalog type, with a reason: 其他问题 (QT01, no deduction)
found to be a listed type then costs that type's point (seed 002 §四(一) 1), and its due time
follows the new type from the dispatch. Audited, in the ticket's history, and pulled by phones."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from backend.audit.models import AuditEvent


def _east(api) -> dict:  # noqa: ANN001
    report = api.client.get("/api/reports/2026-09", headers=api.world.headers("supervisor")).json()
    return next(c for c in report["compounds"] if c["name"] == "东苑")


def _retype(api, persona: str, ticket_id: str, **body):  # noqa: ANN001, ANN003, ANN202
    return api.client.post(f"/api/tickets/{ticket_id}/retype", json=body,
                           headers=api.world.headers(persona))


def test_other_problem_retyped_as_a_listed_type_costs_its_point_and_takes_its_deadline(api, clock, db):
    """Dispatched Wed 30 Sep 16:30: 其他问题 due after three work days (Sat 10 Oct, the make-up
    day); as 清扫保洁不干净 (HJ01, 2 工作时 of the cleaning crews, who work through the National
    Day holiday) it was due on 1 Oct at 09:30."""
    body = api.finding("inspector", code="QT01", description="楼道堆满杂物，无法通行")
    assert api.post_finding("inspector", body).status_code == 201
    before = _east(api)
    r = _retype(api, "supervisor", body["id"], catalog_code="HJ01", note="实为清扫保洁不干净")
    assert r.status_code == 200, r.text
    ticket = r.json()
    assert (ticket["catalog_code"], ticket["state"]) == ("HJ01", "open")
    assert (ticket["deadline_amount"], ticket["deadline_unit"]) == ("2.00", "工作时")
    assert ticket["due_at"] == "2026-10-01T09:30:00+08:00"
    event = ticket["events"][-1]
    assert (event["kind"], event["note"]) == ("retype", "实为清扫保洁不干净")
    assert event["detail"] == {"from": "QT01", "to": "HJ01", "old_due_at": "2026-10-10T09:30:00+00:00",
                               "new_due_at": "2026-10-01T01:30:00+00:00"}
    after = _east(api)
    assert Decimal(after["parts"]["L"]) == Decimal(before["parts"]["L"]) - 1
    [audit] = db.exec(select(AuditEvent).where(AuditEvent.action == "ticket.retype")).all()
    assert audit.detail["reason"] == "实为清扫保洁不干净" and audit.detail["to"] == "HJ01"


def test_a_retype_is_the_supervisors_with_a_reason_to_a_known_other_type_of_a_live_ticket(api, clock):
    body = api.finding("inspector", code="QT01", description="单元门禁对讲机损坏")
    api.post_finding("inspector", body)
    refusals = [
        ("inspector", {"catalog_code": "JC06", "note": "公共设施"}, 403, "role_not_allowed"),
        ("manager_a", {"catalog_code": "JC06", "note": "公共设施"}, 403, "role_not_allowed"),
        ("supervisor", {"catalog_code": "JC06", "note": "  "}, 422, "reason_required"),
        ("supervisor", {"catalog_code": "ZZ99", "note": "公共设施"}, 422, "catalog_code_unknown"),
        ("supervisor", {"catalog_code": "QT01", "note": "公共设施"}, 422, "retype_same"),
    ]
    for persona, data, status, code in refusals:
        r = _retype(api, persona, body["id"], **data)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (persona, data)
    assert _retype(api, "supervisor", body["id"], catalog_code="JC06").status_code == 422  # no note
    api.event("supervisor", body["id"], "cancel", note="重复登记")
    r = _retype(api, "supervisor", body["id"], catalog_code="JC06", note="公共设施")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ticket_state_conflict")
    assert "已撤销" in r.json()["error"]["message"]
    ticket = api.client.get(f"/api/tickets/{body['id']}", headers=api.world.headers("supervisor")).json()
    assert ticket["catalog_code"] == "QT01" and [e["kind"] for e in ticket["events"]] == ["dispatch", "cancel"]


def test_a_phone_cannot_send_a_retype_event(api, clock):
    body = api.finding("inspector")
    api.post_finding("inspector", body)
    r = api.event("supervisor", body["id"], "retype", note="改类")
    assert r.status_code == 422 and r.json()["error"]["code"] == "event_kind_invalid"
