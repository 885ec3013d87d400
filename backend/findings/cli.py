"""`xunjian tickets recompute-due`."""

from __future__ import annotations

import typer

from backend.clitools import cli_session
from backend.findings.recompute import recompute_provisional_tickets

tickets_app = typer.Typer(help="Rectification tickets.", no_args_is_help=True)


@tickets_app.command("recompute-due")
def recompute_due() -> None:
    """Recompute provisional due times after the holiday calendar gained a year (audited)."""
    with cli_session() as session:
        changes = recompute_provisional_tickets(session, actor_id=None)
    for change in changes:
        typer.echo(f"{change['ticket_id']}: {change['old_due_at']} -> {change['new_due_at']}"
                   f"{'  (still provisional)' if change['provisional'] else ''}")
    typer.echo(f"{len(changes)} ticket(s) recomputed")


def register(app: typer.Typer) -> None:
    app.add_typer(tickets_app, name="tickets")
