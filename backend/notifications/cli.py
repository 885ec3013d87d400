"""`xunjian worker`: the notifier as a service of its own (production, several allowed)."""

from __future__ import annotations

import signal
import threading

import typer


def worker(every: float = typer.Option(5.0, help="seconds between rounds")) -> None:
    """Send notifications: scan the tickets, deliver the outbox, the morning digest."""
    from backend.notifications.worker import Notifier

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    notifier = Notifier(every).start()
    typer.echo(f"巡检 notifier: a round every {every:g} s (Ctrl-C to stop)")
    stop.wait()
    notifier.stop()


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
