"""Issue 16 §1: the admin keeps the organisation: a tree with compound counts, moves and
retirements that never delete what findings refer to, CSV and Excel import with a preview and
per-line errors (line, column, reason), and an export that imports back unchanged."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlmodel import select

from backend.findings.models import Finding, Ticket
from backend.organisation.models import Compound, OrgUnit

HEADER = "区,街道,社区,网格,小区,地址,建筑面积,户数,物业企业,企业信用等级,进驻日期,老旧小区,党支部\n"
TWENTY_LINES = HEADER + "".join(
    f"新区,新街道,新社区{i % 3},第{i % 2}网格,小区{i:02d},新路{i}号,{10000 + i},{100 + i},"
    f"新物业{i % 4},A,2022-03-01,{'是' if i % 2 else '否'},否\n" for i in range(17)) + (
    "新区,新街道,新社区0,,坏小区一,,很大,100,新物业0,A,,否,否\n"       # line 19: 建筑面积
    "新区,新街道,新社区0,,坏小区二,,1000,100,新物业0,Z,,否,否\n"       # line 20: 企业信用等级
    "新区,,新社区0,,坏小区三,,1000,100,新物业0,A,,否,否\n")            # line 21: 街道


def _upload(client, headers, body: bytes, name: str = "org.csv", dry_run: bool = False):  # noqa: ANN001, ANN202
    return client.post("/api/import/organisation", headers=headers,
                       params={"dry_run": str(dry_run).lower()}, files={"file": (name, body)})


def test_an_import_of_twenty_lines_with_three_bad_keeps_seventeen_and_names_line_column_reason(
        client, world, db):
    admin = world.headers("admin")
    preview = _upload(client, admin, TWENTY_LINES.encode(), dry_run=True).json()
    assert preview["dry_run"] and preview["created"] == 17 and preview["errors"] \
        and len(preview["errors"]) == 3
    db.expire_all()
    assert not db.exec(select(Compound).where(Compound.name == "小区00")).first(), \
        "a preview keeps nothing"

    report = _upload(client, admin, TWENTY_LINES.encode()).json()
    assert report["created"] == 17 and report["lines"] == 20
    errors = {e["line"]: e for e in report["errors"]}
    assert set(errors) == {19, 20, 21}
    assert errors[19]["column"] == "建筑面积" and "很大" in errors[19]["reason"]
    assert errors[20]["column"] == "企业信用等级"
    assert errors[21]["column"] == "街道"
    assert errors[19]["values"][4] == "坏小区一", "the error file carries the line as it was"
    assert report["header"][0] == "区"

    again = _upload(client, admin, TWENTY_LINES.encode()).json()
    assert (again["created"], again["updated"], again["unchanged"], again["units_created"],
            again["companies_created"]) == (0, 0, 17, 0, 0)


def test_an_excel_file_imports_like_the_csv_with_numbers_and_dates_as_excel_keeps_them(
        client, world, db):
    book = Workbook()
    sheet = book.active
    for line in TWENTY_LINES.splitlines():
        sheet.append(line.split(","))
    sheet.append([])  # blank lines are skipped
    sheet["G2"].value = 10000.0        # a number cell, as Excel stores it
    from datetime import datetime
    sheet["K2"].value = datetime(2022, 3, 1)  # a date cell
    out = io.BytesIO()
    book.save(out)
    report = _upload(client, world.headers("admin"), out.getvalue(), name="组织.xlsx").json()
    assert report["created"] == 17 and [e["line"] for e in report["errors"]] == [19, 20, 21]
    db.expire_all()
    first = db.exec(select(Compound).where(Compound.name == "小区00")).one()
    assert first.building_area_m2 == 10000 and str(first.company_moved_in_on) == "2022-03-01"


def test_the_export_imports_back_unchanged_as_csv_and_as_excel(client, world):
    admin = world.headers("admin")
    _upload(client, admin, TWENTY_LINES.encode())
    for fmt in ("csv", "xlsx"):
        exported = client.get("/api/export/organisation", params={"format": fmt}, headers=admin)
        assert exported.status_code == 200
        report = _upload(client, admin, exported.content, name=f"export.{fmt}").json()
        assert report["errors"] == [] and report["created"] == 0 and report["updated"] == 0
        assert report["units_created"] == 0 and report["companies_created"] == 0
        assert report["unchanged"] == 20, fmt  # the personas' 3 compounds and the 17
    rows = list(load_workbook(io.BytesIO(client.get(
        "/api/export/organisation", headers=admin).content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("区", "街道", "社区", "网格", "小区")
    assert any(r[4] == "东苑" and r[3] == "东一网格" for r in rows)


def test_a_file_that_is_not_the_organisation_is_refused_with_the_reason(client, world):
    admin = world.headers("admin")
    r = _upload(client, admin, "姓名,电话\n张三,1\n".encode())
    assert r.status_code == 422 and "无法识别的列名" in r.json()["error"]["message"]
    r = _upload(client, admin, b"PK\x03\x04 not really a workbook", name="x.xlsx")
    assert r.status_code == 422 and "Excel" in r.json()["error"]["message"]


def test_the_tree_counts_active_compounds_at_every_level(client, world):
    tree = {n["name"]: n for n in client.get("/api/organisation/tree",
                                             headers=world.headers("admin")).json()}
    assert (tree["XX区"]["compounds"], tree["东街道"]["compounds"], tree["东社区"]["compounds"],
            tree["东一网格"]["compounds"], tree["西镇"]["compounds"]) == (3, 2, 2, 1, 1)


def test_retiring_a_compound_keeps_its_history_and_stops_offering_it_to_phones(client, world):
    admin, east_a = world.headers("admin"), world.compounds["east_a"]
    r = client.patch(f"/api/compounds/{east_a.id}", headers=admin, json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    pulled = client.get("/api/sync/pull", headers=world.headers("inspector")).json()
    assert "东苑" not in {c["name"] for c in pulled["compounds"]["items"]}
    assert client.get(f"/api/compounds/{east_a.id}", headers=admin).status_code == 200
    listed = client.get("/api/compounds", headers=admin).json()["items"]
    assert "东苑" not in {c["name"] for c in listed}
    everything = client.get("/api/compounds", headers=admin,
                            params={"include_retired": "true"}).json()["items"]
    assert "东苑" in {c["name"] for c in everything}


def test_a_unit_or_company_still_in_use_cannot_be_retired(client, world):
    admin = world.headers("admin")
    r = client.patch(f"/api/units/{world.units['east_c'].id}", headers=admin,
                     json={"is_active": False})
    assert r.status_code == 409 and "2 个在用小区" in r.json()["error"]["message"]
    r = client.patch(f"/api/companies/{world.companies['a'].id}", headers=admin,
                     json={"is_active": False})
    assert r.status_code == 409 and r.json()["error"]["code"] == "company_in_use"
    r = client.patch(f"/api/units/{world.units['east_g1'].id}", headers=admin,
                     json={"is_active": False})
    assert r.status_code == 409


def test_moving_a_community_to_another_street_carries_its_compounds_and_their_tickets(
        client, world, db):
    admin = world.headers("admin")
    east_a = world.compounds["east_a"]
    r = client.post("/api/findings", headers=world.headers("inspector"), json={
        "id": "01938f5e-0000-7000-8000-000000000001", "compound_id": str(east_a.id),
        "catalog_code": "JC01", "description": "井盖破损",
        "observed_at": "2026-12-01T09:00:00+08:00"})
    assert r.status_code in (200, 201), r.text
    r = client.patch(f"/api/units/{world.units['east_c'].id}", headers=admin,
                     json={"parent_id": str(world.units["west"].id)})
    assert r.status_code == 200, r.text
    db.expire_all()
    west = world.units["west"].id
    assert db.get(OrgUnit, world.units["east_g1"].id).street_id == west
    assert db.get(Compound, east_a.id).street_id == west
    assert {t.street_id for t in db.exec(select(Ticket).where(Ticket.compound_id == east_a.id))} \
        == {west}
    assert {f.street_id for f in db.exec(select(Finding).where(Finding.compound_id == east_a.id))} \
        == {west}
    # the inspector of 东街道 no longer sees the compound; the one of 西镇 does
    assert client.get(f"/api/compounds/{east_a.id}",
                      headers=world.headers("inspector")).status_code == 404
    assert client.get(f"/api/compounds/{east_a.id}",
                      headers=world.headers("inspector_west")).status_code == 200


def test_a_unit_cannot_move_under_a_unit_of_the_wrong_level(client, world):
    r = client.patch(f"/api/units/{world.units['east_c'].id}", headers=world.headers("admin"),
                     json={"parent_id": str(world.units["west_c"].id)})
    assert r.status_code == 422 and "社区的上级必须是" in r.json()["error"]["message"]


def test_moving_a_compound_to_another_community_clears_the_old_grids(client, world, db):
    r = client.patch(f"/api/compounds/{world.compounds['east_a'].id}",
                     headers=world.headers("admin"),
                     json={"community_id": str(world.units["west_c"].id)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["street_name"] == "西镇" and body["grid_ids"] == []


def test_a_file_of_some_columns_changes_only_those_columns(client, world, db):
    """An official's sheet of names and addresses must not wipe the areas, companies, grids
    and flags the scores use."""
    admin = world.headers("admin")
    east_a = world.compounds["east_a"]
    partial = "区,街道,社区,小区,地址\nXX区,东街道,东社区,东苑,东街道1号\n"
    report = _upload(client, admin, partial.encode()).json()
    assert report["updated"] == 1 and report["errors"] == []
    db.expire_all()
    stored = db.get(Compound, east_a.id)
    assert stored.address == "东街道1号"
    assert stored.households == 600 and stored.company_id == world.companies["a"].id
    again = _upload(client, admin, partial.encode()).json()
    assert again["unchanged"] == 1 and again["updated"] == 0


def test_lines_naming_a_retired_unit_are_refused_and_an_old_excel_file_too(client, world):
    admin = world.headers("admin")
    client.patch(f"/api/units/{world.units['west_g1'].id}", headers=admin, json={"is_active": False})
    # the grid still holds 西苑, so it is refused; an empty grid can be retired
    grid = client.post("/api/units", headers=admin, json={
        "name": "西二网格", "level": "grid", "parent_id": str(world.units["west_c"].id)}).json()
    assert client.patch(f"/api/units/{grid['id']}", headers=admin,
                        json={"is_active": False}).status_code == 200
    line = "区,街道,社区,网格,小区\nXX区,西镇,西社区,西二网格,西苑新区\n"
    report = _upload(client, admin, line.encode()).json()
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(2, "网格")]
    assert "已停用" in report["errors"][0]["reason"]
    old = _upload(client, admin, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old workbook", name="org.xls")
    assert old.status_code == 422 and ".xlsx" in old.json()["error"]["message"]


def test_a_credit_grade_changed_by_an_import_is_audited(client, world, db):
    from backend.audit.models import AuditEvent
    line = "区,街道,社区,小区,物业企业,企业信用等级\nXX区,东街道,东社区,东苑,甲物业服务有限公司,AAA\n"
    _upload(client, world.headers("admin"), line.encode())
    db.expire_all()
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "company.update",
                                               AuditEvent.actor_id.is_not(None))).all()
    assert event.detail == {"credit_grade": "AAA"}
