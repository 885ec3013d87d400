"""`xunjian import organisation FILE` (.csv or .xlsx)."""

from __future__ import annotations

from pathlib import Path

import typer

from backend.clitools import cli_session, fail, import_app
from sqlmodel import select

from backend.organisation import importer, service
from backend.organisation.models import LEVEL_LABELS, CompanyCreate, Compound, CreditGrade, \
    OrgUnit, OrgUnitCreate, UnitLevel

org_app = typer.Typer(help="The organisation: units, companies, compounds.", no_args_is_help=True)


def _unit_by_name(session, name: str) -> OrgUnit:  # noqa: ANN001
    found = session.exec(select(OrgUnit).where(OrgUnit.name == name)).all()
    if len(found) != 1:
        fail(f"unit “{name}”: {'not found' if not found else 'ambiguous name'}")
    return found[0]


@org_app.command("add-unit")
def add_unit(name: str, level: UnitLevel = typer.Option(..., help="district|street|town|community|grid"),
             parent: str | None = typer.Option(None, help="parent unit name")) -> None:
    """Create a district, street/town, community or grid."""
    with cli_session() as session:
        parent_id = _unit_by_name(session, parent).id if parent else None
        unit = service.create_unit(session, OrgUnitCreate(name=name, level=level, parent_id=parent_id))
        typer.echo(f"created {LEVEL_LABELS[unit.level]} {unit.name} ({unit.id})")


@org_app.command("add-company")
def add_company(name: str, grade: CreditGrade | None = typer.Option(None, help="AAA|AA|A|B|C"),
                community_run: bool = typer.Option(False, help="社区领办")) -> None:
    """Create a property-service company."""
    with cli_session() as session:
        company = service.create_company(session, CompanyCreate(
            name=name, credit_grade=grade, community_run=community_run))
        typer.echo(f"created company {company.name} ({company.id})")


@org_app.command("tree")
def tree() -> None:
    """Print the organisation tree with each community's compounds."""
    with cli_session() as session:
        units = list(session.exec(select(OrgUnit).order_by(OrgUnit.name)))
        compounds = list(session.exec(select(Compound).order_by(Compound.name)))
    children: dict = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def show(parent_id, depth: int) -> None:  # noqa: ANN001
        for unit in children.get(parent_id, []):
            typer.echo(f"{'  ' * depth}{LEVEL_LABELS[unit.level]} {unit.name}")
            if unit.level == UnitLevel.community:
                for c in compounds:
                    if c.community_id == unit.id:
                        typer.echo(f"{'  ' * (depth + 1)}小区 {c.name}")
            show(unit.id, depth + 1)

    show(None, 0)


def import_organisation(path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                                    help="CSV 或 Excel（.xlsx）: 区,街道,社区,网格,小区,…")) -> None:
    """Import units, companies and compounds from a CSV or Excel file; bad lines are listed, good ones kept."""
    with cli_session() as session:
        try:
            report = importer.import_file(session, path.read_bytes(), filename=path.name)
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
    import_app.command("organisation")(import_organisation)
    app.add_typer(org_app, name="org")
