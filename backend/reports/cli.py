"""`xunjian report PERIOD SCOPE`: the period's notice as Excel and CSV, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlmodel import select

from backend.clitools import cli_session, fail
from backend.dbtypes import utcnow
from backend.organisation.models import OrgUnit
from backend.reports import notice, service
from backend.reports.periods import PeriodError, parse_period


def report(period: str = typer.Argument(..., help="2026-10, 2026Q3, 2026H1, 2026 or A..B"),
           scope: str = typer.Argument(..., help="name of a district, street/town or community"),
           out: Path = typer.Option(Path("."), help="folder for the files"),
           rubric: str | None = typer.Option(None, help="street rubric of the notice (X or S)")) -> None:
    """Write the notice (通报表) of PERIOD for SCOPE: .xlsx, .csv and the full .json."""
    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        fail(str(exc))
    with cli_session() as session:
        units = session.exec(select(OrgUnit).where(OrgUnit.name == scope)).all()
        if len(units) != 1:
            fail(f"scope “{scope}”: {'not found' if not units else 'ambiguous name'}")
        unit = units[0]
        if unit.level not in service.SCOPE_LEVELS:
            fail(f"scope “{scope}” is a {unit.level}; use a district, street/town or community")
        tables = service.notice_tables(session, unit, parsed, rubric, now=utcnow())
        full = service.report(session, unit, parsed, now=utcnow())
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{unit.name}-{parsed.key}-通报表"
    stem.with_suffix(".xlsx").write_bytes(notice.write_workbook(tables))
    for index, table in enumerate(tables, start=1):
        suffix = "" if len(tables) == 1 else f"-{index}"
        Path(f"{stem}{suffix}.csv").write_bytes(notice.write_csv(table))
    stem.with_suffix(".json").write_text(json.dumps(full.to_json(), ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    for table in tables:
        typer.echo(table.title)
        for row in table.rows[-3:]:
            typer.echo("  " + " | ".join(str(v) for v in row if v != ""))
    typer.echo(f"written: {stem}.xlsx, .csv, .json")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
