"""Issue 12 §1: a photo is not granted by knowing its hash.

乙物业's compound 西苑 has a finding with a real photo. 甲物业's manager (manager_a) and the east
street's inspector know its SHA-256. Declaring it must neither hand them the photo nor tell
them the server holds it: only uploading the bytes (by someone whose scope covers their own
finding) makes it part of their record. The bytes are still stored once."""

from __future__ import annotations

from backend.photos.storage import PhotoStore
from backend.config import get_settings
from tests.findings.conftest import real_photo, sha


def _west_photo(api) -> bytes:  # noqa: ANN001
    photo = real_photo("orientation_portrait_5.jpg")
    body = api.finding("inspector_west", compound="west_b", photos=[photo])
    assert api.post_finding("inspector_west", body).status_code == 201
    assert api.upload("inspector_west", body["id"], photo).status_code == 200
    return photo


def test_declaring_another_companys_photo_on_a_rectification_grants_nothing(api, client, world):
    secret = _west_photo(api)
    mine = api.finding("inspector")  # 东苑, 甲物业
    assert api.post_finding("inspector", mine).status_code == 201
    r = api.event("manager_a", mine["id"], "rectify", photos=[secret], note="已整改")
    assert r.status_code == 201
    # not held: the server says it still wants the bytes, exactly as for a hash it never saw
    assert r.json()["photos_missing"] == [sha(secret)] and r.json()["photos_held"] == []
    for variant in ("original", "display", "thumb"):
        got = client.get(f"/api/photos/{sha(secret)}/{variant}", headers=world.headers("manager_a"))
        assert got.status_code == 404, variant


def test_declaring_it_in_a_new_finding_reveals_nothing_and_grants_nothing(api, client, world):
    secret = _west_photo(api)
    unknown = b"\xff\xd8\xff never uploaded"
    body = api.finding("inspector", photos=[secret, unknown])
    answer = api.post_finding("inspector", body).json()
    # a held hash of another scope answers exactly like one the server has never seen
    assert answer["photos_held"] == [] and answer["photos_missing"] == [sha(secret), sha(unknown)]
    assert client.get(f"/api/photos/{sha(secret)}/original",
                      headers=world.headers("inspector")).status_code == 404


def test_uploading_the_bytes_attaches_them_and_they_are_stored_once(api, client, world):
    secret = _west_photo(api)
    body = api.finding("inspector", photos=[secret])
    api.post_finding("inspector", body)
    uploaded = api.upload("inspector", body["id"], secret)
    assert uploaded.status_code == 200 and uploaded.json()["already_had"] is True
    assert uploaded.json()["photos_held"] == [sha(secret)]
    assert client.get(f"/api/photos/{sha(secret)}/original",
                      headers=world.headers("inspector")).status_code == 200
    originals = list((PhotoStore(get_settings().photo_dir).root / "originals").rglob(sha(secret)))
    assert len(originals) == 1


def test_a_photo_the_declarer_already_sees_is_held_at_once(api, client, world):
    """The same inspector declaring their own earlier photo again (a second problem in the
    same picture): no second upload needed, as before."""
    photo = real_photo("orientation_portrait_6.jpg")
    first = api.finding("inspector", photos=[photo])
    api.post_finding("inspector", first)
    api.upload("inspector", first["id"], photo)
    second = api.finding("inspector", photos=[photo])
    answer = api.post_finding("inspector", second).json()
    assert answer["photos_held"] == [sha(photo)] and answer["complete"] is True
