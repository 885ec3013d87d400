"""Issue 5 §5: a pull after a week offline returns exactly the changes, paginated."""

from __future__ import annotations

from tests.findings.conftest import real_photo


def _pull(client, world, persona, cursor, **params):  # noqa: ANN001, ANN201
    r = client.get("/api/sync/pull", params={"cursor": cursor, **params},
                   headers=world.headers(persona))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_pull_after_a_week_offline_returns_exactly_the_changes(api, client, world, clock):
    photo = real_photo("orientation_portrait_3.jpg")
    first = api.finding("inspector")
    api.post_finding("inspector", first)
    seen = _pull(client, world, "manager_a", 0)
    assert [t["id"] for t in seen["tickets"]] == [first["id"]]
    cursor = seen["cursor"]
    # the manager's phone goes offline; during the week:
    clock.set(2026, 10, 8, 9, 0)
    second = api.finding("inspector", observed_at="2026-10-08T08:50:00+08:00")
    api.post_finding("inspector", second)
    other_company = api.finding("inspector", compound="east_b")
    api.post_finding("inspector", other_company)
    api.event("manager_a", first["id"], "rectify", photos=[photo])
    clock.set(2026, 10, 9, 9, 0)
    api.event("inspector", first["id"], "reject", note="未整改到位")

    caught_up = _pull(client, world, "manager_a", cursor)
    tickets = {t["id"]: t for t in caught_up["tickets"]}
    assert set(tickets) == {first["id"], second["id"]}  # not the other company's
    assert tickets[first["id"]]["state"] == "open"
    assert [e["kind"] for e in tickets[first["id"]]["events"]] == ["dispatch", "rectify", "reject"]
    assert caught_up["more"] is False
    again = _pull(client, world, "manager_a", caught_up["cursor"])
    assert again["tickets"] == []


def test_pull_pages_by_cursor(api, client, world):
    ids = []
    for _ in range(5):
        body = api.finding("inspector")
        api.post_finding("inspector", body)
        ids.append(body["id"])
    cursor, got = 0, []
    while True:
        page = _pull(client, world, "supervisor", cursor, limit=2)
        got += [t["id"] for t in page["tickets"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert got == ids


def test_reference_data_comes_only_when_the_phone_is_out_of_date(client, world):
    first = _pull(client, world, "inspector", 0)
    for name in ("catalog", "rubrics", "calendar", "compounds"):
        assert first[name] is not None, name
    assert len(first["catalog"]["types"]) == 26 + 1  # the seed's 26 and our 其他问题
    assert {c["name"] for c in first["compounds"]["items"]} == {"东苑", "东园"}
    assert "2026-10-01" in first["calendar"]["days_off"]
    assert "2026-09-20" in first["calendar"]["days_on"]
    versions = {f"{n}_version": first[n]["version"] for n in ("catalog", "rubrics", "calendar", "compounds")}
    second = _pull(client, world, "inspector", first["cursor"], **versions)
    assert all(second[n] is None for n in ("catalog", "rubrics", "calendar", "compounds"))


def test_photos_are_served_only_within_scope(api, client, world):
    photo = real_photo("orientation_landscape_4.jpg")
    body = api.finding("inspector", photos=[photo])
    api.post_finding("inspector", body)
    sha = api.upload("inspector", body["id"], photo).json()["sha256"]
    for persona, expected in (("manager_a", 200), ("supervisor", 200), ("grid_worker", 200),
                              ("manager_b", 404), ("inspector_west", 404)):
        for variant in ("display", "thumb"):
            r = client.get(f"/api/photos/{sha}/{variant}", headers=world.headers(persona))
            assert r.status_code == expected, (persona, variant)
    r = client.get(f"/api/photos/{sha}/display", headers=world.headers("manager_a"))
    assert r.headers["content-type"] == "image/jpeg" and r.content[:2] == b"\xff\xd8"
    assert b"Exif" not in r.content[:200]
