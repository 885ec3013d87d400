"""`xunjian due`, `xunjian worktime` and `xunjian calendar check`.

Errors are printed as one Chinese/English line with exit code 2, never a traceback.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Optional
from zoneinfo import ZoneInfo

import typer

from backend.worktime.engine import WORKDAY_RULES, due_time, missing_years, parse_unit, work_seconds
from backend.worktime.loader import WorktimeConfig, load_worktime
from backend.worktime.schedule import Schedule, parse_windows


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(code=2)


def _config() -> WorktimeConfig:
    try:
        return load_worktime()
    except ValueError as exc:
        raise _fail(str(exc)) from None


def parse_instant(text: str, timezone: str) -> datetime:
    """ISO 8601; without an offset the time is local to the deployment (Asia/Shanghai)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"无法识别的时间：{text!r}（例如 2026-03-06T16:30+08:00）/ not an ISO 8601 "
                    f"time: {text!r}") from None
    return moment.replace(tzinfo=ZoneInfo(timezone)) if moment.tzinfo is None else moment


def _amount(text: str) -> int | Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _fail(f"时限不是数字：{text!r} / amount is not a number: {text!r}") from None
    return int(value) if value == value.to_integral_value() and value.is_finite() else value


def _hours(seconds: int) -> str:
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _warn_missing(years: tuple[int, ...]) -> None:
    listed = "、".join(str(y) for y in years)
    typer.echo(f"警告：{listed} 年的节假日安排尚未录入，结果为临时值（仅按周末休息计算）。"
               f"请在日历覆盖文件中补充后重新计算。/ warning: calendar year(s) {listed} not "
               f"covered; provisional result (weekends only)", err=True)


def due(
    start: str = typer.Argument(..., help="派单时间，ISO 8601；无时区时按 Asia/Shanghai"),
    amount: str = typer.Argument(..., help="时限数值，如 4"),
    unit: str = typer.Argument(..., help="工作时 / 工作日 / 小时（work-hours / work-days / hours）"),
    schedule: Optional[str] = typer.Option(None, "--schedule",
                                           help="作息时段，如 08:00-12:00,14:00-18:00（工作日适用）"),
    workday_rule: Optional[str] = typer.Option(None, "--workday-rule", help="civil 或 hours"),
    catalog_type: Optional[str] = typer.Option(None, "--catalog-type",
                                               help="问题小类，选用其作息表（如 清扫保洁不干净）"),
) -> None:
    """计算截止时间 / print the due time (ISO 8601 with offset, plus `provisional` when it is)."""
    config = _config()
    try:
        chosen = config.schedule_for(catalog_type)
        if schedule is not None:
            chosen = Schedule(windows=parse_windows(schedule), timezone=config.timezone,
                              name="命令行作息")
        rule = workday_rule or config.workday_rule
        if rule not in WORKDAY_RULES:
            raise ValueError(f"未知的工作日规则：{rule!r}（civil 或 hours）/ unknown workday rule")
        result = due_time(parse_instant(start, config.timezone), _amount(amount), parse_unit(unit),
                          schedule=chosen, calendar=config.calendar, workday_rule=rule)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(result.due.isoformat() + (" provisional" if result.provisional else ""))
    if result.provisional:
        _warn_missing(result.missing_years)


def worktime(
    start: str = typer.Argument(..., help="开始时间，ISO 8601"),
    end: str = typer.Argument(..., help="结束时间，ISO 8601"),
    schedule: Optional[str] = typer.Option(None, "--schedule", help="作息时段，如 08:00-12:00,14:00-18:00"),
    catalog_type: Optional[str] = typer.Option(None, "--catalog-type", help="问题小类，选用其作息表"),
) -> None:
    """计算两个时刻之间的工作时长 / print the work-time between two instants (H:MM:SS)."""
    config = _config()
    try:
        chosen = config.schedule_for(catalog_type)
        if schedule is not None:
            chosen = Schedule(windows=parse_windows(schedule), timezone=config.timezone)
        a, b = parse_instant(start, config.timezone), parse_instant(end, config.timezone)
        seconds = work_seconds(a, b, schedule=chosen, calendar=config.calendar)
        missing = missing_years(a, b, schedule=chosen, calendar=config.calendar)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"{_hours(seconds)} ({seconds / 3600:g} 工作时)" + (" provisional" if missing else ""))
    if missing:
        _warn_missing(missing)


calendar_app = typer.Typer(help="节假日日历 / holiday calendar", no_args_is_help=True)


@calendar_app.command("check")
def calendar_check() -> None:
    """列出已覆盖的年份和下一个未覆盖的年份 / list covered years and the next uncovered one."""
    from backend.config import get_settings

    config = _config()
    cal = config.calendar
    override_file = get_settings().calendar_override_file
    for first, last in cal.covered_ranges():
        span = str(first) if first == last else f"{first}–{last}"
        sources = []
        if any(y in cal.package_years for y in range(first, last + 1)):
            sources.append("chinesecalendar")
        if any(y in cal.override_years for y in range(first, last + 1)):
            sources.append(f"覆盖文件 {override_file}")
        typer.echo(f"已覆盖 covered: {span}（{'，'.join(sources)}）")
    gap = cal.next_uncovered_year()
    if gap is None:
        typer.echo("警告：没有任何年份的节假日数据 / warning: no calendar year is covered", err=True)
        return
    typer.echo(f"下一个未覆盖年份 next uncovered: {gap}")
    # The CLI may read the clock; the engine never does.
    soon = "，已临近" if gap <= date.today().year + 1 else ""
    typer.echo(f"警告：{gap} 年未覆盖{soon}。跨入该年的工单截止时间将是临时值（仅按周末计算）；"
               f"国务院公布安排后，请写入 {override_file} 的 years/holidays/workdays 并重新计算。"
               f"/ warning: {gap} is not covered; deadlines "
               f"reaching into it are provisional until it is added to the override file.", err=True)


def register(app: typer.Typer) -> None:
    app.command("due")(due)
    app.command("worktime")(worktime)
    app.add_typer(calendar_app, name="calendar")
