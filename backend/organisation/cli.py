"""`xunjian import organisation FILE.csv`."""

from __future__ import annotations

from pathlib import Path

import typer

from backend.clitools import cli_session, fail
from backend.organisation import importer

import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)


@import_app.command("organisation")
def import_organisation(path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                                    help="CSV: 区,街道,社区,网格,小区,…")) -> None:
    """Import units, companies and compounds from a CSV; bad lines are listed, good ones kept."""
    with cli_session() as session:
        try:
            report = importer.import_csv(session, path.read_bytes())
        except importer.LineError as exc:
            fail(f"{path}: {exc}")
    typer.echo(f"{path}: {report.lines} lines; compounds created {report.created}, updated "
               f"{report.updated}, unchanged {report.unchanged}; units created "
               f"{report.units_created}; companies created {report.companies_created}")
    for error in report.errors:
        typer.secho(f"{path}:{error['line']}: {error['reason']}", fg=typer.colors.RED, err=True)
    if report.errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
