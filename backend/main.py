"""The FastAPI application: API routers, error handlers, and the PWA served from frontend/."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backend import __version__
from backend.audit.router import router as audit_router
from backend.auth.router import router as auth_router
from backend.calendar.router import router as calendar_router
from backend.config import get_settings
from backend.configuration.router import router as settings_router
from backend.transaction import ReadsFirst
from backend.errors import ErrorResponse, install_error_handlers
from backend.findings.router import router as findings_router
from backend.hotline.router import router as hotline_router
from backend.inspections.router import router as inspections_router
from backend.notifications.router import router as notifications_router
from backend.organisation.router import router as organisation_router
from backend.photos.router import router as photos_router
from backend.reports.router import router as reports_router
from backend.reports.scores import router as scores_router
from backend.sync.router import BATCH_SCHEMAS, router as sync_router
from backend.system.headers import SecurityHeaders
from backend.system.router import router as system_router

API_DESCRIPTION = """
巡检 Xunjian: inspection, rectification and scoring of residential compounds.

Every error has one JSON shape: `{"error": {"code": "...", "message": "中文说明", "detail": ...}}`.
Authenticate with `POST /api/auth/login` and send `Authorization: Bearer <token>`.
"""


# New objects a young collection waits for (CPython's default is 700). Phones' requests
# allocate fast: at 700, the objects of requests still in flight (a batch parsed and waiting
# for its write turn) outlived the young collections into the oldest generation, and a full
# collection followed about once a second.
YOUNG_COLLECTION_THRESHOLD = 10_000


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[None]:
    """The garbage collector set for serving. What start-up made (modules, routes, schemas:
    ~200,000 objects) lives as long as the process, so it is frozen out of the
    collector's walks; and young collections come less often. Before, while phones synced, a
    full collection came about once a second and took ~100 ms, holding every request in
    flight: most of the pages' p99 (tests/bench/RESULTS.md, "the garbage collector")."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:  # a test process starts many apps: give back what this one changed
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="巡检 Xunjian", version=__version__, description=API_DESCRIPTION,
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None,
                  lifespan=_serving)
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ReadsFirst)
    # The phones' hot paths first: routes are matched in order, ~4 µs each.
    for router in (sync_router, findings_router, system_router, auth_router,
                   organisation_router, photos_router, inspections_router, reports_router,
                   scores_router, calendar_router, audit_router, settings_router,
                   notifications_router, hotline_router):
        app.include_router(router)
    _document(app)
    if settings.frontend_dir.is_dir():
        app.mount("/", StaticFiles(directory=settings.frontend_dir, html=True), name="frontend")
    return app


def _document(app: FastAPI) -> None:
    """The OpenAPI document as the API answers: a refused request's body is the one error
    shape (backend/errors.py), FastAPI's own validation-error schema is never sent; and the
    sync batches' bodies, which their endpoints read item by item, are in the components."""
    generate = app.openapi
    error = {"$ref": "#/components/schemas/ErrorResponse"}

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = generate()
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in BATCH_SCHEMAS:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in schema.pop("$defs", {}).items():
                    components.setdefault(name, definition)
                components[model.__name__] = schema
            components.setdefault("ErrorResponse", ErrorResponse.model_json_schema(
                ref_template="#/components/schemas/{model}"))
            for name, definition in components["ErrorResponse"].pop("$defs", {}).items():
                components.setdefault(name, definition)
            for operations in spec["paths"].values():
                for operation in operations.values():
                    invalid = operation.get("responses", {}).get("422")
                    if invalid:
                        invalid["content"] = {"application/json": {"schema": error}}
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
        return app.openapi_schema

    app.openapi = openapi


app = create_app()
