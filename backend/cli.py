"""The `xunjian` command line. Each domain registers its own commands here."""

from __future__ import annotations

import typer

from backend import demo
from backend.auth.cli import register as register_users
from backend.clitools import import_app
from backend.findings.cli import register as register_tickets
from backend.hotline.cli import register as register_hotline
from backend.notifications.cli import register as register_notifier
from backend.organisation.cli import register as register_import
from backend.reports.cli import register as register_report
from backend.rubrics.cli import register as register_rubrics
from backend.system.cli import register as register_system
from backend.worktime.cli import register as register_worktime

app = typer.Typer(
    help="巡检 Xunjian: inspection, rectification and scoring of residential compounds.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

app.add_typer(import_app, name="import")  # each domain that reads files adds its command
for register in (register_system, demo.register, register_users, register_import,
                 register_worktime, register_rubrics, register_tickets, register_report,
                 register_notifier, register_hotline):
    register(app)
