"""The phone's clock may be wrong: measure its skew on every request and correct its times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header

from backend.dbtypes import utcnow
from backend.errors import Invalid


class RequestClock:
    def __init__(self, now: datetime, skew: timedelta) -> None:
        self.now = now
        self.skew = skew  # server − phone; add it to a phone time to get server time


CLIENT_TIME_HEADER = "the phone's clock when it sent the request, ISO 8601 with offset"


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
    skew = now - client_now
    # Transit time is not skew: below a second, trust the phone.
    return RequestClock(now, skew if abs(skew) >= timedelta(seconds=1) else timedelta(0))


ClockDep = Annotated[RequestClock, Depends(request_clock)]
