"""Org units, companies and compounds: scoped reads for everyone, writes for admins."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, UploadFile, status
from sqlmodel import select

from backend.auth.dependencies import AdminUser, ScopeDep
from backend.db import SessionDep
from backend.errors import Invalid, error_responses
from backend.organisation import importer, service
from backend.organisation.models import Company, CompanyCreate, CompanyPublic, CompanyUpdate, \
    CompoundCreate, CompoundPublic, CompoundUpdate, OrgUnit, OrgUnitCreate, OrgUnitPublic, \
    OrgUnitUpdate, UnitLevel
from backend.pagination import Page, PageDep

router = APIRouter(prefix="/api", tags=["organisation"])

MAX_CSV_BYTES = 10 * 1024 * 1024


@router.get("/units", response_model=list[OrgUnitPublic], responses=error_responses(401))
def list_units(session: SessionDep, scope: ScopeDep, level: UnitLevel | None = None,
               parent_id: uuid.UUID | None = None) -> list[OrgUnit]:
    query = select(OrgUnit).where(scope.unit_filter())
    if level:
        query = query.where(OrgUnit.level == level)
    if parent_id:
        query = query.where(OrgUnit.parent_id == parent_id)
    return list(session.exec(query.order_by(OrgUnit.level, OrgUnit.name)))


@router.get("/units/{unit_id}", response_model=OrgUnitPublic, responses=error_responses(401, 404))
def get_unit(unit_id: uuid.UUID, session: SessionDep, scope: ScopeDep) -> OrgUnit:
    return service.get_unit(session, unit_id, scope)


@router.post("/units", response_model=OrgUnitPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 409, 422))
def create_unit(body: OrgUnitCreate, session: SessionDep, admin: AdminUser) -> OrgUnit:
    return service.create_unit(session, body, actor_id=admin.id)


@router.patch("/units/{unit_id}", response_model=OrgUnitPublic,
              responses=error_responses(401, 403, 404, 409, 422))
def update_unit(unit_id: uuid.UUID, body: OrgUnitUpdate, session: SessionDep,
                admin: AdminUser, scope: ScopeDep) -> OrgUnit:
    return service.update_unit(session, service.get_unit(session, unit_id, scope), body,
                               actor_id=admin.id)


@router.get("/companies", response_model=list[CompanyPublic], responses=error_responses(401))
def list_companies(session: SessionDep, scope: ScopeDep) -> list[Company]:
    return list(session.exec(select(Company).where(scope.company_filter()).order_by(Company.name)))


@router.get("/companies/{company_id}", response_model=CompanyPublic,
            responses=error_responses(401, 404))
def get_company(company_id: uuid.UUID, session: SessionDep, scope: ScopeDep) -> Company:
    return service.get_company(session, company_id, scope)


@router.post("/companies", response_model=CompanyPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 409, 422))
def create_company(body: CompanyCreate, session: SessionDep, admin: AdminUser) -> Company:
    return service.create_company(session, body, actor_id=admin.id)


@router.patch("/companies/{company_id}", response_model=CompanyPublic,
              responses=error_responses(401, 403, 404, 409, 422))
def update_company(company_id: uuid.UUID, body: CompanyUpdate, session: SessionDep,
                   admin: AdminUser, scope: ScopeDep) -> Company:
    return service.update_company(session, service.get_company(session, company_id, scope), body,
                                  actor_id=admin.id)


@router.get("/compounds", response_model=Page[CompoundPublic], responses=error_responses(401))
def list_compounds(session: SessionDep, scope: ScopeDep, page: PageDep,
                   street_id: uuid.UUID | None = None, community_id: uuid.UUID | None = None,
                   company_id: uuid.UUID | None = None, q: str | None = None
                   ) -> Page[CompoundPublic]:
    """Compounds in the caller's scope, by name; filter by street, community, company or name."""
    rows, total = service.list_compounds(session, scope, street_id=street_id,
                                         community_id=community_id, company_id=company_id, q=q,
                                         limit=page.limit, offset=page.offset)
    return Page(items=service.compounds_public(session, rows), total=total, limit=page.limit,
                offset=page.offset)


@router.get("/compounds/{compound_id}", response_model=CompoundPublic,
            responses=error_responses(401, 404))
def get_compound(compound_id: uuid.UUID, session: SessionDep, scope: ScopeDep) -> CompoundPublic:
    compound = service.get_compound(session, compound_id, scope)
    return service.compounds_public(session, [compound])[0]


@router.post("/compounds", response_model=CompoundPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 409, 422))
def create_compound(body: CompoundCreate, session: SessionDep, admin: AdminUser
                    ) -> CompoundPublic:
    return service.compounds_public(session, [service.create_compound(session, body,
                                                                      actor_id=admin.id)])[0]


@router.patch("/compounds/{compound_id}", response_model=CompoundPublic,
              responses=error_responses(401, 403, 404, 409, 422))
def update_compound(compound_id: uuid.UUID, body: CompoundUpdate, session: SessionDep,
                    admin: AdminUser, scope: ScopeDep) -> CompoundPublic:
    compound = service.update_compound(session, service.get_compound(session, compound_id, scope),
                                       body, actor_id=admin.id)
    return service.compounds_public(session, [compound])[0]


@router.post("/import/organisation", responses=error_responses(401, 403, 413, 422))
async def import_organisation(file: UploadFile, session: SessionDep, admin: AdminUser) -> dict:
    """Import a CSV of units, companies and compounds; bad lines are reported, good ones kept."""
    raw = await file.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise Invalid("CSV 文件超过 10 MB", code="file_too_large", status_code=413)
    try:
        report = importer.import_csv(session, raw, actor_id=admin.id)
    except importer.LineError as exc:
        raise Invalid(str(exc), code="csv_invalid") from None
    return {"lines": report.lines, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "units_created": report.units_created,
            "companies_created": report.companies_created, "errors": report.errors}
