"""Issue 12 §4: a repeat is answered with content only to a caller whose scope covers it.

A phone resending its own finding or inspection gets the stored copy back (`duplicate`); anyone
else who sends the same body, or the same id, learns nothing from the answer: it is answered
as that content would be, never with someone else's ticket or inspection."""

from __future__ import annotations

from backend.ids import new_id


def test_another_users_exact_finding_body_is_not_answered_with_their_ticket(api, client, world):
    body = api.finding("inspector")  # 东苑 of the east street
    assert api.post_finding("inspector", body).status_code == 201
    for persona in ("inspector_west", "manager_b"):
        r = api.post_finding(persona, body)
        assert r.status_code == 404, persona
        error = r.json()["error"]
        assert error["code"] == "compound_not_found" and error["detail"] is None
        batch = client.post("/api/sync/findings", json={"findings": [body]},
                            headers=world.headers(persona)).json()["results"][0]
        assert (batch["status"], batch["code"], batch["ticket"]) == \
            ("invalid", "compound_not_found", None)
    # those whose scope covers it get the stored ticket, as the phone that sent it
    for persona in ("inspector", "supervisor"):
        again = api.post_finding(persona, body)
        assert again.status_code == 200 and again.json()["ticket"]["id"] == body["id"]


def test_the_same_id_with_other_content_from_someone_out_of_scope_reveals_nothing(api, world):
    body = api.finding("inspector")
    api.post_finding("inspector", body)
    theirs = {**body, "compound_id": str(world.compounds["west_b"].id), "description": "另一处"}
    r = api.post_finding("inspector_west", theirs)
    assert r.status_code == 409 and r.json()["error"]["code"] == "uuid_reused"
    assert r.json()["error"]["detail"] is None


def test_another_units_inspection_id_is_not_answered_with_that_inspection(client, world):
    body = {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
            "rubric_id": "P"}
    assert client.post("/api/inspections", json=body,
                       headers=world.headers("inspector")).status_code == 201
    again = client.post("/api/inspections", json=body, headers=world.headers("inspector"))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    theirs = {**body, "compound_id": str(world.compounds["west_b"].id)}
    for sent in (body, theirs):
        r = client.post("/api/inspections", json=sent, headers=world.headers("inspector_west"))
        assert r.status_code in (404, 409), r.text
        assert "observations" not in r.text and r.json()["error"]["detail"] is None
