"""Load-and-check dependencies of the organisation domain: the unit, company or compound named
in the path, loaded within the caller's scope (404 otherwise)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from backend.auth.dependencies import ScopeDep
from backend.transaction import SessionDep
from backend.organisation import service
from backend.organisation.models import Company, Compound, OrgUnit


def path_unit(unit_id: uuid.UUID, session: SessionDep, scope: ScopeDep) -> OrgUnit:
    return service.get_unit(session, unit_id, scope)


def path_company(company_id: uuid.UUID, session: SessionDep, scope: ScopeDep) -> Company:
    return service.get_company(session, company_id, scope)


def path_compound(compound_id: uuid.UUID, session: SessionDep, scope: ScopeDep) -> Compound:
    return service.get_compound(session, compound_id, scope)


UnitDep = Annotated[OrgUnit, Depends(path_unit)]
CompanyDep = Annotated[Company, Depends(path_company)]
CompoundDep = Annotated[Compound, Depends(path_compound)]
