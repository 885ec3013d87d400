"""Starting, submitting, amending and reading inspections; idempotent by the phone's id.

An inspection reaches the server in one of two ways, both scored by the engine on arrival:
the phone's outbox sends it whole (`receive`, `POST /api/sync/inspections`), or a client starts
it and submits it later (`start`, `submit`). An amendment is a new inspection naming the one it
replaces (`amends`): the old one is kept, marked superseded, and no longer counts; amending is
refused once the period it counts for is published.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.models import Role, User
from backend.auth.scope import Scope
from backend.clock import ClaimRefused, ClaimRule, RequestClock
from backend.dbtypes import as_local
from backend.digest import digest, same_content
from backend.errors import DomainError
from backend.findings.models import Finding
from backend.findings.repository import change_seq
from backend.findings.service import month_of
from backend.inspections.errors import REFUSALS, item_refusal
from backend.inspections.models import Inspection, InspectionPhoto
from backend.inspections.schemas import InspectionIn, InspectionItemResult, InspectionPublic, \
    InspectionStart, InspectionSubmit
from backend.organisation.models import Compound, OrgUnit, UnitLevel
from backend.reports.models import PeriodPublication
from backend.reports.periods import PeriodError, parse_period
from backend.rubrics.applicability import Subject, why_not
from backend.rubrics import library
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


def get_inspection(session: Session, scope: Scope, inspection_id: uuid.UUID) -> Inspection:
    found = session.exec(select(Inspection).where(Inspection.id == inspection_id,
                                                  in_scope(scope))).first()
    if found is None:
        raise REFUSALS("inspection_not_found")
    return found


# ------------------------------------------------------------------ the subject


def subject_of(session: Session, target: Compound | OrgUnit) -> Subject:
    """The subject as the rubrics' `applies` reads it: its kind, the names of its units (its
    own and every one above), and a compound's flags."""
    if isinstance(target, Compound):
        ids = [target.community_id, target.street_id, target.district_id]
        flags = {name for name in ("is_old", "has_party_branch") if getattr(target, name)}
        kind = "compound"
    else:
        ids = [target.id, target.street_id, target.district_id]
        flags, kind = set(), "street"
    names = session.exec(select(OrgUnit.name).where(OrgUnit.id.in_([i for i in ids if i]))).all()
    return Subject(kind=kind, units=frozenset(names), flags=frozenset(flags))


def _target(session: Session, scope: Scope, data: InspectionStart) -> Compound | OrgUnit:
    if (data.compound_id is None) == (data.unit_id is None):
        raise REFUSALS("subject_required")
    if data.compound_id is not None:
        found = session.exec(select(Compound).where(Compound.id == data.compound_id,
                                                    scope.compound_filter())).first()
        if found is None:
            raise REFUSALS("compound_not_found")
        return found
    found = session.exec(select(OrgUnit).where(OrgUnit.id == data.unit_id,
                                               scope.unit_filter())).first()
    if found is None or found.level not in (UnitLevel.street, UnitLevel.town):
        raise REFUSALS("unit_not_found")
    if not scope.oversees(found):
        raise REFUSALS("street_assessed_from_above")
    return found


def _claim(rule: ClaimRule, claimed, **bounds):  # noqa: ANN001, ANN003, ANN202
    try:
        return rule(claimed, **bounds)
    except ClaimRefused as refusal:
        raise REFUSALS(refusal.code, reason=refusal.message) from None


# ------------------------------------------------------------------ start and submit


def start(session: Session, user: User, scope: Scope, data: InspectionStart, *,
          clock: RequestClock) -> tuple[Inspection, bool]:
    """(inspection, created). Sending the same start again returns the stored one, to a caller
    whose scope covers it; to anyone else, the id is simply taken."""
    existing = session.get(Inspection, data.id)
    if existing is not None:
        visible = session.exec(select(Inspection.id).where(Inspection.id == data.id,
                                                           in_scope(scope))).first()
        if visible is None or (existing.compound_id, existing.unit_id, existing.rubric_id) != \
                (data.compound_id, data.unit_id, data.rubric_id):
            raise REFUSALS("uuid_reused")
        return existing, False
    if user.role not in INSPECTORS:
        raise REFUSALS("role_not_allowed")
    target = _target(session, scope, data)
    assessed = rubric(data.rubric_id)
    reason = why_not(assessed, subject_of(session, target))
    if reason:
        raise REFUSALS("rubric_not_applicable", reason=reason)
    started = _claim(ClaimRule.of(clock), data.started_at)
    inspection = Inspection(
        id=data.id, compound_id=data.compound_id, unit_id=data.unit_id,
        district_id=target.district_id, street_id=target.street_id,
        company_id=target.company_id if isinstance(target, Compound) else None,
        rubric_id=data.rubric_id, inspector_id=user.id, source=data.source,
        period_start=data.period_start, period_end=data.period_end, started_at=started.at,
        time_flag=started.flag, month=month_of(started.at), change_seq=change_seq(session))
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
                          data: InspectionSubmit, as_of: date | None = None) -> dict:
    """The observations in the engine's format, with the compound's facts (area, move-in).
    Time nodes are judged as of `as_of` (the day of submission, within the period)."""
    document: dict = {"rubric": inspection.rubric_id, "subject": subject.name,
                      "observations": exact(data.observations), "not_assessed": data.not_assessed,
                      "facts": {}}
    if inspection.period_start and inspection.period_end:
        document["period"] = {"start": inspection.period_start.isoformat(),
                              "end": inspection.period_end.isoformat()}
        if as_of is not None and inspection.period_start <= as_of < inspection.period_end:
            document["as_of"] = as_of.isoformat()
    if isinstance(subject, Compound):
        if subject.building_area_m2 is not None:
            document["facts"]["area_m2"] = Decimal(subject.building_area_m2)
        if subject.company_moved_in_on:
            document["facts"]["moved_in"] = subject.company_moved_in_on.isoformat()
        if subject.households:
            document["facts"]["households"] = subject.households
    return document


def submit(session: Session, user: User, inspection: Inspection, data: InspectionSubmit, *,
           clock: RequestClock, content_hash: str | None = None) -> tuple[Inspection, bool]:
    """Score and store the observations. (inspection, created); a repeat is harmless."""
    submitted_digest = content_hash or digest(data, exclude={"submitted_at"})
    if inspection.submitted_at is not None:
        if not same_content(inspection.content_hash, data, legacy_fields=SUBMIT_V0_FIELDS,
                            exclude={"submitted_at"}, current=submitted_digest):
            raise REFUSALS("inspection_submitted")
        return inspection, False
    if inspection.inspector_id != user.id and user.role != Role.admin:
        raise REFUSALS("not_the_inspector")
    frozen = frozen_period(session, inspection)  # published numbers never change
    if frozen:
        raise REFUSALS("period_frozen", period=frozen)
    subject = (session.get(Compound, inspection.compound_id) if inspection.compound_id
               else session.get(OrgUnit, inspection.unit_id))
    submitted_at = _claim(ClaimRule.of(clock), data.submitted_at,
                          not_before=inspection.started_at).at
    as_of = as_local(submitted_at).date()
    try:
        observed = from_data(observations_document(inspection, subject, data, as_of))
        result = score(rubric(inspection.rubric_id), next(iter(observed.values())))
    except SourceError as exc:
        raise REFUSALS("observations_invalid", reason=exc.reason,
                       detail={"where": str(exc)}) from None
    inspection.observations = data.observations | {"_not_assessed": data.not_assessed}
    inspection.notes = data.notes
    # the deployment's settings it was scored under, named wherever the score is shown
    inspection.result = result.to_dict() | {"settings_version": library.settings_version()}
    inspection.total, inspection.grade, inspection.complete = \
        result.total, result.grade, result.complete
    inspection.submitted_at = submitted_at
    inspection.content_hash = submitted_digest
    inspection.change_seq = change_seq(session)
    session.add(inspection)
    session.flush()
    return inspection, True


# ------------------------------------------------------------------ the outbox's whole inspection


def receive(session: Session, user: User, scope: Scope, data: InspectionIn, *,
            clock: RequestClock) -> InspectionItemResult:
    """One inspection from the phone's outbox, whole: started, scored and its photos declared in
    one step, or answered as a repeat. A refusal is the item's answer and stores nothing."""
    content_hash = digest(data)
    existing = session.get(Inspection, data.id)
    if existing is not None:
        try:
            stored, _ = start(session, user, scope, data.start(), clock=clock)
        except DomainError as error:
            return item_refusal(data.id, error)
        if stored.content_hash != content_hash:
            return item_refusal(data.id, REFUSALS("uuid_reused"))
        return _answer(session, stored, "duplicate")
    try:
        previous = _amended(session, user, scope, data) if data.amends else None
        inspection, _ = start(session, user, scope, data.start(), clock=clock)
        _check_photo_items(inspection, data)
        submit(session, user, inspection, data.submission(), clock=clock,
               content_hash=content_hash)
        if previous is not None:
            _supersede(session, previous, inspection)
    except DomainError as error:
        return item_refusal(data.id, error)
    # An amendment keeps its version's photos: those the server holds already count as held.
    held = set() if previous is None else set(session.exec(select(InspectionPhoto.sha256).where(
        InspectionPhoto.inspection_id == previous.id, InspectionPhoto.received_at.is_not(None))))
    for item_id, photos in data.photos.items():
        for position, photo in enumerate(photos):
            session.merge(InspectionPhoto(
                inspection_id=inspection.id, sha256=photo.sha256, item_id=item_id,
                position=position, received_at=clock.now if photo.sha256 in held else None))
    if previous is not None:
        record(session, actor_id=user.id, action="inspection.amend", object_type="inspection",
               object_id=inspection.id, amends=str(previous.id),
               total_before=str(previous.total), total_after=str(inspection.total))
    session.flush()
    return _answer(session, inspection, "created")


def _supersede(session: Session, previous: Inspection, inspection: Inspection) -> None:
    """The new version replaces the previous one: once (of two amendments sent at once, the
    second is refused), and later (the roll-ups count a subject's latest version)."""
    won = session.execute(update(Inspection).where(
        Inspection.id == previous.id, Inspection.superseded_by_id.is_(None))
        .values(superseded_by_id=inspection.id)).rowcount
    if not won:
        raise REFUSALS("already_amended")
    inspection.amends_id = previous.id
    if inspection.submitted_at <= previous.submitted_at:
        inspection.submitted_at = previous.submitted_at + timedelta(microseconds=1)
    session.add(inspection)
    session.flush()


def _check_photo_items(inspection: Inspection, data: InspectionIn) -> None:
    items = {it.id for it in rubric(inspection.rubric_id).items}
    for item_id in data.photos:
        if item_id not in items:
            raise REFUSALS("photo_item_unknown", item=item_id)


def _amended(session: Session, user: User, scope: Scope, data: InspectionIn) -> Inspection:
    """The inspection an amendment replaces, if it may be replaced: the latest version, of the
    same subject, rubric, period and source, and submitted."""
    previous = session.exec(select(Inspection).where(Inspection.id == data.amends,
                                                     in_scope(scope))).first()
    if previous is None:
        raise REFUSALS("amended_not_found")
    if (previous.compound_id, previous.unit_id, previous.rubric_id, previous.source,
            previous.period_start, previous.period_end) != \
            (data.compound_id, data.unit_id, data.rubric_id, data.source,
             data.period_start, data.period_end):
        raise REFUSALS("amend_mismatch")
    if previous.submitted_at is None:
        raise REFUSALS("not_submitted")
    if previous.superseded_by_id is not None:
        raise REFUSALS("already_amended")
    if previous.inspector_id != user.id and user.role not in (Role.admin, Role.supervisor):
        raise REFUSALS("not_the_inspector")
    return previous  # a published period: `submit` refuses the new version, as any submission


def frozen_period(session: Session, inspection: Inspection) -> str | None:
    """The label of a published period this inspection counts in, if any: a publication of a
    unit the subject lies in, whose period holds the inspection's (declared, else its day)."""
    units = {inspection.district_id, inspection.street_id, inspection.unit_id}
    if inspection.compound_id:
        units.add(session.exec(select(Compound.community_id)
                               .where(Compound.id == inspection.compound_id)).one())
    start = inspection.period_start or as_local(inspection.started_at).date()
    end = inspection.period_end or start
    for key in session.exec(select(PeriodPublication.period_key).where(
            PeriodPublication.scope_unit_id.in_([u for u in units if u]),
            PeriodPublication.reopened_at.is_(None))).all():
        try:
            period = parse_period(key)
        except PeriodError:
            continue
        if period.start <= start and end <= period.end:
            return period.label
    return None


# ------------------------------------------------------------------ reading


def _answer(session: Session, inspection: Inspection, status: str) -> InspectionItemResult:
    shown = public(session, inspection)
    held = [sha for shas in shown.photos.values() for sha in shas
            if sha not in shown.photos_missing]
    return InspectionItemResult(id=inspection.id, status=status, inspection=shown,
                                photos_held=held, photos_missing=shown.photos_missing)


def public(session: Session, inspection: Inspection) -> InspectionPublic:
    return publics(session, [inspection])[0]


def publics(session: Session, inspections: list[Inspection]) -> list[InspectionPublic]:
    """The inspections as the screens show them, with their findings, photos and names: one
    statement per kind of row for the whole page, not per inspection."""
    ids = [i.id for i in inspections]
    if not ids:
        return []
    findings: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for finding_id, inspection_id in session.exec(select(Finding.id, Finding.inspection_id)
                                                  .where(Finding.inspection_id.in_(ids))):
        findings[inspection_id].append(finding_id)
    photos: dict[uuid.UUID, dict[str, list[str]]] = defaultdict(dict)
    missing: dict[uuid.UUID, list[str]] = defaultdict(list)
    for row in session.exec(select(InspectionPhoto).where(InspectionPhoto.inspection_id.in_(ids))
                            .order_by(InspectionPhoto.item_id, InspectionPhoto.position)):
        photos[row.inspection_id].setdefault(row.item_id, []).append(row.sha256)
        if row.received_at is None:
            missing[row.inspection_id].append(row.sha256)
    names = _names(session, Compound, {i.compound_id for i in inspections if i.compound_id})
    names.update(_names(session, OrgUnit, {i.unit_id for i in inspections if i.unit_id}))
    inspectors = _names(session, User, {i.inspector_id for i in inspections},
                        User.display_name)
    out = []
    for inspection in inspections:
        try:
            rubric_name = rubric(inspection.rubric_id).name
        except DomainError:
            rubric_name = None
        out.append(InspectionPublic.model_validate(inspection, from_attributes=True).model_copy(
            update={"finding_ids": findings[inspection.id], "photos": photos[inspection.id],
                    "photos_missing": missing[inspection.id], "rubric_name": rubric_name,
                    "subject_name": names.get(inspection.compound_id or inspection.unit_id),
                    "inspector_name": inspectors.get(inspection.inspector_id)}))
    return out


def _names(session: Session, model: type, ids: set, column=None) -> dict:  # noqa: ANN001
    if not ids:
        return {}
    return dict(session.exec(select(model.id, column if column is not None else model.name)
                             .where(model.id.in_(ids))).all())


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
    return publics(session, list(rows)), total
