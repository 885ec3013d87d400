"""The offline sync endpoints; the protocol is described in backend/sync/README.md."""

from __future__ import annotations

import pydantic_core
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from backend.auth.dependencies import INGEST_OPENAPI, BearerToken, CurrentUser, ScopeDep
from backend.auth.service import authenticate
from backend.clock import ClockDep, RequestClock, request_clock
from backend.config import get_settings
from backend.transaction import SessionDep, run_write
from backend.errors import error_responses
from backend.findings import service as findings
from backend.findings.schemas import EventIn, FindingIn, ItemResult, SyncItemResult
from backend.inspections.schemas import InspectionIn, InspectionItemResult
from backend.sync import service

router = APIRouter(prefix="/api/sync", tags=["sync"])


class FindingBatch(BaseModel):
    findings: list[FindingIn] = Field(max_length=service.BATCH_LIMIT)


class FindingBatchResult(BaseModel):
    results: list[SyncItemResult]


class EventBatch(BaseModel):
    events: list[EventIn] = Field(max_length=service.BATCH_LIMIT)


class BatchResult(BaseModel):
    results: list[ItemResult]


class InspectionBatch(BaseModel):
    inspections: list[InspectionIn] = Field(max_length=service.INSPECTION_BATCH_LIMIT)


class InspectionBatchResult(BaseModel):
    results: list[InspectionItemResult]


# Bodies these endpoints read and check item by item (service.parse_batch), so FastAPI does not
# see them as parameters: main.py adds them to the OpenAPI components.
BATCH_SCHEMAS = (FindingBatch, EventBatch, InspectionBatch)


def _documented(model: type[BaseModel]) -> dict:
    """The request body as OpenAPI shows it."""
    return {**INGEST_OPENAPI, "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


@router.post("/findings", response_model=FindingBatchResult,
             responses=error_responses(400, 401, 422), openapi_extra=_documented(FindingBatch))
async def sync_findings(token: BearerToken, request: Request) -> Response:
    """Create findings (idempotently, by client UUID); one result per item, in order, each
    with a brief ticket (the full ticket comes with the next pull). An item that is not valid
    is answered `invalid` with the reason; the others are stored."""
    clock = await request_clock(request.headers.get("x-client-time"))
    items = service.parse_batch(await request.body(), "findings", FindingIn, FindingBatch)
    answer = await run_write(request, lambda session: _sync_findings(session, token, items, clock))
    return Response(answer, media_type="application/json")


def _sync_findings(session: Session, token: str, items: list, clock: RequestClock) -> bytes:
    """The whole request in one step (`run_write`): authentication with the scope (one
    statement), the creates, and the answer (`FindingBatchResult`'s JSON) serialised once
    from the values built, without FastAPI validating it again."""
    user, scope = authenticate(session, get_settings(), token)
    valid = [item for item in items if isinstance(item, FindingIn)]
    created = iter(findings.create_findings(session, user, scope, valid, clock=clock))
    results = [next(created) if isinstance(item, FindingIn) else item.model_dump()
               for item in items]
    return pydantic_core.to_json({"results": results})


@router.post("/events", response_model=BatchResult, responses=error_responses(400, 401, 422),
             openapi_extra=_documented(EventBatch))
async def sync_events(token: BearerToken, request: Request) -> Response:
    """Apply ticket transitions (idempotently, by client UUID); one result per item, in order."""
    clock = await request_clock(request.headers.get("x-client-time"))
    items = service.parse_batch(await request.body(), "events", EventIn, EventBatch)

    def work(session: Session) -> bytes:
        user, scope = authenticate(session, get_settings(), token)
        results = service.apply_events(session, user, scope, items, clock)
        return BatchResult(results=results).model_dump_json().encode()

    return Response(await run_write(request, work), media_type="application/json")


@router.post("/inspections", response_model=InspectionBatchResult,
             responses=error_responses(400, 401, 422), openapi_extra=_documented(InspectionBatch))
async def sync_inspections(token: BearerToken, request: Request) -> Response:
    """Store whole inspections (idempotently, by client UUID), each scored on arrival; one
    result per item, in order, with the inspection as stored (its score, grade and deductions)
    and which of its declared photos the server holds."""
    clock = await request_clock(request.headers.get("x-client-time"))
    items = service.parse_batch(await request.body(), "inspections", InspectionIn,
                                InspectionBatch, limit=service.INSPECTION_BATCH_LIMIT)

    def work(session: Session) -> bytes:
        user, scope = authenticate(session, get_settings(), token)
        results = service.receive_inspections(session, user, scope, items, clock)
        return InspectionBatchResult(results=results).model_dump_json().encode()

    return Response(await run_write(request, work), media_type="application/json")


@router.get("/pull", responses=error_responses(401, 422))
def pull(session: SessionDep, user: CurrentUser, scope: ScopeDep, clock: ClockDep,
         cursor: str = Query("0", max_length=60, description="上次同步返回的位置（不透明）"),
         limit: int = Query(200, ge=1, le=1000),
         catalog_version: str | None = Query(None, max_length=64),
         rubrics_version: str | None = Query(None, max_length=64),
         calendar_version: str | None = Query(None, max_length=64),
         compounds_version: str | None = Query(None, max_length=64),
         inbox_version: str | None = Query(None, max_length=80)) -> dict:
    """Everything that changed in the caller's scope since `cursor`; repeat while `more`.
    The inbox (the caller's latest messages) comes whole whenever it changed."""
    return service.pull(session, user, scope, cursor=cursor, limit=limit, now=clock.now,
                        versions={"catalog": catalog_version, "rubrics": rubrics_version,
                                  "calendar": calendar_version,
                                  "compounds": compounds_version, "inbox": inbox_version})
