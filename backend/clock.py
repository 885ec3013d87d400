"""The server's clock for a request, and what the server believes of a phone's clock.

Every domain takes `ClockDep` (or `request_clock`): the request's instant and the phone's clock
skew. `ClaimRule` is the one rule for times a phone claims (a finding's `observed_at`, an
inspection's `started_at`, a ticket event's `at`), stated for officials in
backend/sync/README.md ("Trusted time"):

- a claim outside 2000–2100, or later than the server's clock by more than the tolerance, is
  refused: it is a broken clock or a forged request, not a time something happened;
- offline work counts when it was done: a claim (corrected by the phone's measured skew) is
  trusted within `offline_window` before it arrived, never before `not_before` (the ticket's
  dispatch and its previous event) and never before `evidence_after` (the capture time of the
  photos that prove it);
- otherwise the arrival time counts, and the record is flagged for the verifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import Depends, Header

from backend.dbtypes import utcnow
from backend.errors import Invalid

CLIENT_TIME_HEADER = "the phone's clock when it sent the request, ISO 8601 with offset"
# A phone's clock is believed to the second only beyond transit time.
_TRANSIT = timedelta(seconds=1)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2101, 1, 1, tzinfo=timezone.utc)  # exclusive: the year 2100 is allowed


class RequestClock:
    def __init__(self, now: datetime, skew: timedelta) -> None:
        self.now = now
        self.skew = skew  # server − phone; add it to a phone time to get server time


def in_range(value: datetime) -> bool:
    """Within 2000–2100: a time any real record can carry."""
    return EARLIEST <= value < LATEST


async def request_clock(x_client_time: Annotated[str | None, Header(
        description=CLIENT_TIME_HEADER)] = None) -> RequestClock:
    # async: no I/O, so FastAPI runs it on the event loop rather than in a worker thread.
    now = utcnow()
    if not x_client_time:
        return RequestClock(now, timedelta(0))
    try:
        client_now = datetime.fromisoformat(x_client_time.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("X-Client-Time 不是合法的时间", code="client_time_invalid") from None
    if client_now.tzinfo is None:
        raise Invalid("X-Client-Time 必须带时区", code="client_time_invalid")
    if not in_range(client_now):
        raise Invalid("手机时间不正确（不在 2000–2100 年之间），请校准手机时间后重试",
                      code="client_time_invalid")
    skew = now - client_now
    return RequestClock(now, skew if abs(skew) >= _TRANSIT else timedelta(0))


ClockDep = Annotated[RequestClock, Depends(request_clock)]


# ------------------------------------------------------------------ claimed times


class ClaimRefused(Exception):
    """A claimed time no record may carry; refused per item, with a code and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True, slots=True)
class Claimed:
    at: datetime            # the time the record counts at
    flag: str | None        # why the claim was not believed (then `at` is the arrival)


# Flags, and how a verifier reads them.
FLAGS = {
    "offline_window": "离线记录时间早于到达时间超过允许的离线时长，按到达时间计",
    "before_dispatch": "离线记录时间早于派单（或上一步操作）时间，按到达时间计",
    "before_photo": "离线记录时间早于整改照片的拍摄时间，按到达时间计",
}


class ClaimRule:
    """The rule for a request's claimed times (see the module doc): `rule(claimed)` is the time
    a claim counts at; ClaimRefused when it is no time at all. Pure: the server's `now` and
    the phone's measured `skew` are given; the bounds are computed once for a whole batch."""

    __slots__ = ("now", "skew", "latest", "earliest")

    def __init__(self, now: datetime, skew: timedelta, *, offline_window: timedelta,
                 future_tolerance: timedelta) -> None:
        self.now, self.skew = now, skew
        self.latest = now + future_tolerance
        self.earliest = now - offline_window

    @classmethod
    def of(cls, clock: RequestClock) -> "ClaimRule":
        """The deployment's rule (settings) for this request."""
        from backend.config import get_settings

        s = get_settings()
        return cls(clock.now, clock.skew, offline_window=timedelta(hours=s.offline_window_hours),
                   future_tolerance=timedelta(seconds=s.clock_tolerance_seconds))

    def __call__(self, claimed: datetime | None, *, not_before: datetime | None = None,
                 evidence_after: datetime | None = None) -> Claimed:
        if claimed is None:
            return Claimed(self.now, None)
        # the year as written: cheap, and it bounds the arithmetic below (no overflow)
        if not EARLIEST.year <= claimed.year < LATEST.year:
            raise ClaimRefused("time_out_of_range", "时间超出合理范围（须在 2000–2100 年之间）")
        # in UTC, as the bounds: comparing instants of one zone object costs a tenth
        corrected = claimed.astimezone(timezone.utc)
        if self.skew:
            corrected += self.skew
        if corrected > self.now:
            if corrected > self.latest:
                raise ClaimRefused("time_in_future", "记录时间晚于服务器当前时间，请校准手机时间")
            corrected = self.now
        if corrected < self.earliest:
            return Claimed(self.now, "offline_window")
        if not_before is not None and corrected < not_before:
            return Claimed(self.now, "before_dispatch")
        if evidence_after is not None and corrected < evidence_after:
            return Claimed(self.now, "before_photo")
        return Claimed(corrected, None)
