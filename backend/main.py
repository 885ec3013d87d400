"""The FastAPI application: API routers, error handlers, and the PWA served from frontend/."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backend import __version__
from backend.auth.router import router as auth_router
from backend.config import get_settings
from backend.errors import install_error_handlers
from backend.findings.router import router as findings_router
from backend.inspections.router import router as inspections_router
from backend.organisation.router import router as organisation_router
from backend.photos.router import router as photos_router
from backend.reports.router import router as reports_router
from backend.reports.scores import router as scores_router
from backend.sync.router import router as sync_router
from backend.system.router import router as system_router

API_DESCRIPTION = """
巡检 Xunjian: inspection, rectification and scoring of residential compounds.

Every error has one JSON shape: `{"error": {"code": "...", "message": "中文说明", "detail": ...}}`.
Authenticate with `POST /api/auth/login` and send `Authorization: Bearer <token>`.
"""


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="巡检 Xunjian", version=__version__, description=API_DESCRIPTION,
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    install_error_handlers(app)
    # The phones' hot paths first: routes are matched in order, ~4 µs each.
    for router in (sync_router, findings_router, system_router, auth_router,
                   organisation_router, photos_router, inspections_router, reports_router,
                   scores_router):
        app.include_router(router)
    if settings.frontend_dir.is_dir():
        app.mount("/", StaticFiles(directory=settings.frontend_dir, html=True), name="frontend")
    return app


app = create_app()
