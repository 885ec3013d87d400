"""Issue 15 §2: the overdue dashboard drills street → community → compound, with the companies
beside, and every count opens as the same list in the worklist (GET /api/tickets)."""

from __future__ import annotations

import re
import uuid

from sqlmodel import select

from backend.organisation.models import Company, Compound, OrgUnit
from tests.findings.conftest import demo_login


def _board(client, headers, **params) -> dict:  # noqa: ANN001
    r = client.get("/api/dashboard/overdue", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _worklist_total(client, headers, **params) -> int:  # noqa: ANN001
    r = client.get("/api/tickets", params={"overdue": "true", **params}, headers=headers)
    return r.json()["total"]


def test_a_supervisor_drills_from_the_district_to_one_compound(client, db, demo):
    # the demo's three overdue tickets: 金桂园's bare soil, 银杏苑's rejected hydrant, 锦绣花园's road
    top = _board(client, demo)
    assert (top["level"], top["total"]) == ("street", 3) and top["open"] >= 3
    assert sum(r["overdue"] for r in top["rows"]) == 3 and top["path"] == []
    assert top["total"] == _worklist_total(client, demo)
    jingui = db.exec(select(Compound).where(Compound.name == "金桂园")).one()
    street, community = db.get(OrgUnit, jingui.street_id), db.get(OrgUnit, jingui.community_id)
    assert street.name in {r["name"] for r in top["rows"]}

    in_street = _board(client, demo, street_id=str(street.id))
    assert in_street["level"] == "community"
    assert [(p["key"], p["name"]) for p in in_street["path"]] == [("street_id", street.name)]
    assert in_street["total"] == _worklist_total(client, demo, street_id=str(street.id)) \
        == next(r["overdue"] for r in top["rows"] if r["name"] == street.name)

    in_community = _board(client, demo, street_id=str(street.id), community_id=str(community.id))
    assert in_community["level"] == "compound"
    assert ("金桂园", 1) in [(r["name"], r["overdue"]) for r in in_community["rows"]]
    assert in_community["total"] == _worklist_total(client, demo, community_id=str(community.id))

    one = _board(client, demo, street_id=str(street.id), community_id=str(community.id),
                 compound_id=str(jingui.id))
    assert (one["level"], one["rows"], one["total"]) == (None, [], 1)
    assert [p["name"] for p in one["path"]] == [street.name, community.name, "金桂园"]
    assert [(c["name"], c["overdue"]) for c in one["by_company"]] == \
        [(db.get(Company, jingui.company_id).name, 1)] and one["companies"] == 1


def test_the_companies_beside_count_the_same_tickets(client, demo):
    top = _board(client, demo)
    assert sum(c["overdue"] for c in top["by_company"]) == top["total"]
    assert top["companies"] == len(top["by_company"])
    first = top["by_company"][0]
    assert first["overdue"] == _worklist_total(client, demo, company_id=first["id"])


def test_a_place_outside_the_callers_sight_gives_nothing_not_even_its_name(client, db, demo):
    town = db.exec(select(OrgUnit).where(OrgUnit.name == "XX镇")).one()
    assert _board(client, demo, street_id=str(town.id))["total"] >= 1  # the district sees it
    erqi = demo_login(client, "erqi")  # an inspector of 淮河路街道
    foreign = _board(client, erqi, street_id=str(town.id))
    assert (foreign["total"], foreign["open"], foreign["rows"], foreign["path"]) == (0, 0, [], [])
    unknown = _board(client, demo, street_id=str(uuid.uuid4()))
    assert (unknown["total"], unknown["rows"], unknown["path"]) == (0, [], [])


def test_a_bad_selection_is_refused_in_chinese(client, demo):
    r = client.get("/api/dashboard/overdue", params={"community_id": "not-a-uuid"}, headers=demo)
    assert r.status_code == 422 and re.search("[\u4e00-\u9fff]", r.json()["error"]["message"])
    assert client.get("/api/dashboard/overdue").status_code == 401
