"""Starting, submitting and scoring inspections; idempotent by the phone's inspection id."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, or_
from sqlmodel import Session, select

from backend.auth.models import Role, User
from backend.auth.scope import Scope
from backend.clock import ClaimRefused, ClaimRule, RequestClock
from backend.digest import digest, same_content
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.findings.models import Finding
from backend.findings.repository import change_seq
from backend.findings.service import month_of
from backend.inspections.models import Inspection, InspectionPublic, InspectionStart, \
    InspectionSubmit
from backend.organisation.models import Compound, OrgUnit, UnitLevel
from backend.rubrics.library import rubric
from backend.rubrics.loader import SourceError
from backend.scoring.engine import score
from backend.scoring.observations import from_data

INSPECTORS = frozenset({Role.inspector, Role.supervisor, Role.admin, Role.grid_worker})
SUBMIT_V0_FIELDS = ("observations", "notes", "not_assessed")


def in_scope(scope: Scope):  # noqa: ANN201
    """Inspections of a compound in scope, or of a street/town the scope covers."""
    return or_(Inspection.compound_id.in_(scope.compound_ids()),
               Inspection.unit_id.in_(select(OrgUnit.id).where(scope.unit_filter())))


def get_inspection(session: Session, scope: Scope, inspection_id) -> Inspection:  # noqa: ANN001
    found = session.exec(select(Inspection).where(Inspection.id == inspection_id,
                                                  in_scope(scope))).first()
    if found is None:
        raise NotFound("检查记录不存在或不在您的管辖范围内", code="inspection_not_found")
    return found


def start(session: Session, user: User, scope: Scope, data: InspectionStart, *,
          clock: RequestClock) -> tuple[Inspection, bool]:
    """(inspection, created). Sending the same start again returns the stored one, to a caller
    whose scope covers it; to anyone else, the id is simply taken."""
    existing = session.get(Inspection, data.id)
    subject = (data.compound_id, data.unit_id, data.rubric_id)
    if existing is not None:
        visible = session.exec(select(Inspection.id).where(Inspection.id == data.id,
                                                           in_scope(scope))).first()
        if visible is None or (existing.compound_id, existing.unit_id,
                               existing.rubric_id) != subject:
            raise Conflict("该编号已用于另一次检查，未覆盖", code="uuid_reused")
        return existing, False
    if user.role not in INSPECTORS:
        raise Forbidden("您的角色不能开展检查", code="role_not_allowed")
    if (data.compound_id is None) == (data.unit_id is None):
        raise Invalid("请指定被检查的小区或街道（二选一）", code="subject_required")
    assessed = rubric(data.rubric_id)
    street_level = "街道" in assessed.subject or "镇" in assessed.subject
    if street_level != (data.unit_id is not None):
        raise Invalid(f"评分标准“{assessed.name}”的考核对象是{assessed.subject}",
                      code="subject_mismatch")
    if data.compound_id is not None:
        target = session.exec(select(Compound).where(Compound.id == data.compound_id,
                                                     scope.compound_filter())).first()
        if target is None:
            raise NotFound("小区不存在或不在您的管辖范围内", code="compound_not_found")
        company_id = target.company_id
    else:
        target = session.exec(select(OrgUnit).where(OrgUnit.id == data.unit_id,
                                                    scope.unit_filter())).first()
        if target is None or target.level not in (UnitLevel.street, UnitLevel.town):
            raise NotFound("街道/镇不存在或不在您的管辖范围内", code="unit_not_found")
        company_id = None
    try:
        started = ClaimRule.of(clock)(data.started_at)
    except ClaimRefused as refusal:
        raise Invalid(refusal.message, code=refusal.code) from None
    inspection = Inspection(
        id=data.id, compound_id=data.compound_id, unit_id=data.unit_id,
        district_id=target.district_id, street_id=target.street_id, company_id=company_id,
        rubric_id=data.rubric_id,
        inspector_id=user.id, source=data.source, period_start=data.period_start,
        period_end=data.period_end, started_at=started.at, time_flag=started.flag,
        month=month_of(started.at), change_seq=change_seq(session))
    session.add(inspection)
    session.flush()
    return inspection, True


def exact(value):  # noqa: ANN001, ANN201
    """JSON numbers arrive as floats; the engine takes exact decimals (72.5 stays 72.5)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exact(v) for v in value]
    return value


def observations_document(inspection: Inspection, subject: Compound | OrgUnit,
                          data: InspectionSubmit) -> dict:
    """The observations in the engine's format, with the compound's facts (area, move-in)."""
    document: dict = {"rubric": inspection.rubric_id, "subject": subject.name,
                      "observations": exact(data.observations), "not_assessed": data.not_assessed,
                      "facts": {}}
    if inspection.period_start and inspection.period_end:
        document["period"] = {"start": inspection.period_start.isoformat(),
                              "end": inspection.period_end.isoformat()}
    if isinstance(subject, Compound):
        if subject.building_area_m2 is not None:
            document["facts"]["area_m2"] = Decimal(subject.building_area_m2)
        if subject.company_moved_in_on:
            document["facts"]["moved_in"] = subject.company_moved_in_on.isoformat()
        if subject.households:
            document["facts"]["households"] = subject.households
    return document


def submit(session: Session, user: User, inspection: Inspection, data: InspectionSubmit, *,
           clock: RequestClock) -> tuple[Inspection, bool]:
    """Score and store the observations. (inspection, created); a repeat is harmless."""
    submitted_digest = digest(data, exclude={"submitted_at"})
    if inspection.submitted_at is not None:
        if not same_content(inspection.content_hash, data, legacy_fields=SUBMIT_V0_FIELDS,
                            exclude={"submitted_at"}, current=submitted_digest):
            raise Conflict("检查已提交，不能以不同内容再次提交", code="inspection_submitted")
        return inspection, False
    if inspection.inspector_id != user.id and user.role != Role.admin:
        raise Forbidden("只有开展检查的人员可以提交", code="not_the_inspector")
    subject = (session.get(Compound, inspection.compound_id) if inspection.compound_id
               else session.get(OrgUnit, inspection.unit_id))
    try:
        observed = from_data(observations_document(inspection, subject, data))
        result = score(rubric(inspection.rubric_id), next(iter(observed.values())))
    except SourceError as exc:
        raise Invalid(f"观测数据有误: {exc.reason}", code="observations_invalid",
                      detail={"where": str(exc)}) from None
    inspection.observations = data.observations | {"_not_assessed": data.not_assessed}
    inspection.notes = data.notes
    inspection.result = result.to_dict()
    inspection.total, inspection.grade, inspection.complete = result.total, result.grade, result.complete
    try:
        inspection.submitted_at = ClaimRule.of(clock)(data.submitted_at,
                                                      not_before=inspection.started_at).at
    except ClaimRefused as refusal:
        raise Invalid(refusal.message, code=refusal.code) from None
    inspection.content_hash = submitted_digest
    inspection.change_seq = change_seq(session)
    session.add(inspection)
    session.flush()
    return inspection, True


def public(session: Session, inspection: Inspection) -> InspectionPublic:
    finding_ids = list(session.exec(select(Finding.id).where(Finding.inspection_id == inspection.id)))
    return InspectionPublic.model_validate(inspection, from_attributes=True).model_copy(
        update={"finding_ids": finding_ids})


def list_inspections(session: Session, user: User, scope: Scope, *, limit: int, offset: int,
                     compound_id: uuid.UUID | None, mine: bool
                     ) -> tuple[list[InspectionPublic], int]:
    """Inspections in scope, newest first: of one compound, or the caller's own."""
    where = [in_scope(scope)]
    if compound_id:
        where.append(Inspection.compound_id == compound_id)
    if mine:
        where.append(Inspection.inspector_id == user.id)
    rows = session.exec(select(Inspection).where(*where).order_by(Inspection.started_at.desc())
                        .limit(limit).offset(offset)).all()
    total = session.exec(select(func.count()).select_from(Inspection).where(*where)).one()
    return [public(session, i) for i in rows], total
