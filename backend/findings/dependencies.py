"""Load-and-check dependencies of the findings domain: a ticket the caller may see, or 404."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends

from backend.auth.dependencies import CurrentUser, ScopeDep
from backend.transaction import SessionDep
from backend.findings import repository
from backend.findings.errors import not_found
from backend.findings.views import ticket_filter


def ticket_in_scope(ticket_id: uuid.UUID, session: SessionDep, user: CurrentUser,
                    scope: ScopeDep) -> Any:
    ticket = repository.load_ticket(session, ticket_id, ticket_filter(scope, user))
    if ticket is None:
        raise not_found("ticket_not_found")
    return ticket


TicketDep = Annotated[Any, Depends(ticket_in_scope)]
