"""Read the schedule file (rubrics/worktime.yaml) and the admin's holiday override file.

Both are YAML written by officials, so every error names the file and the line. We walk
PyYAML's node tree ourselves instead of loading plain values: that keeps the line numbers and
avoids YAML 1.1 surprises (an unquoted 13:30 would otherwise load as the integer 810).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from backend.worktime.calendar import HolidayCalendar, package_calendar
from backend.worktime.engine import CIVIL, WORKDAY_RULES, DueResult, due_time
from backend.worktime.schedule import (
    DAY_KINDS,
    WORKING_DAYS,
    Period,
    Schedule,
    default_schedule,
    parse_windows,
)


class ConfigError(ValueError):
    """A bad schedule or calendar file: Chinese message first, English after, with file and line."""

    def __init__(self, path: Path | str, line: int | None, zh: str, en: str) -> None:
        self.path, self.line = Path(path), line
        where_zh = f"{path} 第 {line} 行" if line else f"{path}"
        where_en = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where_zh}：{zh} / {where_en}: {en}")


# -- YAML nodes with line numbers -----------------------------------------------------------

class _Doc:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark else None
            raise ConfigError(path, line, f"YAML 语法错误：{getattr(exc, 'problem', exc)}",
                              f"YAML syntax error: {getattr(exc, 'problem', exc)}") from None

    def fail(self, node: yaml.Node | None, zh: str, en: str) -> ConfigError:
        return ConfigError(self.path, node.start_mark.line + 1 if node is not None else None, zh, en)

    def mapping(self, node: yaml.Node | None, what: str, allowed: set[str] | None = None
                ) -> list[tuple[str, yaml.Node, yaml.Node]]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
            return []
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} 应为键值映射", f"{what} must be a mapping")
        items, seen = [], set()
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"{what} 的键")
            if key in seen:
                raise self.fail(key_node, f"重复的键 {key!r}", f"duplicate key {key!r}")
            if allowed is not None and key not in allowed:
                raise self.fail(key_node, f"未知的键 {key!r}（可用：{'、'.join(sorted(allowed))}）",
                                f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
            seen.add(key)
            items.append((key, key_node, value_node))
        return items

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} 应为列表", f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} 应为单个值", f"{what} must be a single value")
        return node.value.strip()

    def date(self, node: yaml.Node, what: str) -> date:
        text = self.scalar(node, what)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.fail(node, f"{what} 不是有效日期（YYYY-MM-DD）：{text!r}",
                            f"{what} is not a valid date (YYYY-MM-DD): {text!r}") from None

    def year(self, node: yaml.Node) -> int:
        text = self.scalar(node, "年份")
        if not text.isdigit() or not 1971 <= int(text) <= 2199:
            raise self.fail(node, f"年份无效：{text!r}", f"invalid year: {text!r}")
        return int(text)

    def windows(self, node: yaml.Node) -> tuple:
        if isinstance(node, yaml.SequenceNode):
            items = [self.scalar(n, "作息时段") for n in node.value]
        else:
            items = [self.scalar(node, "作息时段")]
        try:
            windows = parse_windows(items)
        except ValueError as exc:
            raise self.fail(node, str(exc), "invalid windows") from None
        if not windows:
            raise self.fail(node, "至少需要一个作息时段", "at least one window is required")
        return windows


def _read(path: Path) -> _Doc:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, None, f"无法读取文件：{exc.strerror}", f"cannot read: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "文件不是 UTF-8 编码", "file is not UTF-8") from None
    return _Doc(path, text)


# -- the holiday override file ----------------------------------------------------------------

_CALENDAR_KEYS = {"years", "holidays", "workdays", "note"}
_ENTRY_KEYS = {"date", "from", "to", "name"}
_MAX_RANGE_DAYS = 60  # a longer "holiday" is a typo in a year, not a holiday


def _dates(doc: _Doc, node: yaml.Node, what: str) -> list[tuple[date, yaml.Node]]:
    """Entries: 2027-01-01 | "2027-02-05..2027-02-11" | {date: …, name: …} | {from: …, to: …}."""
    out = []
    for item in doc.sequence(node, what):
        if isinstance(item, yaml.MappingNode):
            fields = {k: v for k, _, v in doc.mapping(item, what, _ENTRY_KEYS)}
            if ("date" in fields) == ("from" in fields) or ("to" in fields) != ("from" in fields):
                raise doc.fail(item, "每项需要 date，或同时给出 from 和 to",
                               "each entry needs `date`, or both `from` and `to`")
            if "date" in fields:
                first = last = doc.date(fields["date"], "date")
            else:
                first, last = doc.date(fields["from"], "from"), doc.date(fields["to"], "to")
        else:
            text = doc.scalar(item, what)
            if ".." in text:
                a, _, b = text.partition("..")
                first, last = (doc.date(yaml.ScalarNode("tag:yaml.org,2002:str", x.strip(),
                                                        item.start_mark, item.end_mark), what)
                               for x in (a, b))
            else:
                first = last = doc.date(item, what)
        if last < first or (last - first).days > _MAX_RANGE_DAYS:
            raise doc.fail(item, f"日期范围无效：{first}..{last}", f"invalid date range {first}..{last}")
        if not (1971 <= first.year and last.year <= 2199):
            raise doc.fail(item, "日期超出支持范围（1971–2199）", "date outside 1971-2199")
        day = first
        while day <= last:
            out.append((day, item))
            day += timedelta(days=1)
    return out


def load_calendar_overrides(path: Path, base: HolidayCalendar | None = None) -> HolidayCalendar:
    """`base` (default: the chinesecalendar data) with the override file on top.

    A missing file is no error: it means no overrides yet.
    """
    base = base if base is not None else package_calendar()
    path = Path(path)
    if not path.exists():
        return base
    return _calendar_from(_read(path), base, str(path))


def apply_calendar_entries(base: HolidayCalendar, entries: Mapping[str, Any],
                           source: str = "系统设置") -> HolidayCalendar:
    """`base` with the admin's calendar entries on top (backend/configuration keeps them, in
    the override file's own shape: years, holidays, workdays, note), checked the same way."""
    if not entries:
        return base
    return _calendar_from(_Doc(Path(source), json.dumps(entries, ensure_ascii=False)), base, source)


def _calendar_from(doc: _Doc, base: HolidayCalendar, source: str) -> HolidayCalendar:
    fields = {k: (kn, v) for k, kn, v in doc.mapping(doc.root, "日历覆盖文件", _CALENDAR_KEYS)}
    years = [doc.year(n) for n in doc.sequence(fields.get("years", (None, None))[1], "years")]
    off = _dates(doc, fields.get("holidays", (None, None))[1], "holidays")
    on = _dates(doc, fields.get("workdays", (None, None))[1], "workdays")
    off_days = {d for d, _ in off}
    for day, node in on:
        if day in off_days:
            raise doc.fail(node, f"{day} 同时列在 holidays 和 workdays 中",
                           f"{day} is listed in both holidays and workdays")
    return base.with_overrides(years=years, days_off=off_days, days_on={d for d, _ in on},
                               source=source)


# -- the schedule file ------------------------------------------------------------------------

_TOP_KEYS = {"workday_rule", "default", "schedules", "catalog_types", "responsible_units", "note"}
_SCHEDULE_KEYS = {"name", "days", "windows", "periods", "note"}
_PERIOD_KEYS = {"from", "windows", "name"}


def _period(doc: _Doc, node: yaml.Node) -> Period:
    fields = {k: v for k, _, v in doc.mapping(node, "periods 项", _PERIOD_KEYS)}
    if "from" not in fields or "windows" not in fields:
        raise doc.fail(node, "periods 每项需要 from 和 windows", "each period needs from and windows")
    start = doc.scalar(fields["from"], "from")
    windows = doc.windows(fields["windows"])
    parts = start.split("-")
    try:
        if len(parts) == 2:  # "MM-DD": recurs every year (summer / winter hours)
            return Period(windows=windows, month_day=(int(parts[0]), int(parts[1])))
        return Period(windows=windows, on=date.fromisoformat(start))
    except ValueError:
        raise doc.fail(fields["from"], f"from 应为 MM-DD（每年）或 YYYY-MM-DD（一次）：{start!r}",
                       f"from must be MM-DD (yearly) or YYYY-MM-DD (once): {start!r}") from None


def _schedule(doc: _Doc, name: str, node: yaml.Node, timezone: str) -> Schedule:
    fields = {k: v for k, _, v in doc.mapping(node, f"作息表 {name}", _SCHEDULE_KEYS)}
    if "windows" not in fields:
        raise doc.fail(node, f"作息表 {name} 缺少 windows", f"schedule {name} needs windows")
    days = doc.scalar(fields["days"], "days") if "days" in fields else WORKING_DAYS
    if days not in DAY_KINDS:
        raise doc.fail(fields["days"], f"days 只能是 working（工作日）或 every（每天）：{days!r}",
                       f"days must be working or every: {days!r}")
    periods = tuple(_period(doc, p) for p in doc.sequence(fields.get("periods"), "periods"))
    label = doc.scalar(fields["name"], "name") if "name" in fields else name
    return Schedule(windows=doc.windows(fields["windows"]), periods=periods, days=days,
                    timezone=timezone, name=label)


@dataclass(frozen=True)
class WorktimeConfig:
    """Schedules by key, which one applies to what, the default workday rule, and the calendar."""

    schedules: Mapping[str, Schedule]
    default: str
    calendar: HolidayCalendar
    workday_rule: str = CIVIL
    by_catalog_type: Mapping[str, str] = field(default_factory=dict)
    by_responsible_unit: Mapping[str, str] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"

    def schedule_key_for(self, catalog_type: str | None = None,
                         responsible_unit: str | None = None, catalog_code: str | None = None
                         ) -> str:
        """The catalog type (by its code, then its name, as the file may list either) wins over
        the responsible unit; otherwise the default schedule."""
        if catalog_code and catalog_code in self.by_catalog_type:
            return self.by_catalog_type[catalog_code]
        if catalog_type and catalog_type in self.by_catalog_type:
            return self.by_catalog_type[catalog_type]
        if responsible_unit and responsible_unit in self.by_responsible_unit:
            return self.by_responsible_unit[responsible_unit]
        return self.default

    def schedule_for(self, catalog_type: str | None = None,
                     responsible_unit: str | None = None, catalog_code: str | None = None
                     ) -> Schedule:
        return self.schedules[self.schedule_key_for(catalog_type, responsible_unit, catalog_code)]

    def due(self, start, amount, unit, *, catalog_type: str | None = None,
            responsible_unit: str | None = None, workday_rule: str | None = None,
            catalog_code: str | None = None) -> DueResult:
        return due_time(start, amount, unit,
                        schedule=self.schedule_for(catalog_type, responsible_unit, catalog_code),
                        calendar=self.calendar, workday_rule=workday_rule or self.workday_rule)


def _check_timezone(path: Path, timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(path, None, f"未知的时区：{timezone!r}", f"unknown timezone {timezone!r}") from None


def load_schedules(path: Path, calendar: HolidayCalendar, timezone: str = "Asia/Shanghai"
                   ) -> WorktimeConfig:
    """Parse the schedule file. A missing file gives the documented default schedule."""
    path = Path(path)
    _check_timezone(path, timezone)
    if not path.exists():
        return WorktimeConfig(schedules={"default": default_schedule(timezone)}, default="default",
                              calendar=calendar, timezone=timezone)
    return _schedules_from(_read(path), calendar, timezone)


def schedules_from_settings(data: Mapping[str, Any], calendar: HolidayCalendar,
                            timezone: str = "Asia/Shanghai", source: str = "系统设置·作息时间"
                            ) -> WorktimeConfig:
    """The admin's schedules (backend/configuration keeps them in the schedule file's shape),
    checked as the file is."""
    _check_timezone(Path(source), timezone)
    return _schedules_from(_Doc(Path(source), json.dumps(data, ensure_ascii=False)), calendar,
                           timezone)


def schedule_file_data(path: Path) -> dict[str, Any]:
    """The schedule file as plain data (every scalar as text), the shape the admin edits."""
    path = Path(path)
    if not path.exists():
        return {}

    def plain(node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return {k.value: plain(v) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [plain(v) for v in node.value]
        return node.value

    root = _read(path).root
    return plain(root) if root is not None else {}


def _schedules_from(doc: _Doc, calendar: HolidayCalendar, timezone: str) -> WorktimeConfig:
    top = {k: (kn, v) for k, kn, v in doc.mapping(doc.root, "作息文件", _TOP_KEYS)}
    if "schedules" not in top:
        raise doc.fail(doc.root, "缺少 schedules", "missing `schedules`")
    schedules = {name: _schedule(doc, name, node, timezone)
                 for name, _, node in doc.mapping(top["schedules"][1], "schedules")}
    if not schedules:
        raise doc.fail(top["schedules"][1], "schedules 不能为空", "`schedules` is empty")

    def known(node: yaml.Node, what: str) -> str:
        key = doc.scalar(node, what)
        if key not in schedules:
            raise doc.fail(node, f"未定义的作息表：{key!r}", f"undefined schedule {key!r}")
        return key

    default = known(top["default"][1], "default") if "default" in top else next(iter(schedules))
    rule = doc.scalar(top["workday_rule"][1], "workday_rule") if "workday_rule" in top else CIVIL
    if rule not in WORKDAY_RULES:
        raise doc.fail(top["workday_rule"][1], f"workday_rule 只能是 civil 或 hours：{rule!r}",
                       f"workday_rule must be civil or hours: {rule!r}")
    by_type = {k: known(v, k) for k, _, v in doc.mapping(top.get("catalog_types", (0, None))[1],
                                                           "catalog_types")}
    by_unit = {k: known(v, k) for k, _, v in doc.mapping(top.get("responsible_units", (0, None))[1],
                                                           "responsible_units")}
    return WorktimeConfig(schedules=schedules, default=default, calendar=calendar,
                          workday_rule=rule, by_catalog_type=by_type, by_responsible_unit=by_unit,
                          timezone=timezone)


def load_worktime(settings: Any = None, *, schedule_file: Path | None = None,
                  override_file: Path | None = None,
                  calendar_entries: Mapping[str, Any] | None = None,
                  schedules: Mapping[str, Any] | None = None) -> WorktimeConfig:
    """Everything the product needs for deadlines, from the settings' files.

    Schedules: `settings.rubrics_dir / "worktime.yaml"`; calendar: chinesecalendar under
    `settings.calendar_override_file`, then the admin's `calendar_entries`; the admin's
    `schedules`, when set, instead of the file's. Raises ConfigError (a ValueError) naming
    file and line.
    """
    if settings is None:
        from backend.config import get_settings
        settings = get_settings()
    schedule_file = Path(schedule_file or Path(settings.rubrics_dir) / "worktime.yaml")
    override_file = Path(override_file or settings.calendar_override_file)
    calendar = apply_calendar_entries(load_calendar_overrides(override_file), calendar_entries or {})
    if schedules:
        return schedules_from_settings(schedules, calendar, settings.timezone)
    return load_schedules(schedule_file, calendar, settings.timezone)
