"""The notifier's loop: scan, send, and the morning digest, in short units of work.

`tick()` does one round and is what tests call with a fixed clock. `Notifier` runs it every few
seconds with APScheduler (one instance at a time; a round that overruns is skipped, not
stacked): inside `xunjian serve` on the embedded default, or as `xunjian worker`, a service of
its own, in production. Several workers may run against PostgreSQL: claims skip rows another
worker holds (`FOR UPDATE SKIP LOCKED`), so no message is sent twice.
"""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from backend.config import get_settings
from backend.configuration import service as configuration
from backend.dbtypes import utcnow
from backend.findings import deadlines
from backend.notifications import channels, outbox, service
from backend.transaction import unit_of_work

log = logging.getLogger("xunjian.notifier")


@dataclass
class Round:
    tickets: int = 0
    sent: int = 0
    failed: int = 0
    digests: int = 0


def scan_all(now: datetime, *, batch: int = 200) -> int:
    """Every ticket due by `now`, a batch per unit of work."""
    seen = 0
    while True:
        with unit_of_work() as session:
            configuration.observe_latest(session)
            n = service.scan(session, now, limit=batch)
        seen += n
        if n < batch:
            return seen


def deliver_all(now: datetime, client: httpx.Client, *, clock_now=utcnow) -> tuple[int, int]:  # noqa: ANN001
    """Claim, send outside any transaction, record, until nothing more is due by `now`:
    (sent, failed) this round."""
    sent = failed = 0
    while True:
        with unit_of_work() as session:
            claimed = outbox.claim(session, now, clock=clock_now())
        if not claimed:
            return sent, failed
        for item in claimed:
            outcome = channels.send(item.kind, item.config, item.message,
                                    now_ms=int(clock.time() * 1000), client=client)
            if not outcome.ok:
                log.warning("delivery %s via %s failed: %s", item.id, item.kind,
                            channels.scrub(outcome.error or "", item.config))
            with unit_of_work() as session:
                outbox.record(session, item, outcome, clock_now())
            sent += outcome.ok
            failed += not outcome.ok


DIGEST_WINDOW = timedelta(hours=3)


_digest_checked: set = set()  # the days this process wrote (or found nothing for) the digest


def digest_if_due(now: datetime) -> int:
    """The morning digest, once on each working day, in the three hours from the configured time
    (a worker down all morning sends none that day rather than a "morning" digest at dusk).
    Written once per day and process: an empty one is not looked for again every round."""
    config = deadlines.worktime()
    local = now.astimezone(ZoneInfo(config.timezone))
    if local.date() in _digest_checked or not config.calendar.is_workday(local.date()):
        return 0
    with unit_of_work(write=False) as session:
        rules = service.rules_in_force(session)
        start = datetime.combine(local.date(), rules.digest_at, local.tzinfo)
        if not start <= local < start + DIGEST_WINDOW or service.digest_sent(session, local.date()):
            return 0
    with unit_of_work() as session:
        told = service.digest(session, now, local.date())
    _digest_checked.add(local.date())
    return told


def tick(now: datetime | None = None, *, client: httpx.Client | None = None) -> Round:
    """One round at `now` (a test's fixed clock: then leases and attempts are stamped with it
    too; a worker's: the real clock at each step, so a long round's leases hold)."""
    clock_now = (lambda: now) if now is not None else utcnow
    now = now or utcnow()
    own = client is None
    client = client or httpx.Client()
    try:
        with unit_of_work(write=False) as session:
            tickets, deliveries = service.work_waiting(session, now)
        result = Round(tickets=scan_all(now) if tickets else 0)
        result.digests = digest_if_due(now)
        if deliveries or result.tickets or result.digests:
            result.sent, result.failed = deliver_all(now, client, clock_now=clock_now)
        return result
    finally:
        if own:
            client.close()


class Notifier:
    """`tick` every `every` seconds in a background thread (APScheduler)."""

    def __init__(self, every: float = 5.0) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self.client = httpx.Client()
        self.scheduler = BackgroundScheduler(timezone=get_settings().timezone)
        # the first round after `every` seconds: `serve` may still be starting the app
        self.scheduler.add_job(self._round, "interval", seconds=every, id="notifier",
                               max_instances=1, coalesce=True)

    def _round(self) -> None:
        try:
            tick(client=self.client)
        except Exception:  # one failed round is logged; the next one tries again
            log.exception("notifier round failed")

    def start(self) -> "Notifier":
        self.scheduler.start()
        return self

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.client.close()
