"""Bad inputs give clear Chinese+English errors; bad files name the file and the line."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from backend.config import REPO_ROOT
from backend.worktime import (
    ConfigError,
    Unit,
    due_time,
    load_calendar_overrides,
    load_schedules,
    load_worktime,
    parse_unit,
    parse_windows,
    work_elapsed,
)
from tests.worktime.support import at


# -- units and amounts -------------------------------------------------------------------------

@pytest.mark.parametrize("text, unit", [
    ("工作时", Unit.WORK_HOURS), ("work-hours", Unit.WORK_HOURS), (" Work-Hours ", Unit.WORK_HOURS),
    ("工作日", Unit.WORK_DAYS), ("work-days", Unit.WORK_DAYS),
    ("小时", Unit.HOURS), ("hours", Unit.HOURS), (Unit.HOURS, Unit.HOURS),
])
def test_units_accept_chinese_and_english(text, unit):
    assert parse_unit(text) is unit


@pytest.mark.parametrize("text", ["周", "weeks", "", None, 3])
def test_unknown_unit_is_refused_in_both_languages(text):
    with pytest.raises(ValueError, match="未知的时限单位.*unknown deadline unit"):
        parse_unit(text)


def test_unknown_unit_in_due_time(standard, calendar):
    with pytest.raises(ValueError, match="unknown deadline unit"):
        due_time(at("2026-03-06 16:30"), 4, "天", schedule=standard, calendar=calendar)


@pytest.mark.parametrize("amount", [-4, 0, -0.5, math.nan, math.inf, True, "4", None])
def test_amount_must_be_a_positive_number(amount, standard, calendar):
    for unit in ("工作时", "工作日", "小时"):
        with pytest.raises(ValueError, match="时限必须是大于 0 的数"):
            due_time(at("2026-03-06 16:30"), amount, unit, schedule=standard, calendar=calendar)


def test_civil_work_days_must_be_whole_but_the_hours_rule_takes_fractions(standard, calendar):
    """0.5 工作日 under the hours rule = 3.75 工作时: Fri 2026-03-06 16:30 -> 1 h Fri,
    Mon 08:30 + 2.75 h = 11:15."""
    with pytest.raises(ValueError, match="整数"):
        due_time(at("2026-03-06 16:30"), 1.5, "工作日", schedule=standard, calendar=calendar)
    assert due_time(at("2026-03-06 16:30"), 0.5, "工作日", schedule=standard, calendar=calendar,
                    workday_rule="hours").due == at("2026-03-09 11:15")


def test_unknown_workday_rule_is_refused(standard, calendar):
    with pytest.raises(ValueError, match="unknown workday rule"):
        due_time(at("2026-03-06 16:30"), 1, "工作日", schedule=standard, calendar=calendar,
                 workday_rule="lunar")


def test_naive_datetimes_are_refused_by_the_engine(standard, calendar):
    """The engine never guesses a zone: a naive time is a bug upstream. The CLI, where a person
    types the time, reads a naive time as Asia/Shanghai instead (see test_cli)."""
    with pytest.raises(ValueError, match="必须带时区.*timezone-aware"):
        due_time(datetime(2026, 3, 6, 16, 30), 4, "工作时", schedule=standard, calendar=calendar)
    with pytest.raises(ValueError, match="timezone-aware"):
        work_elapsed(at("2026-03-06 16:30"), datetime(2026, 3, 9), schedule=standard,
                     calendar=calendar)


def test_any_timezone_in_gives_the_schedule_zone_out(standard, calendar):
    """2026-03-06 08:30Z is 16:30 in Shanghai: 4 工作时 -> Mon 2026-03-09 11:30+08:00."""
    result = due_time(datetime.fromisoformat("2026-03-06T08:30:00+00:00"), 4, "工作时",
                      schedule=standard, calendar=calendar)
    assert result.due == at("2026-03-09 11:30")
    assert result.due.isoformat() == "2026-03-09T11:30:00+08:00"


def test_sub_second_parts_are_dropped(standard, calendar):
    result = due_time(at("2026-03-11 10:00:00.999999"), 1, "工作时", schedule=standard,
                      calendar=calendar)
    assert result.due == at("2026-03-11 11:00")


def test_dates_far_outside_the_tables_are_refused_not_tabulated(standard, calendar):
    with pytest.raises(ValueError, match="超出支持范围"):
        due_time(at("1960-01-04 10:00"), 1, "工作时", schedule=standard, calendar=calendar)
    with pytest.raises(ValueError, match="超出支持范围"):
        due_time(at("2026-03-06 10:00"), 10_000_000, "工作时", schedule=standard, calendar=calendar)


def test_years_beyond_the_first_tables_widen_them(standard, calendar):
    """2080-03-01 is a Friday; 2080 is uncovered, weekends only. 10:00 + 1 工作日 -> Mon 03-04."""
    result = due_time(at("2080-03-01 10:00"), 1, "工作日", schedule=standard, calendar=calendar)
    assert result.due == at("2080-03-04 17:30") and result.missing_years == (2080,)
    result = due_time(at("1995-03-03 10:00"), 1, "工作日", schedule=standard, calendar=calendar)
    assert result.due == at("1995-03-06 17:30") and result.missing_years == (1995,)


@pytest.mark.parametrize("text, message", [
    ("08:30-12:00,11:00-13:00", "重叠"), ("17:00-09:00", "跨午夜"), ("8h-12h", "HH:MM"),
    ("08:30", "HH:MM-HH:MM"), ("08:61-09:00", "时间无效"),
])
def test_bad_windows_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_windows(text)


# -- the override file -----------------------------------------------------------------------

def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, line, message", [
    ("years: [2027]\nholidays:\n  - 2027-02-30\n", 3, "不是有效日期"),
    ("holidays:\n  - 2027-01-01\nworkdays:\n  - 2027-01-01\n", 4, "同时列在"),
    ("years: [2027]\nholiday:\n  - 2027-01-01\n", 2, "未知的键"),
    ("holidays:\n  - \"2027-02-11..2027-02-05\"\n", 2, "日期范围无效"),
    ("holidays:\n  - {name: 春节}\n", 2, "date"),
    ("years: [twenty]\n", 1, "年份无效"),
    ("holidays: [2027-01-01\nworkdays: []\n", 2, "YAML"),
    ("holidays: 2027-01-01\n", 1, "应为列表"),
])
def test_malformed_override_file_names_file_and_line(tmp_path, calendar, text, line, message):
    path = _write(tmp_path, "calendar.yaml", text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_calendar_overrides(path, base=calendar)
    assert caught.value.line == line
    assert f"{path} 第 {line} 行" in str(caught.value) and f"{path}:{line}" in str(caught.value)


def test_override_entries_take_dates_ranges_and_names(tmp_path, calendar):
    path = _write(tmp_path, "calendar.yaml", (
        "note: test data\nyears: [2027]\n"
        "holidays:\n  - 2027-01-01\n  - \"2027-02-08..2027-02-10\"\n"
        "  - {from: 2027-10-01, to: 2027-10-03, name: 国庆}\n"
        "workdays:\n  - {date: 2027-02-13, name: 调休}\n"))
    cal = load_calendar_overrides(path, base=calendar)
    off = [at(f"{d} 00:00").date() for d in ("2027-01-01", "2027-02-09", "2027-10-01")]
    assert not any(cal.is_workday(d) for d in off)
    assert cal.is_workday(at("2027-02-13 00:00").date())
    assert cal.override_years == {2027} and cal.is_covered(2027)


def test_missing_override_file_means_no_overrides(tmp_path, calendar):
    assert load_calendar_overrides(tmp_path / "absent.yaml", base=calendar) is calendar


def test_shipped_calendar_example_loads_and_changes_nothing(calendar):
    cal = load_calendar_overrides(REPO_ROOT / "rubrics" / "calendar.example.yaml", base=calendar)
    assert cal.key == calendar.key and cal.override_years == frozenset()


# -- the schedule file ----------------------------------------------------------------------

def test_shipped_schedule_file_has_the_documented_default_and_every_day_cleaning(calendar):
    config = load_worktime(SimpleNamespace(rubrics_dir=REPO_ROOT / "rubrics", timezone="Asia/Shanghai",
                                           calendar_override_file=Path("/nonexistent.yaml")))
    assert config.workday_rule == "civil"
    assert [w.label() for w in config.schedule_for().windows] == ["08:30-12:00", "13:30-17:30"]
    assert config.schedule_for("清扫保洁不干净").every_day
    assert not config.schedule_for("井盖缺损").every_day
    assert config.calendar.key == calendar.key


def test_catalog_type_wins_over_responsible_unit(tmp_path, calendar):
    path = _write(tmp_path, "worktime.yaml", (
        "schedules:\n  office:\n    windows: [\"08:30-12:00\"]\n"
        "  crew:\n    days: every\n    windows: \"06:00-10:00\"\n"
        "  late:\n    windows: [\"14:00-18:00\"]\n"
        "catalog_types:\n  清扫保洁不干净: crew\n"
        "responsible_units:\n  环卫所: late\n"))
    config = load_schedules(path, calendar)
    assert config.default == "office"
    assert config.schedule_key_for("清扫保洁不干净", "环卫所") == "crew"
    assert config.schedule_key_for("井盖缺损", "环卫所") == "late"
    assert config.schedule_key_for("井盖缺损", "物业") == "office"
    # Every-day crew: Sat 2026-03-07 09:00 + 2 工作时 -> 09:00-10:00, Sun 06:00-07:00.
    assert config.due(at("2026-03-07 09:00"), 2, "工作时",
                      catalog_type="清扫保洁不干净").due == at("2026-03-08 07:00")


@pytest.mark.parametrize("text, line, message", [
    ("schedules:\n  a:\n    windows: [\"08:30-12:00\", \"11:00-13:00\"]\n", 3, "重叠"),
    ("schedules:\n  a:\n    windows: [\"08:30-12:00\"]\ncatalog_types:\n  井盖缺损: b\n", 5,
     "未定义的作息表"),
    ("schedules:\n  a:\n    days: weekdays\n    windows: [\"08:30-12:00\"]\n", 3, "days"),
    ("workday_rule: lunar\nschedules:\n  a:\n    windows: [\"08:30-12:00\"]\n", 1, "workday_rule"),
    ("schedules:\n  a:\n    windows: [\"08:30-12:00\"]\n    periods:\n      - from: \"13-01\"\n"
     "        windows: [\"09:00-12:00\"]\n", 5, "MM-DD"),
    ("schedules:\n  a:\n    windws: [\"08:30-12:00\"]\n", 3, "未知的键"),
    ("default: a\n", 1, "schedules"),
])
def test_malformed_schedule_file_names_file_and_line(tmp_path, calendar, text, line, message):
    path = _write(tmp_path, "worktime.yaml", text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_schedules(path, calendar)
    assert caught.value.line == line


def test_unquoted_clock_times_are_read_as_text_not_sexagesimal_numbers(tmp_path, calendar):
    """YAML 1.1 would load a bare 13:30 as the integer 810; the loader reads the raw text."""
    path = _write(tmp_path, "worktime.yaml", "schedules:\n  a:\n    windows: [08:30-12:00, 13:30-17:30]\n")
    schedule = load_schedules(path, calendar).schedule_for()
    assert [w.label() for w in schedule.windows] == ["08:30-12:00", "13:30-17:30"]
