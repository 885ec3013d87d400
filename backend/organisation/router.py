"""Org units, companies and compounds: scoped reads for everyone, writes for admins."""

from __future__ import annotations

import uuid

from typing import Literal

from fastapi import APIRouter, UploadFile, status
from fastapi.responses import Response

from backend.audit.models import record
from backend.auth.dependencies import AdminUser, ScopeDep
from backend.transaction import SessionDep
from backend.errors import CSV, XLSX, error_responses, file_responses
from backend.organisation import importer, service
from backend.organisation.dependencies import CompanyDep, CompoundDep, UnitDep
from backend.organisation.errors import REFUSALS
from backend.organisation.models import Company, CompanyCreate, CompanyPublic, CompanyUpdate, \
    CompoundCreate, CompoundPublic, CompoundUpdate, OrgTreeNode, OrgUnit, OrgUnitCreate, \
    OrgUnitPublic, OrgUnitUpdate, UnitLevel
from backend.pagination import Page, PageDep

router = APIRouter(prefix="/api", tags=["organisation"])

MAX_IMPORT_BYTES = 10 * 1024 * 1024


@router.get("/organisation/tree", response_model=list[OrgTreeNode],
            responses=error_responses(401, 403))
def organisation_tree(session: SessionDep, _admin: AdminUser) -> list[OrgTreeNode]:
    """Every unit, retired ones too, with the active compounds under each: the admin's tree."""
    return service.tree(session)


@router.get("/units", response_model=list[OrgUnitPublic], responses=error_responses(401))
def list_units(session: SessionDep, scope: ScopeDep, level: UnitLevel | None = None,
               parent_id: uuid.UUID | None = None) -> list[OrgUnit]:
    return service.list_units(session, scope, level=level, parent_id=parent_id)


@router.get("/units/{unit_id}", response_model=OrgUnitPublic, responses=error_responses(401, 404))
def get_unit(unit: UnitDep) -> OrgUnit:
    return unit


@router.post("/units", response_model=OrgUnitPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 409, 422))
def create_unit(body: OrgUnitCreate, session: SessionDep, admin: AdminUser) -> OrgUnit:
    return service.create_unit(session, body, actor_id=admin.id)


@router.patch("/units/{unit_id}", response_model=OrgUnitPublic,
              responses=error_responses(401, 403, 404, 409, 422))
def update_unit(admin: AdminUser, unit: UnitDep, body: OrgUnitUpdate,
                session: SessionDep) -> OrgUnit:
    return service.update_unit(session, unit, body, actor_id=admin.id)


@router.get("/companies", response_model=list[CompanyPublic], responses=error_responses(401))
def list_companies(session: SessionDep, scope: ScopeDep) -> list[Company]:
    return service.list_companies(session, scope)


@router.get("/companies/{company_id}", response_model=CompanyPublic,
            responses=error_responses(401, 404))
def get_company(company: CompanyDep) -> Company:
    return company


@router.post("/companies", response_model=CompanyPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 409, 422))
def create_company(body: CompanyCreate, session: SessionDep, admin: AdminUser) -> Company:
    return service.create_company(session, body, actor_id=admin.id)


@router.patch("/companies/{company_id}", response_model=CompanyPublic,
              responses=error_responses(401, 403, 404, 409, 422))
def update_company(admin: AdminUser, company: CompanyDep, body: CompanyUpdate,
                   session: SessionDep) -> Company:
    return service.update_company(session, company, body, actor_id=admin.id)


@router.get("/compounds", response_model=Page[CompoundPublic], responses=error_responses(401))
def list_compounds(session: SessionDep, scope: ScopeDep, page: PageDep,
                   street_id: uuid.UUID | None = None, community_id: uuid.UUID | None = None,
                   company_id: uuid.UUID | None = None, q: str | None = None,
                   include_retired: bool = False) -> Page[CompoundPublic]:
    """Compounds in the caller's scope, by name; filter by street, community, company or name.
    Retired (停用) compounds only with `include_retired`."""
    rows, total = service.list_compounds(session, scope, street_id=street_id,
                                         community_id=community_id, company_id=company_id, q=q,
                                         include_retired=include_retired,
                                         limit=page.limit, offset=page.offset)
    return Page(items=service.compounds_public(session, rows), total=total, limit=page.limit,
                offset=page.offset)


@router.get("/compounds/{compound_id}", response_model=CompoundPublic,
            responses=error_responses(401, 404))
def get_compound(compound: CompoundDep, session: SessionDep) -> CompoundPublic:
    return service.compounds_public(session, [compound])[0]


@router.post("/compounds", response_model=CompoundPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 409, 422))
def create_compound(body: CompoundCreate, session: SessionDep, admin: AdminUser
                    ) -> CompoundPublic:
    return service.compounds_public(session, [service.create_compound(session, body,
                                                                      actor_id=admin.id)])[0]


@router.patch("/compounds/{compound_id}", response_model=CompoundPublic,
              responses=error_responses(401, 403, 404, 409, 422))
def update_compound(admin: AdminUser, compound: CompoundDep, body: CompoundUpdate,
                    session: SessionDep) -> CompoundPublic:
    updated = service.update_compound(session, compound, body, actor_id=admin.id)
    return service.compounds_public(session, [updated])[0]


@router.post("/import/organisation", responses=error_responses(401, 403, 413, 422))
async def import_organisation(file: UploadFile, session: SessionDep, admin: AdminUser,
                              dry_run: bool = False) -> dict:
    """Import a CSV or Excel file of units, companies and compounds: bad lines are reported
    (line, column, reason), good ones kept; `dry_run` previews and keeps nothing."""
    raw = await file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise REFUSALS("file_too_large")
    try:
        report = importer.import_file(session, raw, filename=file.filename, actor_id=admin.id,
                                      dry_run=dry_run)
    except importer.LineError as exc:
        raise REFUSALS("csv_invalid", reason=str(exc)) from None
    summary = {"lines": report.lines, "created": report.created, "updated": report.updated,
               "unchanged": report.unchanged, "units_created": report.units_created,
               "companies_created": report.companies_created, "errors": len(report.errors)}
    if not dry_run:
        record(session, actor_id=admin.id, action="organisation.import",
               object_type="organisation", filename=file.filename, **summary)
    return summary | {"dry_run": dry_run, "header": report.header, "errors": report.errors}


@router.get("/export/organisation", response_class=Response,
            responses=file_responses(XLSX, CSV, errors=(401, 403, 422)))
def export_organisation(session: SessionDep, _admin: AdminUser,
                        format: Literal["csv", "xlsx"] = "xlsx") -> Response:  # noqa: A002
    """The organisation in the import's columns: an exported file imports back unchanged."""
    if format == "csv":
        return Response(importer.export_csv(session), media_type=CSV,
                        headers={"Content-Disposition": 'attachment; filename="organisation.csv"'})
    return Response(importer.export_xlsx(session), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="organisation.xlsx"'})
