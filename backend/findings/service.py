"""Logging findings, idempotently: the same id sent twice is stored once (transitions.py moves
tickets the same way).

Every create and transition is identified by the phone's UUID. A second arrival with the same
content answers exactly like the first (`duplicate`), to a caller who may see it; the same id
with other content is a `conflict` (`uuid_reused`) and changes nothing. A refusal is an item
result, not an exception, so that one bad item in a sync batch never blocks the others.
Writing is repository.py's; the answers are answers.py's.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from backend.auth.models import Role
from backend.auth.scope import Scope
from backend.clock import ClaimRefused, ClaimRule, RequestClock
from backend.config import get_settings
from backend.digest import digest, same_content
from backend.findings import deadlines, repository
from backend.findings.answers import Created, known_answers
from backend.findings.errors import refused
from backend.findings.schemas import FindingIn, ItemResult
from backend.findings.tickets import REPORTERS
from backend.findings.views import ticket_filter

# FindingIn's fields before the digest left defaults out (backend/digest.py).
FINDING_V1_FIELDS = ("id", "compound_id", "catalog_code", "inspection_id", "rubric_item",
                     "description", "building", "location_text", "latitude", "longitude",
                     "accuracy_m", "source", "case_no", "case_level", "observed_at", "photos")


def month_of(moment) -> int:  # noqa: ANN001
    local = moment.astimezone(ZoneInfo(get_settings().timezone))
    return local.year * 100 + local.month


def create_finding(session: Session, user, scope: Scope, data: FindingIn, *,  # noqa: ANN001
                   clock: RequestClock) -> ItemResult:
    """One finding, answered with its full ticket (`POST /api/findings`)."""
    return create_findings(session, user, scope, [data], clock=clock, full=True)[0]


def create_findings(session: Session, user, scope: Scope, items: list[FindingIn], *,  # noqa: ANN001
                    clock: RequestClock, full: bool = False) -> list:
    """Store new findings and dispatch their tickets; one result per item, in order.

    Set-wise, so that a sync batch costs a handful of statements whatever its size: one query
    for the ids already stored, one for the compounds in scope, one for a range of feed
    positions, then one multi-row insert per table. Every refusal is decided before anything
    is written, so a bad item never needs a savepoint. A create racing another request with
    the same id (PostgreSQL; on SQLite the write lock is taken at BEGIN) is skipped by ON
    CONFLICT DO NOTHING and answered from what the other request stored. `full` answers with
    TicketPublic (single-item API); otherwise each answer is a SyncItemResult-shaped dict
    (answers.py)."""
    results: list = [None] * len(items)
    digests = [digest(item) for item in items]
    stored = repository.stored_digests(session, {item.id for item in items})
    first: dict[uuid.UUID, int] = {}  # id → index of its first occurrence in this batch
    pending: list[int] = []
    for i, item in enumerate(items):
        if item.id in stored or item.id in first:
            continue  # answered below, once the new ones are stored
        first[item.id] = i
        if user.role not in REPORTERS:
            results[i] = refused(item.id, "role_not_allowed", "您的角色不能登记问题")
        else:
            pending.append(i)

    # the compounds of the new items, and of the repeats (theirs and the stored ones'): a
    # repeat is answered in full only to a caller who may see what is stored
    compounds = _compounds_in_scope(session, scope, {item.compound_id for item in items}
                                    | {s[1] for s in stored.values()})
    inspections = _inspection_compounds(session, {items[i].inspection_id for i in pending
                                                  if items[i].inspection_id})
    rule = ClaimRule.of(clock)
    todo, claims = [], {}
    for i in pending:
        results[i], claim = _precheck(items[i], compounds, inspections, rule)
        if results[i] is None:
            todo.append(i)
            claims[i] = claim

    created: dict[uuid.UUID, Created] = {}
    if todo:
        created = _insert_new(session, user, scope, [(items[i], digests[i], claims[i])
                                                     for i in todo], compounds, clock)
    raced = [items[i].id for i in todo if items[i].id not in created]
    if raced:  # stored meanwhile by a concurrent request: answer as for any repeat
        stored.update(repository.stored_digests(session, raced))

    def visible(row: tuple) -> bool:
        compound = compounds.get(row[1])
        return compound is not None and (user.role != Role.property_manager
                                         or row[2] == user.company_id)

    repeats = [i for i, r in enumerate(results) if r is None and items[i].id not in created]
    known = known_answers(session, {items[i].id for i in repeats
                                    if items[i].id in stored and visible(stored[items[i].id])},
                          full=full, now=clock.now)
    for i, item in enumerate(items):
        if results[i] is not None:
            continue
        if item.id in created and first[item.id] == i:
            results[i] = created[item.id].result(full, user, clock.now)
            continue
        if item.id in stored and not visible(stored[item.id]):
            # Someone else's record: answered as this content would be, never with theirs.
            results[i] = refused(item.id, "uuid_reused" if item.compound_id in compounds
                                 else "compound_not_found")
            continue
        earlier = stored[item.id][0] if item.id in stored else digests[first[item.id]]
        if not same_content(earlier, item, legacy_fields=FINDING_V1_FIELDS,
                            current=digests[i]):
            results[i] = refused(item.id, "uuid_reused")
        elif item.id not in stored and item.id not in created:
            results[i] = results[first[item.id]]  # the same item again, refused the same way
        elif item.id in created:
            results[i] = created[item.id].result(full, user, clock.now, status="duplicate")
        else:
            results[i] = known[item.id].model_copy() if item.id in known else \
                refused(item.id, "concurrent_write")
    if not full:
        # refusals have no ticket; repeats carry a brief one: SyncItemResult's shape either way
        results = [r if isinstance(r, dict) else r.model_dump() for r in results]
    return results


def _compounds_in_scope(session: Session, scope: Scope, ids: set[uuid.UUID]) -> dict:
    """The compounds among `ids` that exist and lie in the scope, by id: one statement by
    primary key (plus the compounds' grids when the caller's scope is made of grids), the
    scope checked in memory with `Scope.covers_compound`, the twin of
    `Scope.compound_filter` (tests/foundation/test_scope_matrix.py holds both to the matrix)."""
    rows, grids = repository.compounds(session, ids,
                                       with_grids=bool(scope.grid_ids) and not scope.is_global)
    return {c.id: c for c in rows if scope.covers_compound(c, grids.get(c.id))}


def _inspection_compounds(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
    """The compound each referenced inspection assesses (None for a street inspection)."""
    if not ids:
        return {}
    from backend.inspections.models import Inspection  # inspections build on findings

    return dict(session.exec(select(Inspection.id, Inspection.compound_id)
                             .where(Inspection.id.in_(ids))).all())


def _precheck(data: FindingIn, compounds: dict, inspections: dict, rule: ClaimRule):  # noqa: ANN202
    """(refusal or None, the claimed observation time): compound out of scope, inspection of
    another compound, catalog code, hotline case number, then the time. An inspection not yet
    on the server is not a refusal: the phone may send the finding before the inspection's
    start arrives."""
    if data.compound_id not in compounds:
        return refused(data.id, "compound_not_found"), None
    if data.inspection_id in inspections and inspections[data.inspection_id] != data.compound_id:
        return refused(data.id, "inspection_mismatch"), None
    if data.catalog_code:
        entry = deadlines.catalog_entry(data.catalog_code)
        if entry is None:
            return refused(data.id, "catalog_code_unknown",
                           f"问题类型代码不存在: {data.catalog_code}"), None
        if entry.catch_all and (data.description or "").strip() in ("", entry.name):
            return refused(data.id, "catch_all_needs_description"), None
    elif not data.rubric_item:
        return refused(data.id, "catalog_code_required"), None
    if data.source == "hotline" and not data.case_no:
        return refused(data.id, "case_no_required"), None
    try:
        return None, rule(data.observed_at)
    except ClaimRefused as refusal:
        return refused(data.id, refusal.code, refusal.message), None


def _insert_new(session: Session, user, scope: Scope, todo: list, compounds: dict,  # noqa: ANN001
                clock: RequestClock) -> dict[uuid.UUID, Created]:
    now = clock.now
    declared = {p.sha256 for item, _, _ in todo for p in item.photos}
    visible = repository.visible_photos(session, declared, ticket_filter(scope, user)) \
        if declared else set()
    seqs = repository.change_seqs(session, len(todo))
    skew_seconds = int(clock.skew.total_seconds())
    by_code: dict[str, deadlines.Deadline] = {}  # the same code dispatched now: the same due
    local_times: dict = {}
    rows = []
    for (item, item_digest, claim), seq in zip(todo, seqs):
        deadline = None
        if item.catalog_code:
            deadline = by_code.get(item.catalog_code)
            if deadline is None:
                deadline = by_code[item.catalog_code] = deadlines.deadline_for(
                    deadlines.catalog_entry(item.catalog_code), now)
        rows.append(repository.new_finding(
            item, compound=compounds[item.compound_id], reporter_id=user.id,
            observed_at=claim.at, time_flag=claim.flag, skew_seconds=skew_seconds,
            month=month_of(claim.at), digest=item_digest, seq=seq, now=now,
            deadline=deadline, visible=visible))
    names = {c.id: c.name for c in compounds.values()}
    return {n.finding["id"]: Created(n, names[n.finding["compound_id"]], local_times)
            for n in repository.insert(session, rows)}
