"""Issue 7 §5: seed 001's notice reproduced from observations stored through the API, exported
to Excel (laid out like the 西岗区 table: items as rows, streets as columns, totals, ranking),
read back; the CSV and the command line give the same."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.inspections.test_seed001_through_api import PUBLISHED, submit_seed_001, xigang


def _columns(sheet) -> dict[str, int]:  # noqa: ANN001
    header = [c.value for c in sheet[2]]
    return {name: header.index(name) for name in PUBLISHED}


def test_seed_001_notice_to_excel_and_back(db, client):
    streets, headers = xigang(db, client)
    submit_seed_001(client, streets, headers)
    district = next(iter(streets.values())).parent_id
    r = client.get("/api/reports/2021H1/notice.xlsx", params={"unit_id": str(district)},
                   headers=headers)
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert "西岗区" in sheet["A1"].value and "2021年上半年" in sheet["A1"].value
    columns = _columns(sheet)
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=3)}
    totals, ranks = rows["得分"], rows["名次"]
    assert {name: totals[i] for name, i in columns.items()} == PUBLISHED
    assert {name: ranks[i] for name, i in columns.items()} == \
        {"人民广场街道": 1, "白云街道": 1, "香炉礁街道": 1, "八一路街道": 4, "日新街道": 4}
    # item 4.2 (不良行为信息, 2 points): every street kept 1
    assert [rows["4.2"][i] for i in columns.values()] == [1] * 5
    assert rows["4.2"][4] == 2  # 分值 column

    r = client.get("/api/reports/2021H1/notice.csv", params={"unit_id": str(district)},
                   headers=headers)
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header = table[1]
    total_row = next(row for row in table if row[0] == "得分")
    assert {name: Decimal(total_row[header.index(name)]) for name in PUBLISHED} == PUBLISHED
    # the streets in the seed's order (八一路, 人民广场, 白云, 日新, 香炉礁): the order they
    # were entered, as none has a code
    assert header[5:] == list(PUBLISHED) and total_row[5:] == ["98", "99", "99", "98", "99"]
    # the rules each inspection was scored under (issue 16 §4): here the files alone
    assert table[-1][0].endswith("。评分规则：评分标准文件原值（未作系统设置）")


def test_the_demo_publishes_the_seed_001_table(db):
    """`xunjian demo` submits seed 001's 2021 half-year inspections of the five streets (as
    the README's `xunjian report 2021H1 大连市西岗区` shows), once however often it runs."""
    from sqlmodel import func, select

    from backend.dbtypes import utcnow
    from backend.demo import XIGANG_DISTRICT, load_demo
    from backend.inspections.models import Inspection
    from backend.organisation.models import OrgUnit
    from backend.reports import service
    from backend.reports.periods import parse_period

    load_demo(db)
    load_demo(db)
    district = db.exec(select(OrgUnit).where(OrgUnit.name == XIGANG_DISTRICT)).one()
    assert db.exec(select(func.count()).select_from(Inspection)
                   .where(Inspection.district_id == district.id)).one() == 5
    table = service.notice_tables(db, district, parse_period("2021H1"), "X", now=utcnow())[0]
    assert table.header[5:] == list(PUBLISHED)
    assert next(r for r in table.rows if r[0] == "得分")[5:] == [98, 99, 99, 98, 99]


def test_the_report_command_writes_the_notice(db, client, tmp_path, monkeypatch):
    """`xunjian report 2021H1 大连市西岗区` writes .xlsx, .csv and .json."""
    from backend.cli import app

    streets, headers = xigang(db, client)
    submit_seed_001(client, streets, headers)
    # the command's unit of work runs on the test's connection (the `client` fixture's sessions)
    result = CliRunner().invoke(app, ["report", "2021H1", "大连市西岗区", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "大连市西岗区-2021H1-通报表.xlsx").exists()
    assert (tmp_path / "大连市西岗区-2021H1-通报表.csv").exists()
    assert "98" in result.output
    bad = CliRunner().invoke(app, ["report", "2021H3", "大连市西岗区"])
    assert bad.exit_code == 1 and "无法识别的期间" in bad.output


def test_the_scores_of_2021h1_show_seed_001s_streets_and_the_publication_history(db, client):
    """Issue 15 §3: the scores screen's data for a picked period and the caller's own unit
    (no unit_id): seed 001's five streets with their X totals and ranks in the seed's order,
    then publishing and re-opening with a reason, both in the period's history."""
    streets, headers = xigang(db, client)
    submit_seed_001(client, streets, headers)
    scores = client.get("/api/scores", params={"period": "2021H1"}, headers=headers).json()
    [x] = [a for a in scores["street_assessments"] if a["rubric_id"] == "X"]
    assert [(r["name"], Decimal(r["total"])) for r in x["rows"]] == list(PUBLISHED.items())
    assert [r["rank"] for r in x["rows"]] == [4, 1, 1, 4, 1]
    assert scores["frozen"] is False and scores["publications"] == []

    assert client.post("/api/reports/2021H1/freeze", headers=headers).status_code == 200
    assert client.post("/api/reports/2021H1/reopen", json={"reason": ""},
                       headers=headers).status_code == 422  # a reason is required
    r = client.post("/api/reports/2021H1/reopen", json={"reason": "八一路街道申请复核5.2项"},
                    headers=headers)
    assert r.status_code == 200, r.text
    [published] = client.get("/api/scores", params={"period": "2021H1"},
                             headers=headers).json()["publications"]
    assert published["frozen_by"] and published["reopened_by"]
    assert published["reopen_reason"] == "八一路街道申请复核5.2项"


def test_a_bad_period_on_the_scores_screen_is_refused_in_chinese(client, db):
    _, headers = xigang(db, client)
    r = client.get("/api/scores", params={"period": "2021H3"}, headers=headers)
    assert r.status_code == 422 and "无法识别的期间" in r.json()["error"]["message"]


def test_a_street_downloads_its_districts_notice_once_published(db, client):
    """Issue 15 §3: the units a notice covers can download it, once it is published."""
    from backend.auth import users
    from backend.auth.models import Role, UserCreate
    from tests.personas import PASSWORD

    streets, headers = xigang(db, client)
    submit_seed_001(client, streets, headers)
    users.create_user(db, UserCreate(username="baiyun", display_name="白云街道", role=Role.supervisor,
                                     password=PASSWORD, unit_ids=[streets["白云街道"].id]),
                      actor_id=None)
    db.commit()
    baiyun = {"Authorization": "Bearer " + client.post("/api/auth/login", json={
        "username": "baiyun", "password": PASSWORD}).json()["access_token"]}
    district = str(streets["白云街道"].parent_id)
    path = "/api/reports/2021H1/notice.csv"
    assert client.get(path, params={"unit_id": district}, headers=baiyun).status_code == 404
    assert client.post("/api/reports/2021H1/freeze", headers=headers).status_code == 200
    r = client.get(path, params={"unit_id": district}, headers=baiyun)
    assert r.status_code == 200 and "白云街道" in r.content.decode("utf-8-sig")
    # ... not a district it does not lie in, published or not
    other = client.get(path, params={"unit_id": str(streets["八一路街道"].id)}, headers=baiyun)
    assert other.status_code == 404
