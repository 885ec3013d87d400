"""Uncovered years: provisional due times (weekends off only), and recomputation once covered.

chinesecalendar covers 2004-2026 and raises for 2027, so a late-December ticket with 7 工作日
reaches into a year nobody has published yet. The product neither blocks nor pretends.
The 2027 dates written below are TEST DATA for the override mechanism, not the real 2027
arrangement.
"""

from __future__ import annotations

from pathlib import Path

from backend.worktime import (
    DueChange,
    ProvisionalTicket,
    Schedule,
    due_time,
    load_calendar_overrides,
    missing_years,
    parse_windows,
    recompute_provisional,
    weekend_calendar,
)
from tests.worktime.support import at


def _override(tmp_path: Path, text: str, calendar) -> object:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return load_calendar_overrides(path, base=calendar)


def test_ticket_crossing_into_uncovered_2027_is_provisional_with_weekends_only(standard, calendar):
    """Fri 2026-12-25 10:00, 7 工作日: Mon 12-28 1, 12-29 2, 12-30 3, Thu 12-31 4; 2027 is not
    covered, so only weekends are off: Fri 2027-01-01 5, Mon 01-04 6, Tue 01-05 7.
    Provisional due 2027-01-05 17:30, missing year 2027."""
    result = due_time(at("2026-12-25 10:00"), 7, "工作日", schedule=standard, calendar=calendar)
    assert result.due == at("2027-01-05 17:30")
    assert result.provisional and result.missing_years == (2027,)


def test_ticket_due_before_the_year_ends_is_not_provisional(standard, calendar):
    """Fri 2026-12-25 10:00, 4 工作日: 12-28, 12-29, 12-30, 12-31 - due 2026-12-31 17:30, all in
    covered 2026."""
    result = due_time(at("2026-12-25 10:00"), 4, "工作日", schedule=standard, calendar=calendar)
    assert result.due == at("2026-12-31 17:30") and not result.provisional


def test_work_hours_spilling_past_new_years_eve_are_provisional(standard, calendar):
    """Thu 2026-12-31 17:00, 1 工作时: 0.5 h on 12-31, then 2027-01-01 (uncovered, a Friday,
    so provisionally worked) 08:30-09:00. Due 2027-01-01 09:00, provisional."""
    result = due_time(at("2026-12-31 17:00"), 1, "工作时", schedule=standard, calendar=calendar)
    assert result.due == at("2027-01-01 09:00")
    assert result.provisional and result.missing_years == (2027,)


def test_clock_hours_and_every_day_schedules_are_never_provisional(calendar):
    """2 小时 ignores the calendar; a `days: every` schedule never asks it."""
    assert not due_time(at("2026-12-31 23:00"), 2, "小时", schedule=Schedule(
        windows=parse_windows("08:30-17:30")), calendar=calendar).provisional
    every = Schedule(windows=parse_windows("08:30-12:00,13:30-17:30"), days="every")
    result = due_time(at("2026-12-31 17:00"), 7, "工作日", schedule=every, calendar=calendar)
    assert result.due == at("2027-01-07 17:30") and not result.provisional


def test_with_no_calendar_data_every_year_is_provisional(standard):
    result = due_time(at("2026-03-06 16:30"), 4, "工作时", schedule=standard,
                      calendar=weekend_calendar())
    assert result.due == at("2026-03-09 11:30") and result.missing_years == (2026,)


def test_adding_2027_to_the_override_file_recomputes_the_ticket(tmp_path, standard, calendar):
    """Same ticket as above (Fri 2026-12-25 10:00, 7 工作日, provisional due 2027-01-05 17:30).
    The admin adds 2027 with 01-01 as a holiday (test data). Now 2027-01-01 is off:
    12-28..12-31 are 1-4, Mon 01-04 5, Tue 01-05 6, Wed 01-06 7. New due 2027-01-06 17:30,
    not provisional."""
    old = due_time(at("2026-12-25 10:00"), 7, "工作日", schedule=standard, calendar=calendar)
    updated = _override(tmp_path, "years: [2027]\nholidays:\n  - {date: 2027-01-01, name: 元旦}\n",
                        calendar)
    assert updated.is_covered(2027) and not updated.is_workday(at("2027-01-01 00:00").date())

    changes = recompute_provisional(
        [ProvisionalTicket("T-1", at("2026-12-25 10:00"), 7, "工作日", "default", old.due)],
        schedules={"default": standard}, calendar=updated)
    assert changes == [DueChange("T-1", at("2027-01-05 17:30"), at("2027-01-06 17:30"),
                                 provisional=False, missing_years=())]
    assert changes[0].due_moved


def test_recompute_reports_tickets_no_longer_provisional_even_if_due_is_unchanged(
        tmp_path, standard, calendar):
    """Thu 2026-12-31 17:00, 1 工作时 was provisionally due 2027-01-01 09:00. Suppose the 2027
    file (test data) lists no holiday on 01-01: the due stays, but the flag clears - a change
    the ticket service must record."""
    updated = _override(tmp_path, "years: [2027]\n", calendar)
    changes = recompute_provisional(
        [("T-2", at("2026-12-31 17:00"), 1, "工作时", "default", at("2027-01-01 09:00"))],
        schedules={"default": standard}, calendar=updated)
    assert [(c.id, c.due_moved, c.provisional) for c in changes] == [("T-2", False, False)]


def test_recompute_leaves_out_tickets_still_provisional_and_unchanged(tmp_path, standard, calendar):
    """An override that covers 2028 but not 2027 changes nothing for a ticket reaching 2027."""
    updated = _override(tmp_path, "years: [2028]\n", calendar)
    old = due_time(at("2026-12-25 10:00"), 7, "工作日", schedule=standard, calendar=calendar)
    changes = recompute_provisional(
        [("T-3", at("2026-12-25 10:00"), 7, "工作日", "default", old.due)],
        schedules={"default": standard}, calendar=updated)
    assert changes == []


def test_override_year_after_a_gap_is_covered_but_the_gap_stays_provisional(tmp_path, standard,
                                                                            calendar):
    """Covered: 2004-2026 and 2028. A ticket inside 2028 is final; one from late 2027 into 2028
    is provisional for 2027 only."""
    updated = _override(tmp_path, "years: [2028]\n", calendar)
    inside = due_time(at("2028-03-01 10:00"), 3, "工作日", schedule=standard, calendar=updated)
    assert not inside.provisional
    across = due_time(at("2027-12-30 10:00"), 3, "工作日", schedule=standard, calendar=updated)
    assert across.missing_years == (2027,)
    assert updated.next_uncovered_year() == 2027
    assert missing_years(at("2026-06-01 00:00"), at("2029-01-02 00:00"), schedule=standard,
                         calendar=updated) == (2027, 2029)


def test_override_corrects_a_covered_year_local_holiday_and_extra_workday(tmp_path, standard,
                                                                          calendar):
    """Local holiday Wed 2026-03-11 and a worked Saturday 2026-03-14 (test data).
    Tue 2026-03-10 10:00, 2 工作日: 03-11 off; Thu 03-12 1, Fri 03-13 2 -> due 03-13 17:30.
    From Fri 03-13 10:00, 1 工作日: Sat 03-14 is now worked -> due 03-14 17:30."""
    updated = _override(tmp_path, "holidays: [2026-03-11]\nworkdays: [2026-03-14]\n", calendar)
    kw = dict(schedule=standard, calendar=updated)
    assert due_time(at("2026-03-10 10:00"), 2, "工作日", **kw).due == at("2026-03-13 17:30")
    assert due_time(at("2026-03-13 10:00"), 1, "工作日", **kw).due == at("2026-03-14 17:30")
    assert not due_time(at("2026-03-10 10:00"), 2, "工作日", **kw).provisional
