"""Reading and changing the deployment's settings, and keeping every process on the latest.

Each change saves a whole new version (models.py) and an audit entry. Every request's first
statement (backend/auth/service.py `authenticate`) also reads the newest version number, and
`observe` loads that version into this process when it differs: a change made through one
uvicorn worker is in force in every worker from their next request on, at no extra round trip.
"""

from __future__ import annotations

import re
import threading
import uuid
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.models import User
from backend.config import get_settings
from backend.configuration.errors import REFUSALS
from backend.configuration.models import CalendarChange, CalendarSettings, ConfigurableValue, \
    RuleSummary, SchedulesChange, SettingsHistoryRow, SettingsPublic, SettingsVersion, ValuesChange
from backend.findings import deadlines
from backend.rubrics import library
from backend.rubrics.loader import Library, Overlay, SourceError, load_dir, load_text, value_key
from backend.rubrics.models import CompanyScore, Composite, LocalValue, amount_value
from backend.findings.models import Ticket
from backend.findings.overdue import OPEN_STATES
from backend.rubrics.validate import Issue, check_library, describe, settable_values
from backend.worktime.calendar import package_calendar
from backend.worktime.loader import ConfigError, apply_calendar_entries, schedule_file_data, \
    schedules_from_settings

MAX_RUBRIC_BYTES = 1024 * 1024
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-]+\.ya?ml$")
_lock = threading.Lock()


# ------------------------------------------------------------------ in force in this process


def _override_file_shape(calendar: dict[str, Any]) -> dict[str, Any]:
    """The stored entries in the calendar override file's shape (backend/worktime/loader.py)."""
    settings = CalendarSettings.model_validate(calendar or {})
    entries = {"holiday": [], "workday": []}
    for e in settings.entries:
        entries[e.kind].append({"from": e.start.isoformat(), "to": e.end.isoformat(), "name": e.name})
    if not settings.years and not settings.entries:
        return {}
    return {"years": settings.years, "holidays": entries["holiday"], "workdays": entries["workday"]}


def _overlay(row: SettingsVersion | None) -> Overlay:
    return Overlay(row.version, dict(row.values), dict(row.rubric_files)) if row else Overlay()


def _worktime_settings(row: SettingsVersion | None) -> tuple[dict, dict]:
    return (_override_file_shape(row.calendar) if row else {},
            dict(row.schedules) if row and row.schedules else {})


_in_force = 0  # the version this process's rules were last put on, both layers


def _use(row: SettingsVersion | None) -> None:
    global _in_force
    library.use_settings(_overlay(row))
    deadlines.use_settings(*_worktime_settings(row))
    _in_force = row.version if row else 0  # last: the fast path below trusts it


def observe(session: Session, version: int | None) -> None:
    """Put this process on `version`, the newest committed one as the request read it.

    Only forward: a request that began before a change reads the older number and must not
    take the process back. An empty table (a test's settings rolled back) means the files."""
    target = version or 0
    if target == _in_force or 0 < target < _in_force:
        return
    with _lock:
        if target == _in_force or 0 < target < _in_force:
            return
        row = session.get(SettingsVersion, target) if target else None
        if target and row is None:
            return  # not visible to this transaction: a later request will see it
        _use(row)


def observe_latest(session: Session) -> None:
    """For a command or a script, which has no request statement to read the version."""
    observe(session, session.exec(select(func.max(SettingsVersion.version))).one())


def library_for(row: SettingsVersion | None) -> Library:
    """The rules as `row` makes them, for the request that just saved it (every other request
    takes them once it is committed, through `observe`)."""
    if (row.version if row else 0) == _in_force:
        return library.current()
    return load_dir(get_settings().rubrics_dir, _overlay(row))


def worktime_for(row: SettingsVersion | None):  # noqa: ANN201 - a WorktimeConfig
    """The work-time rules as `row` makes them (see `library_for`)."""
    if (row.version if row else 0) == _in_force:
        return deadlines.worktime()
    return deadlines.build_worktime(*_worktime_settings(row))


# ------------------------------------------------------------------ reading


def latest(session: Session) -> SettingsVersion | None:
    return session.exec(select(SettingsVersion).order_by(SettingsVersion.version.desc())
                        .limit(1)).first()


@lru_cache(maxsize=1)
def _seed_library(_directory: str) -> Library:
    """The rubric files alone: the seeds' values, shown beside the configured ones."""
    return load_dir(_directory)


def configurable_values(session: Session, row: SettingsVersion | None = None,
                        lib: Library | None = None) -> list[ConfigurableValue]:
    """The open values as `row` (default: the latest version) sets them; `lib`: its rules,
    when the caller has them already."""
    row = row or latest(session)
    configured = row.values if row else {}
    seeds = _seed_library(str(get_settings().rubrics_dir))
    out = []
    lib = lib or library_for(row)
    for doc_id in sorted(lib.documents):
        doc, parsed = lib.documents[doc_id], lib.parsed.get(doc_id)
        seed_doc = seeds.documents.get(doc_id)
        seed = {value_key(doc_id, p): cv for p, cv in settable_values(seed_doc)} if seed_doc else {}
        for path, cv in settable_values(doc):
            key = value_key(doc_id, path)
            seed_value = seed[key].value if key in seed else None
            local = isinstance(cv, LocalValue)
            out.append(ConfigurableValue(
                key=key, document=doc_id, document_name=getattr(doc, "name", doc_id),
                file=lib.files[doc_id], line=parsed.line(path) if parsed else None,
                label=describe(doc, path), reason=cv.set_locally if local else cv.needs_configuration,
                seed_value=None if seed_value is None else str(seed_value),
                value=None if cv.value is None else str(cv.value), configured=key in configured,
                local=local))
    return out


def _number(value: Any) -> str:
    number = amount_value(value)
    return "待配置" if number is None else format(Decimal(number).normalize(), "f")


def combined_rules(lib: Library) -> list[RuleSummary]:
    """The composite (town) and company rules, in sentences an official reads."""
    out = []
    for doc in lib.documents.values():
        if isinstance(doc, Composite):
            lines = [f"{p.label or p.rubric}：细则 {p.rubric} × {_number(p.weight)}" for p in doc.parts]
            lines += [f"加分：{i.title}——{i.scoring_text}" for i in doc.bonus_items]
            lines += [f"{p.name}：{p.count} 名，每名 {_number(p.amount)} 元"
                      + ("（由镇政府指定）" if p.by == "designated" else "") for p in doc.prizes]
            lines.append(f"并列：{doc.tie_rule}")
        elif isinstance(doc, CompanyScore):
            lines = [f"企业总分 = 项目成绩 × {_number(doc.project_weight)} + 住建部门直接考核 × "
                     f"{_number(doc.direct_weight)}"]
            lines += [f"{g.name}：{'≥ ' + _number(g.min) + ' 分' if g.min is not None else '其余'}"
                      for g in doc.credit_grades]
        else:
            continue
        out.append(RuleSummary(id=doc.id, name=doc.name, source=doc.source, lines=lines + doc.notes))
    return sorted(out, key=lambda r: r.id)


def public(session: Session) -> SettingsPublic:
    """The latest version, as the admin screens show it."""
    row = latest(session)
    lib = library_for(row)
    actor = session.get(User, row.actor_id) if row and row.actor_id else None
    return SettingsPublic(
        version=row.version if row else 0, at=row.at if row else None,
        actor_name=actor.display_name if actor else None, reason=row.reason if row else None,
        values=configurable_values(session, row, lib),
        calendar=CalendarSettings.model_validate(row.calendar if row else {}),
        schedules=(row.schedules if row and row.schedules else
                   schedule_file_data(get_settings().rubrics_dir / "worktime.yaml")),
        schedules_configured=bool(row and row.schedules),
        rubric_files=sorted(row.rubric_files) if row else [],
        combined_rules=combined_rules(lib))


def history(session: Session) -> list[SettingsHistoryRow]:
    rows = list(session.exec(select(SettingsVersion).order_by(SettingsVersion.version.desc())))
    names = dict(session.exec(select(User.id, User.display_name).where(
        User.id.in_({r.actor_id for r in rows if r.actor_id}))).all()) if rows else {}
    return [SettingsHistoryRow(version=r.version, at=r.at, actor_name=names.get(r.actor_id),
                               reason=r.reason) for r in rows]


# ------------------------------------------------------------------ changing


def _new_version(session: Session, *, actor_id: uuid.UUID, reason: str, action: str,
                 detail: dict, base: int | None = None, **changes: Any) -> SettingsVersion:
    """The latest version with `changes`, saved as the next one and audited. It is put in force
    by `observe` once committed; this request reads it through `library_for`/`worktime_for`.
    `base`: the version the admin edited; another admin's save since is refused, not lost."""
    before = latest(session)
    if base is not None and base != (before.version if before else 0):
        raise REFUSALS("settings_changed", version=before.version if before else 0)
    row = SettingsVersion(
        actor_id=actor_id, reason=reason,
        values=changes.get("values", before.values if before else {}),
        calendar=changes.get("calendar", before.calendar if before else {}),
        schedules=changes.get("schedules", before.schedules if before else {}),
        rubric_files=changes.get("rubric_files", before.rubric_files if before else {}),
        notifications=changes.get("notifications", before.notifications if before else {}))
    session.add(row)
    session.flush()
    record(session, actor_id=actor_id, action=action, object_type="settings",
           object_id=row.version, reason=reason, **detail)
    return row


def _library_holds(trial: Library, refusal: str = "rubric_breaks_library") -> None:
    """Refuse settings under which the rules would not hold (items that no longer add up to
    their total, a second finding catalog, …), naming the first error's file and line."""
    errors = [i for i in check_library(trial) if i.level == "error"]
    if len(trial.catalogs()) != 1:
        errors.insert(0, Issue("error", "catalog", None, f"问题目录须恰好一份（现有 {len(trial.catalogs())} 份）"))
    if errors:
        first = errors[0]
        raise REFUSALS(refusal, reason=_where(Path(first.file).name, first.line, first.message),
                       detail={"line": first.line, "reason": first.message,
                               "errors": [str(e) for e in errors[:20]]})


def set_values(session: Session, change: ValuesChange, *, actor_id: uuid.UUID) -> SettingsVersion:
    """Set open values; null takes a value back to what the rubric file says."""
    row = latest(session)
    known = {v.key: v for v in configurable_values(session, row)}
    values = dict(row.values) if row else {}
    for key, value in change.values.items():
        if key not in known:
            raise REFUSALS("value_unknown", key=key)
        if value is not None and value < 0:
            raise REFUSALS("value_negative", label=known[key].label)
        if value is None:
            values.pop(key, None)
        else:
            values[key] = format(Decimal(value).normalize(), "f")
    _library_holds(load_dir(get_settings().rubrics_dir,
                            Overlay(0, values, dict(row.rubric_files) if row else {})), "values_break_library")
    changed = {k: values.get(k) for k in change.values}
    return _new_version(session, actor_id=actor_id, reason=change.reason, action="settings.values",
                        detail={"values": changed, "labels": [known[k].label for k in change.values]},
                        base=change.base_version, values=values)


def _check_calendar(change: CalendarChange) -> None:
    for year in change.years:
        if not 2000 <= year <= 2199:
            raise REFUSALS("calendar_invalid", reason=f"年份无效：{year}")
    off: set = set()
    for e in change.entries:
        if e.end < e.start or (e.end - e.start).days > 60:
            raise REFUSALS("calendar_invalid",
                           reason=f"“{e.name}”的日期范围无效：结束日期须不早于开始日期，且不超过 60 天")
        if e.kind == "holiday":
            off.update(e.days())
    for e in change.entries:
        if e.kind == "workday" and off.intersection(e.days()):
            raise REFUSALS("calendar_invalid", reason=f"{e.start} 起的“{e.name}”与放假日期重叠")


def set_calendar(session: Session, change: CalendarChange, *, actor_id: uuid.UUID
                 ) -> SettingsVersion:
    _check_calendar(change)
    settings = CalendarSettings(years=sorted(set(change.years)), entries=sorted(
        change.entries, key=lambda e: (e.start, e.end)))
    stored = settings.model_dump(mode="json")
    try:  # the same checks as the override file's, against the package and file calendars
        apply_calendar_entries(package_calendar(), _override_file_shape(stored))
    except (ConfigError, ValueError) as exc:
        raise REFUSALS("calendar_invalid", reason=str(exc).split(" / ")[0]) from None
    return _new_version(session, actor_id=actor_id, reason=change.reason,
                        action="settings.calendar",
                        detail={"years": settings.years, "entries": len(settings.entries)},
                        base=change.base_version, calendar=stored)


def set_schedules(session: Session, change: SchedulesChange, *, actor_id: uuid.UUID
                  ) -> SettingsVersion:
    """The working schedules from now on: tickets dispatched after the change count their
    deadlines by them; those dispatched before keep theirs (a provisional one is recomputed
    by the schedules in force when its year is added). A schedule open tickets count by
    cannot be removed: they name it."""
    try:
        schedules_from_settings(change.schedules, package_calendar(), get_settings().timezone)
    except ConfigError as exc:
        raise REFUSALS("schedules_invalid", reason=str(exc).split(" / ")[0].split("：", 1)[-1]) \
            from None
    kept = set(change.schedules.get("schedules") or {})
    in_use = set(session.exec(select(Ticket.schedule_key).where(
        Ticket.state.in_(OPEN_STATES), Ticket.schedule_key.is_not(None)).distinct())) - kept
    if in_use:
        raise REFUSALS("schedule_in_use", keys="、".join(sorted(in_use)))
    return _new_version(session, actor_id=actor_id, reason=change.reason,
                        action="settings.schedules",
                        detail={"schedules": sorted(kept)}, base=change.base_version,
                        schedules=change.schedules)


def set_notifications(session: Session, rules: dict[str, Any], *, reason: str, base: int | None,
                      actor_id: uuid.UUID) -> SettingsVersion:
    """The notification rules (backend/notifications/rules.py), validated by the caller."""
    return _new_version(session, actor_id=actor_id, reason=reason, action="settings.notifications",
                        detail={"notifications": rules}, base=base, notifications=rules)


def upload_rubric(session: Session, filename: str, raw: bytes, *, actor_id: uuid.UUID,
                  base: int | None = None) -> tuple[SettingsVersion, str]:
    """A new or changed rubric file: refused with the line and the reason if it, or the
    library with it, does not hold; else in force as a new version. Returns the document id."""
    name = (filename or "").rsplit("/", 1)[-1]
    if not _FILE_NAME.match(name):
        raise REFUSALS("rubric_name_invalid")
    if len(raw) > MAX_RUBRIC_BYTES:
        raise REFUSALS("rubric_too_large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise REFUSALS("rubric_not_utf8") from None
    try:
        doc = load_text(text, name)
    except SourceError as exc:
        raise REFUSALS("rubric_invalid", reason=_where(exc.filename, exc.line, exc.reason),
                       detail={"line": exc.line, "reason": exc.reason}) from None
    row = latest(session)
    files = dict(row.rubric_files) if row else {}
    files[name] = text
    _library_holds(load_dir(get_settings().rubrics_dir,
                            Overlay(0, dict(row.values) if row else {}, files)))
    version = _new_version(session, actor_id=actor_id, reason=f"上传评分标准 {name}",
                           action="settings.rubric_upload",
                           detail={"file": name, "document": doc.id}, base=base,
                           rubric_files=files)
    return version, doc.id


def _where(filename: str, line: int | None, reason: str) -> str:
    return f"{filename} 第 {line} 行：{reason}" if line else f"{filename}：{reason}"

