"""Health: is the database reachable and migrated, is the photo store writable."""

from __future__ import annotations

import os
import tempfile

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import text

from backend import __version__
from backend.config import get_settings
from backend.auth.models import Role
from backend.auth.service import authenticate
from backend.db import get_engine
from backend.transaction import unit_of_work
from backend.errors import DomainError
from backend.migrate import current_revision, head_revision
from backend.photos.errors import CJKFontMissing
from backend.photos.watermark import require_cjk_font

router = APIRouter(prefix="/api", tags=["system"])


def _database() -> dict:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            current = current_revision(conn)
    except Exception as exc:  # noqa: BLE001 - health reports, it does not raise
        return {"ok": False, "error": type(exc).__name__, "message": "数据库无法连接"}
    head = head_revision()
    migrated = current == head
    return {"ok": migrated, "dialect": get_engine().dialect.name, "revision": current,
            "head": head, **({} if migrated else {"message": "数据库未迁移到最新版本，请运行 xunjian db upgrade"})}


def _photo_store() -> dict:
    folder = get_settings().photo_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-"):
            pass
        stat = os.statvfs(folder)
        free = stat.f_bavail * stat.f_frsize
    except OSError as exc:
        return {"ok": False, "error": type(exc).__name__, "message": "照片目录不可写"}
    try:
        font = require_cjk_font(str(get_settings().photo_font) if get_settings().photo_font else None)
    except CJKFontMissing:
        return {"ok": False, "free_bytes": free,
                "message": "缺少中文字体，无法给照片加水印（apt-get install fonts-wqy-microhei）"}
    enough = free > 100 * 1024 * 1024
    return {"ok": enough, "free_bytes": free, "watermark_font": str(font.path),
            **({} if enough else {"message": "照片目录剩余空间不足 100 MB"})}


@router.get("/health")
def health(request: Request) -> JSONResponse:
    """Ready or not, for a load balancer or a monitor: 200 or 503. The details (version,
    revision, free disk, font) only to an admin, who sends their token."""
    checks = {"database": _database(), "photo_store": _photo_store()}
    ok = all(c["ok"] for c in checks.values())
    body: dict = {"ok": ok, "status": "ready" if ok else "not ready"}
    if _is_admin(request.headers.get("authorization")):
        body |= {"version": __version__, "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503)


def _is_admin(authorization: str | None) -> bool:
    scheme, token = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer" or not token:
        return False
    try:
        with unit_of_work(write=False) as session:
            user, _ = authenticate(session, get_settings(), token)
    except DomainError:
        return False
    return user.role == Role.admin
