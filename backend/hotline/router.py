"""The hotline import's HTTP surface (supervisors and admins): preview, import, mappings, the
review queue and the conflicts. Work is the service's; this reads the request and shapes the
answer."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile, status

from backend.auth.dependencies import ScopeDep, SupervisorUser
from backend.clock import ClockDep
from backend.errors import error_responses
from backend.hotline import matching, orders, review, service
from backend.hotline.errors import REFUSALS
from backend.hotline.models import HotlineImport
from backend.hotline.schemas import ConflictOut, DismissIn, FieldOut, ImportOut, \
    ImportReportOut, MappingIn, MappingOut, ResolveIn, ReviewItem
from backend.pagination import Page, PageDep
from backend.transaction import SessionDep

router = APIRouter(prefix="/api/hotline", tags=["hotline"])
MappingName = Annotated[str, Path(min_length=1, max_length=100)]


def _read(file: UploadFile) -> bytes:
    raw = file.file.read(service.MAX_BYTES + 1)
    if len(raw) > service.MAX_BYTES:
        raise REFUSALS("file_too_large", limit=service.MAX_BYTES // 1024 // 1024)
    return raw


def _mapping(value: str | None) -> str | dict[str, str] | None:
    """A form's mapping: empty (the saved or guessed one), a saved name, or the columns as JSON."""
    value = (value or "").strip()
    if not value.startswith("{"):
        return value or None
    try:
        columns = json.loads(value)
    except ValueError:
        raise REFUSALS("mapping_invalid", reason="列对应格式有误") from None
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise REFUSALS("mapping_invalid", reason="列对应应为 字段 → 列名")
    return columns


@router.get("/fields", response_model=list[FieldOut], responses=error_responses(401, 403))
def fields(_: SupervisorUser) -> list[FieldOut]:
    """The fields a work order carries, in the order the mapping screen shows them."""
    return [FieldOut(field=name, label=label, required=name in orders.REQUIRED)
            for name, (label, _) in orders.FIELDS.items()]


@router.get("/mappings", response_model=list[MappingOut], responses=error_responses(401, 403))
def mappings(session: SessionDep, _: SupervisorUser) -> list:
    return service.saved_mappings(session)


@router.put("/mappings/{name}", response_model=MappingOut,
            responses=error_responses(401, 403, 422))
def save_mapping(name: MappingName, body: MappingIn, session: SessionDep,
                 user: SupervisorUser):  # noqa: ANN201
    """Save a platform's column mapping under its name, to be reused by the next import."""
    return service.save_mapping(session, user, name.strip(), body.columns)


@router.post("/preview", responses=error_responses(401, 403, 404, 413, 422))
def preview(session: SessionDep, _: SupervisorUser, clock: ClockDep, file: UploadFile = File(...),
            mapping: str | None = Form(None)) -> dict:
    """The columns found, the mapping that would be used, the first orders and the errors:
    nothing is stored."""
    return service.preview(session, _read(file), file.filename, _mapping(mapping), now=clock.now)


@router.post("/imports", response_model=ImportReportOut, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 404, 413, 422))
def import_orders(session: SessionDep, user: SupervisorUser, scope: ScopeDep, clock: ClockDep,
                  file: UploadFile = File(...), mapping: str | None = Form(None),
                  save_as: str | None = Form(None, max_length=100)) -> dict:
    """Import an export of work orders (.xlsx or .csv, UTF-8 or GBK). `save_as` saves the
    mapping used under that name first. Bad lines are reported by line and column and store
    nothing; the others are imported."""
    report = service.import_file(session, user, _read(file), filename=file.filename or "工单",
                                 mapping=_mapping(mapping), scope=scope, now=clock.now,
                                 save_as=save_as)
    return {**vars(report), "errors": [vars(e) for e in report.errors]}


@router.get("/imports", response_model=list[ImportOut], responses=error_responses(401, 403))
def imports(session: SessionDep, _: SupervisorUser, scope: ScopeDep) -> list[HotlineImport]:
    """The latest imports the caller sees (its own units', and the admins')."""
    return review.imports(session, scope)


@router.get("/review", response_model=Page[ReviewItem], responses=error_responses(401, 403))
def review_list(session: SessionDep, _: SupervisorUser, scope: ScopeDep, page: PageDep) -> dict:
    """The orders that matched no compound or type: oldest first."""
    rows, total = review.review_queue(session, scope, limit=page.limit, offset=page.offset)
    items = [ReviewItem(
        case_no=r.case_no, accepted_at=r.accepted_at, address=r.stated.get("address", ""),
        content=r.stated.get("content", ""), category=r.stated.get("category", ""),
        building=r.building, compound_reason=r.compound_reason, type_reason=r.type_reason,
        catalog_code=r.catalog_code,
        candidates=[{"id": i, "name": n, "score": s} for i, n, s in r.candidates],
        suggested_alias=matching.alias_of(r.stated.get("address"))) for r in rows]
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.post("/review/{case_no:path}/dismiss", responses=error_responses(401, 403, 404, 409, 422))
def dismiss(case_no: Annotated[str, Path(max_length=64)], body: DismissIn, session: SessionDep,
            user: SupervisorUser, scope: ScopeDep, clock: ClockDep) -> dict:
    """Leave a waiting order out: no compound's problem (a shop, a market, a road)."""
    row = review.dismiss(session, user, scope, case_no, reason=body.reason, now=clock.now)
    return {"case_no": row.case_no, "dismissed_reason": row.dismissed_reason}


@router.post("/review/{case_no:path}", responses=error_responses(401, 403, 404, 409, 422))
def resolve(case_no: Annotated[str, Path(max_length=64)], body: ResolveIn, session: SessionDep,
            user: SupervisorUser, scope: ScopeDep, clock: ClockDep) -> dict:
    """Assign a waiting order its compound and type: it becomes a case (and `alias`, when
    given, is saved so that the next import matches the variant)."""
    row, rematched = review.resolve(session, user, scope, case_no, compound_id=body.compound_id,
                                    catalog_code=body.catalog_code, alias=body.alias,
                                    now=clock.now)
    return {"case_no": row.case_no, "ticket_id": str(row.finding_id), "rematched": rematched}


@router.get("/conflicts", response_model=list[ConflictOut], responses=error_responses(401, 403))
def conflicts(session: SessionDep, _: SupervisorUser, scope: ScopeDep) -> list[dict]:
    """Changes an import brought to work orders of a published period, not applied."""
    rows = review.conflicts(session, scope)
    files = review.import_files(session, {r.import_id for r in rows})
    return [{**r.model_dump(), "filename": files.get(r.import_id)} for r in rows]


@router.post("/conflicts/{conflict_id}/done", status_code=status.HTTP_204_NO_CONTENT,
             responses=error_responses(401, 403, 404))
def conflict_done(conflict_id: uuid.UUID, session: SessionDep, user: SupervisorUser,
                  scope: ScopeDep, clock: ClockDep) -> None:
    """The supervisor has dealt with a conflict (reopened the period and imported again, or
    decided to leave the published figures as they are): it leaves the list."""
    review.close_conflict(session, user, scope, conflict_id, now=clock.now)

