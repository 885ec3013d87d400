"""The offline sync endpoints; the protocol is described in backend/sync/README.md."""

from __future__ import annotations

import pydantic_core
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend import hotpath
from backend.auth.dependencies import CurrentUser, ScopeDep
from backend.auth.service import authenticate
from backend.config import get_settings
from backend.db import SessionDep
from backend.errors import DomainError, error_responses
from backend.findings import service, transitions
from backend.findings.models import EventIn, FindingIn, ItemResult, SyncItemResult
from backend.sync import service as sync_service
from backend.sync.clock import ClockDep, RequestClock

router = APIRouter(prefix="/api/sync", tags=["sync"])

BATCH_LIMIT = 500


class FindingBatch(BaseModel):
    findings: list[FindingIn] = Field(max_length=BATCH_LIMIT)


class FindingBatchResult(BaseModel):
    results: list[SyncItemResult]


class EventBatch(BaseModel):
    events: list[EventIn] = Field(max_length=BATCH_LIMIT)


class BatchResult(BaseModel):
    results: list[ItemResult]


def _each(session: Session, items, apply) -> list[ItemResult]:  # noqa: ANN001
    """Apply each item in its own savepoint: one refusal or race never undoes the others."""
    results = []
    for item in items:
        try:
            with session.begin_nested():
                result = apply(item)
                if result.status not in ("created", "duplicate"):
                    raise _Undo(result)
        except _Undo as undo:
            result = undo.result
        except IntegrityError:
            # Another request stored the same id between our check and our insert: answer as
            # for any repeat, from what is now stored.
            with session.begin_nested():
                result = apply(item)
        except DomainError as exc:
            result = ItemResult(id=item.id, status="invalid", code=exc.code, message=exc.message)
        results.append(result)
    return results


class _Undo(Exception):
    def __init__(self, result: ItemResult) -> None:
        self.result = result


@router.post("/findings", response_model=FindingBatchResult,
             responses=error_responses(400, 401, 422), openapi_extra=hotpath.OPENAPI)
async def sync_findings(body: FindingBatch, token: hotpath.BearerToken,
                        request: Request) -> Response:
    """Create findings (idempotently, by client UUID); one result per item, in order, each
    with a brief ticket (the full ticket comes with the next pull)."""
    clock = await hotpath.clock(request)
    answer = await hotpath.run_write(
        request, lambda session: _sync_findings(session, token, body, clock))
    return Response(answer, media_type="application/json")


def _sync_findings(session: Session, token: str, body: FindingBatch, clock: RequestClock
                   ) -> bytes:
    """The whole request in one step (`hotpath.run_write`): authentication with the scope (one
    statement), the creates, the commit, and the answer (`FindingBatchResult`'s JSON)
    serialised once from the values built, without FastAPI validating it again."""
    user, scope = authenticate(session, get_settings(), token)
    results = service.create_findings(session, user, scope, body.findings, now=clock.now,
                                      skew=clock.skew)
    session.commit()
    return pydantic_core.to_json({"results": results})


@router.post("/events", response_model=BatchResult, responses=error_responses(400, 401, 422))
def sync_events(body: EventBatch, session: SessionDep, user: CurrentUser, scope: ScopeDep,
                clock: ClockDep) -> BatchResult:
    """Apply ticket transitions (idempotently, by client UUID); one result per item, in order."""
    return BatchResult(results=_each(session, body.events, lambda e: transitions.apply_event(
        session, user, scope, e, now=clock.now, skew=clock.skew)))


@router.get("/pull", responses=error_responses(401, 422))
def pull(session: SessionDep, user: CurrentUser, scope: ScopeDep, clock: ClockDep,
         cursor: int = Query(0, ge=0), limit: int = Query(200, ge=1, le=1000),
         catalog_version: str | None = None, rubrics_version: str | None = None,
         calendar_version: str | None = None, compounds_version: str | None = None) -> dict:
    """Everything that changed in the caller's scope since `cursor`; repeat while `more`."""
    return sync_service.pull(session, user, scope, cursor=cursor, limit=limit, now=clock.now,
                             versions={"catalog": catalog_version, "rubrics": rubrics_version,
                                       "calendar": calendar_version,
                                       "compounds": compounds_version})
