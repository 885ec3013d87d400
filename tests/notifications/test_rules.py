"""Issue 17 §2, the ladder's times as pure rules, with the deadlines' own work-time engine."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from backend.findings import deadlines
from backend.notifications.channels import Message, dingtalk_payload, dingtalk_sign, mask, masked, wecom_payload
from backend.notifications.models import Rule
from backend.notifications.rules import NotifyRules, TicketClock, ladder_step, ladder_times

CST = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def _clock(dispatched: datetime, amount, unit: str) -> TicketClock:  # noqa: ANN001
    config = deadlines.worktime()
    schedule = config.schedules[config.default]
    due = config.due(dispatched, amount, unit).due
    return TicketClock(dispatched, due, unit, schedule, config.calendar, config.workday_rule)


def test_a_three_working_day_ticket_is_due_soon_with_two_work_hours_left():
    """井盖缺损 (3 工作日) dispatched Wed 09-30 16:30 is due Sat 10-10 17:30 (the make-up day):
    25% of its 23½ work-hours is almost 6 h, 2 工作时 comes later: 即将到期 is at 15:30 that day."""
    times = ladder_times(_clock(at(2026, 9, 30, 16, 30), 3, "工作日"), NotifyRules())
    assert times[Rule.urged] == at(2026, 10, 10, 17, 30)
    assert times[Rule.due_soon] == at(2026, 10, 10, 15, 30)
    assert times[Rule.yellow] == at(2026, 10, 12, 17, 30)   # Sunday 10-11 is no working day
    assert times[Rule.red] == at(2026, 10, 14, 17, 30)


def test_a_deployment_sets_its_own_share_and_overdue_days():
    rules = NotifyRules.from_settings({"due_soon_share": "0.5", "due_soon_hours": "8",
                                       "yellow_workdays": 2, "red_workdays": 5})
    times = ladder_times(_clock(at(2026, 9, 30, 16, 30), 3, "工作日"), rules)
    assert times[Rule.due_soon] == at(2026, 10, 9, 17, 0)  # 8 work-hours left: 7½ on 10-10, ½ before
    assert times[Rule.yellow] == at(2026, 10, 13, 17, 30)
    assert times[Rule.red] == at(2026, 10, 16, 17, 30)


def test_clock_hours_run_through_the_night_and_the_holiday():
    """A 小时 deadline counts clock hours: 4 h from 22:00 on National Day is 02:00."""
    clock = _clock(at(2026, 10, 1, 22, 0), 4, "小时")
    times = ladder_times(clock, NotifyRules())
    assert times[Rule.urged] == at(2026, 10, 2, 2, 0)
    assert times[Rule.due_soon] == at(2026, 10, 2, 1, 0)  # 25% of 4 h left


def test_a_ticket_seen_late_jumps_to_its_present_step_and_says_when_the_next_comes():
    times = ladder_times(_clock(at(2026, 9, 30, 16, 30), 3, "工作日"), NotifyRules())
    assert ladder_step(times, 0, at(2026, 10, 9, 9, 0)) == (0, times[Rule.due_soon])
    assert ladder_step(times, 0, at(2026, 10, 13, 9, 0)) == (3, times[Rule.red])  # 黄牌 only
    assert ladder_step(times, 3, at(2026, 10, 20, 9, 0)) == (4, None)
    assert ladder_step(times, 4, at(2026, 10, 21, 9, 0)) == (4, None)


def test_the_robots_payloads_and_the_dingtalk_signature():
    """DingTalk: sign = base64(HMAC-SHA256(secret, ts + "\\n" + secret)), URL-encoded (the
    receiver in test_ladder.py verifies it as DingTalk does); WeCom mentions by mobile number."""
    # a signature with "+", "/" and "=" in it: each must reach DingTalk URL-encoded
    assert dingtalk_sign("SEC000", 1_700_000_000_002) == \
        "Lv5w8tn9s0MIOD%2BlUcA%2BPvsInVZd1LSqezE%2Fs6TZY5c%3D"
    message = Message("标题", "正文", ("13900000001",))
    assert wecom_payload(message) == {"msgtype": "text", "text": {
        "content": "正文", "mentioned_mobile_list": ["13900000001"]}}
    assert dingtalk_payload(message)["at"] == {"atMobiles": ["13900000001"], "isAtAll": False}


def test_secrets_leave_the_server_masked():
    assert mask("SECabcdefghijkl") == "SEC••••jkl"
    assert mask("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx") == \
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693••••xxx"
    shown = masked("email", {"host": "smtp.x.cn", "port": 587, "security": "starttls",
                             "username": "u", "password": "p@ssw0rd-long", "sender": "a@x.cn"})
    assert shown["password"] == "p@s••••ong" and shown["host"] == "smtp.x.cn"
    assert Decimal(NotifyRules().due_soon_share) == Decimal("0.25")
