"""Issue 2 §5: CSV import of the organisation with a clear per-line error report."""

from __future__ import annotations

from sqlmodel import select

from backend.organisation.importer import import_file
from backend.organisation.models import Company, Compound, OrgUnit

HEADER = "区,街道,社区,网格,小区,地址,建筑面积,户数,物业企业,企业信用等级,进驻日期,老旧小区,党支部\n"
GOOD_AND_BAD = HEADER + (
    "XX区,XX镇,中心社区,第一网格;第二网格,锦绣花园,XX镇锦绣路1号,52000,620,锦绣物业,AA,2022-03-01,是,是\n"
    "XX区,XX镇,中心社区,第一网格,翠竹苑,,38500.5,410,翠竹物业,A,2021/7/15,否,否\n"
    "XX区,XX镇,中心社区,,金桂园,,很大,730,金桂物业,AAA,,否,否\n"          # line 4: area not a number
    "XX区,XX镇,中心社区,,银杏苑,,27400,300,银杏物业,D,,否,否\n"           # line 5: no grade D
    "XX区,,中心社区,,丹枫园,,44800,520,丹枫物业,A,,否,否\n"               # line 6: no street
    "XX区,XX镇,中心社区,,紫荆园,,33600,380,紫荆物业,AA,2021-13-40,否,否\n"  # line 7: bad date
    "XX区,XX镇,中心社区,,紫荆园二期,,33600,3.5,紫荆物业,AA,,否,否\n"      # line 8: households 3.5
    "XX区,XX镇,中心社区,,碧水苑,,20000,200,,,,也许,否\n"                  # line 9: 也许 is no yes/no
    "\n"
    "大连市西岗区,八一路街道,,,,,,,,,,,\n"                                 # line 11: units only
)


def test_bad_lines_are_reported_by_number_and_good_lines_kept(db):
    report = import_file(db, GOOD_AND_BAD.encode())
    assert [e["line"] for e in report.errors] == [4, 5, 6, 7, 8, 9]
    reasons = {e["line"]: e["reason"] for e in report.errors}
    assert "建筑面积" in reasons[4] and "很大" in reasons[4]
    assert "信用等级" in reasons[5]
    assert "街道" in reasons[6]
    assert "进驻日期" in reasons[7]
    assert "户数" in reasons[8]
    assert "老旧小区" in reasons[9]
    assert report.created == 2
    names = set(db.exec(select(Compound.name)))
    assert names == {"锦绣花园", "翠竹苑"}
    # a failed line leaves nothing behind: no company 金桂物业 from line 4
    assert not db.exec(select(Company).where(Company.name == "金桂物业")).first()
    jinxiu = db.exec(select(Compound).where(Compound.name == "锦绣花园")).one()
    assert jinxiu.is_old and jinxiu.has_party_branch and jinxiu.households == 620
    town = db.exec(select(OrgUnit).where(OrgUnit.name == "XX镇")).one()
    assert town.level == "town" and jinxiu.street_id == town.id
    assert db.exec(select(OrgUnit).where(OrgUnit.name == "八一路街道")).one().level == "street"


def test_importing_the_same_file_twice_changes_nothing(db):
    import_file(db, GOOD_AND_BAD.encode())
    again = import_file(db, GOOD_AND_BAD.encode())
    assert again.created == 0 and again.updated == 0 and again.unchanged == 2
    assert again.units_created == 0 and again.companies_created == 0


def test_a_changed_line_updates_the_compound(db):
    import_file(db, GOOD_AND_BAD.encode())
    changed = HEADER + "XX区,XX镇,中心社区,第一网格,翠竹苑,,38500.5,999,翠竹物业,A,2021-07-15,否,否\n"
    report = import_file(db, changed.encode())
    assert report.updated == 1
    assert db.exec(select(Compound).where(Compound.name == "翠竹苑")).one().households == 999


def test_gbk_csv_from_chinese_excel_is_read(db):
    report = import_file(db, (HEADER + "XX区,XX镇,中心社区,,锦绣花园,,52000,620,,,,否,否\n").encode("gbk"))
    assert report.created == 1 and not report.errors


def test_unknown_columns_are_refused_naming_them(db):
    import pytest

    from backend.organisation.importer import LineError

    with pytest.raises(LineError, match="楼栋数"):
        import_file(db, "区,街道,楼栋数\nXX区,XX镇,3\n".encode())


def test_import_through_the_api_reports_lines(world, client):
    r = client.post("/api/import/organisation", headers=world.headers("admin"),
                    files={"file": ("org.csv", GOOD_AND_BAD.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2 and len(r.json()["errors"]) == 6
    r = client.post("/api/import/organisation", headers=world.headers("supervisor"),
                    files={"file": ("org.csv", GOOD_AND_BAD.encode(), "text/csv")})
    assert r.status_code == 403
    r = client.post("/api/import/organisation", headers=world.headers("admin"),
                    files={"file": ("org.csv", "名字\n1\n".encode(), "text/csv")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "csv_invalid"
