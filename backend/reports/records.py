"""What supervisors record for the roll-ups, beside what the phones send: hotline case flags
(推诿, 核查不符), demonstration projects (seed 002 §五.2) and the housing department's direct
score of a company (seed 004 10.3.1). Each is audited."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.scope import Scope
from backend.reports.errors import REFUSALS
from backend.findings import repository
from backend.findings.models import Finding
from backend.organisation.models import Company, Compound
from backend.reports.models import CaseFlagsIn, CompanyDirectScore, DemonstrationIn, \
    DemonstrationProject, DirectScoreIn
from backend.reports.periods import Period


def set_case_flags(session: Session, scope: Scope, finding_id: uuid.UUID, body: CaseFlagsIn, *,
                   actor_id: uuid.UUID) -> dict:
    finding = session.exec(select(Finding).where(
        Finding.id == finding_id, Finding.compound_id.in_(scope.compound_ids()))).first()
    if finding is None or finding.source != "hotline":
        raise REFUSALS("case_not_found")
    changes = body.model_dump(exclude_unset=True, exclude={"note"}, exclude_none=True)
    repository.set_case_flags(session, finding.id, **changes)
    record(session, actor_id=actor_id, action="case.flags", object_type="finding",
           object_id=finding.id, note=body.note, **changes)
    shirking = changes.get("shirking", finding.case_shirking)
    callback_failed = changes.get("callback_failed", finding.case_callback_failed)
    return {"shirking": shirking, "callback_failed": callback_failed}


def add_demonstration(session: Session, scope: Scope, body: DemonstrationIn, *,
                      actor_id: uuid.UUID) -> DemonstrationProject:
    compound = session.exec(select(Compound).where(Compound.id == body.compound_id,
                                                   scope.compound_filter())).first()
    if compound is None:
        raise REFUSALS("compound_not_found")
    row = DemonstrationProject(**body.model_dump(), recorded_by=actor_id)
    session.add(row)
    session.flush()
    record(session, actor_id=actor_id, action="demonstration.add", object_type="compound",
           object_id=compound.id, level=body.level, title=body.title,
           completed_on=body.completed_on.isoformat())
    return row


def set_direct_score(session: Session, scope: Scope, body: DirectScoreIn, period: Period, *,
                     actor_id: uuid.UUID) -> CompanyDirectScore:
    """The housing department's direct score of a company for a period (seed 004: 30%)."""
    if session.exec(select(Company).where(Company.id == body.company_id,
                                          scope.company_filter())).first() is None:
        raise REFUSALS("company_not_found")
    row = session.exec(select(CompanyDirectScore).where(
        CompanyDirectScore.company_id == body.company_id,
        CompanyDirectScore.period_key == period.key)).first() or CompanyDirectScore(
        company_id=body.company_id, period_key=period.key, score=body.score)
    row.score, row.recorded_by = body.score, actor_id
    session.add(row)
    record(session, actor_id=actor_id, action="company.direct_score", object_type="company",
           object_id=body.company_id, period=period.key, score=str(body.score))
    return row
