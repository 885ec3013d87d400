"""`xunjian due`, `xunjian worktime`, `xunjian calendar check`: output and clean failures."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from backend.cli import app
from backend.config import get_settings

runner = CliRunner()


@pytest.fixture
def override_file(tmp_path, monkeypatch):
    """Point the settings at a temporary override file (absent until a test writes it)."""
    path = tmp_path / "calendar.yaml"
    monkeypatch.setenv("XUNJIAN_CALENDAR_OVERRIDE_FILE", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_due_prints_iso_8601_with_offset_and_naive_start_is_shanghai(override_file):
    """Fri 2026-03-06 16:30 (no offset: Asia/Shanghai), 4 工作时 -> Mon 2026-03-09 11:30+08:00."""
    result = run("due", "2026-03-06T16:30", "4", "工作时")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2026-03-09T11:30:00+08:00"


def test_due_accepts_english_units_offsets_schedule_and_rule(override_file):
    """2026-03-06T08:30Z = 16:30 Shanghai. With 08:00-12:00,14:00-18:00: 1.5 h Fri + 2.5 h Mon
    -> 10:30. 2 work-days under the hours rule = 15 h: Fri 1 h, Mon 7.5, Tue 6.5 -> 16:30."""
    result = run("due", "2026-03-06T08:30:00+00:00", "4", "work-hours",
                 "--schedule", "08:00-12:00,14:00-18:00")
    assert result.stdout.strip() == "2026-03-09T10:30:00+08:00"
    result = run("due", "2026-03-06 16:30", "2", "work-days", "--workday-rule", "hours")
    assert result.stdout.strip() == "2026-03-10T16:30:00+08:00"


def test_due_marks_provisional_and_warns_which_year_is_missing(override_file):
    result = run("due", "2026-12-25T10:00", "7", "工作日")
    assert result.exit_code == 0
    assert result.stdout.strip() == "2027-01-05T17:30:00+08:00 provisional"
    assert "2027" in result.stderr and "临时" in result.stderr


def test_due_uses_the_every_day_schedule_for_street_cleaning(override_file):
    """清扫保洁不干净 uses the every-day schedule: Sat 2026-03-07 09:00 + 2 工作时 -> 11:00."""
    result = run("due", "2026-03-07T09:00", "2", "工作时", "--catalog-type", "清扫保洁不干净")
    assert result.stdout.strip() == "2026-03-07T11:00:00+08:00"


@pytest.mark.parametrize("args, message", [
    (("2026-03-06T16:30", "4", "weeks"), "未知的时限单位"),
    (("2026-13-06T16:30", "4", "工作时"), "无法识别的时间"),
    (("2026-03-06T16:30", "four", "工作时"), "时限不是数字"),
    (("2026-03-06T16:30", "0", "工作时"), "大于 0"),
    (("2026-03-06T16:30", "1.5", "工作日"), "整数"),
    (("2026-03-06T16:30", "4", "工作时", "--schedule", "12:00-08:00"), "跨午夜"),
    (("2026-03-06T16:30", "4", "工作日", "--workday-rule", "lunar"), "工作日规则"),
])
def test_bad_input_exits_non_zero_with_a_message_and_no_traceback(override_file, args, message):
    result = run("due", *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_malformed_override_file_is_reported_with_its_line(override_file):
    override_file.write_text("years: [2027]\nholidays:\n  - 2027-13-01\n", encoding="utf-8")
    result = run("due", "2026-03-06T16:30", "4", "工作时")
    assert result.exit_code == 2
    assert f"{override_file} 第 3 行" in result.stderr


def test_worktime_prints_work_time_between_two_instants(override_file):
    """Fri 2026-03-06 16:30 to Mon 03-09 11:30 = 1 h + 3 h."""
    result = run("worktime", "2026-03-06T16:30", "2026-03-09T11:30")
    assert result.exit_code == 0
    assert result.stdout.strip() == "4:00:00 (4 工作时)"


def test_calendar_check_lists_covered_years_and_the_next_uncovered_one(override_file):
    result = run("calendar", "check")
    assert result.exit_code == 0
    assert "2004–2026" in result.stdout and "next uncovered: 2027" in result.stdout
    assert "警告" in result.stderr


def test_calendar_check_after_adding_2027_points_to_2028(override_file):
    override_file.write_text("years: [2027]\n", encoding="utf-8")  # test data, not the real 2027
    result = run("calendar", "check")
    assert "2027" in result.stdout and "next uncovered: 2028" in result.stdout
    result = run("due", "2026-12-25T10:00", "7", "工作日")
    assert result.stdout.strip() == "2027-01-05T17:30:00+08:00"
