"""Fixtures for the rectification loop: a settable server clock, real photos, API helpers."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import backend.clock as request_clock
from backend.demo import load_demo
from backend.ids import new_id
from tests.support import require_shared_photos

CST = ZoneInfo("Asia/Shanghai")


def real_photo(name: str) -> bytes:
    """A real phone photo from ../shared/photos (see tests/conftest.py for when it is missing)."""
    return (require_shared_photos() / name).read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Clock:
    """The server's clock as the request handlers see it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 9, 30, 16, 30, tzinfo=CST)

    def set(self, *args: int) -> datetime:
        self.now = datetime(*args, tzinfo=CST)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:  # noqa: ANN001
    c = Clock()
    monkeypatch.setattr(request_clock, "utcnow", lambda: c.now)
    return c


class Api:
    def __init__(self, client, world) -> None:  # noqa: ANN001
        self.client, self.world = client, world

    def finding(self, persona: str, compound: str = "east_a", *, photos: list[bytes] = (),
                code: str = "JC04", finding_id=None, **extra):  # noqa: ANN001, ANN201
        body = {"id": str(finding_id or new_id()),
                "compound_id": str(self.world.compounds[compound].id), "catalog_code": code,
                "description": "3号楼东侧雨水箅子缺失", "building": "3号楼",
                "observed_at": "2026-09-30T16:20:00+08:00",
                "photos": [{"sha256": sha(p), "bytes": len(p)} for p in photos], **extra}
        return body

    def post_finding(self, persona: str, body: dict, **headers):  # noqa: ANN201
        return self.client.post("/api/findings", json=body,
                                headers={**self.world.headers(persona), **headers})

    def upload(self, persona: str, finding_id: str, data: bytes, name: str = "photo.jpg"):  # noqa: ANN201
        return self.client.post("/api/photos", headers=self.world.headers(persona),
                                data={"finding_id": finding_id},
                                files={"file": (name, data, "image/jpeg")})

    def event(self, persona: str, ticket_id: str, kind: str, *, photos: list[bytes] = (),
              note: str | None = None, event_id=None, at: str | None = None):  # noqa: ANN001, ANN201
        body = {"id": str(event_id or new_id()), "ticket_id": ticket_id, "kind": kind,
                "note": note, "at": at,
                "photos": [{"sha256": sha(p), "bytes": len(p)} for p in photos]}
        return self.client.post(f"/api/tickets/{ticket_id}/events", json=body,
                                headers=self.world.headers(persona))


@pytest.fixture
def api(client, world) -> Api:  # noqa: ANN001
    return Api(client, world)


# ------------------------------------------------------------------ the demo district


def demo_login(client, username: str) -> dict:  # noqa: ANN001
    """The headers of a demo user (the worklist and dashboard tests)."""
    token = client.post("/api/auth/login", json={"username": username, "password": "xunjian-demo"}
                        ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def demo(db, client):  # noqa: ANN001, ANN201
    """The demo loaded; the district supervisor's headers."""
    load_demo(db)
    db.commit()
    return demo_login(client, "supervisor")
