"""Load-and-check dependencies of the inspections domain."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from backend.auth.dependencies import ScopeDep
from backend.transaction import SessionDep
from backend.inspections import service
from backend.inspections.models import Inspection


def path_inspection(inspection_id: uuid.UUID, session: SessionDep, scope: ScopeDep) -> Inspection:
    """The inspection in the path, within the caller's scope (404 otherwise)."""
    return service.get_inspection(session, scope, inspection_id)


InspectionDep = Annotated[Inspection, Depends(path_inspection)]
