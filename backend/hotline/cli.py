"""`xunjian import hotline FILE`: the import of the API, from a shell (a nightly job, a backlog)."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from backend.auth.models import Role, User
from backend.auth.scope import scope_for
from backend.clitools import cli_session, fail, import_app
from backend.dbtypes import utcnow
from backend.hotline import service


def import_hotline(
        path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                    help="12345 工单导出文件（.xlsx 或 .csv，UTF-8 或 GBK）"),
        mapping: str | None = typer.Option(None, help="a saved column mapping's name (default: "
                                                      "the saved one that fits, else guessed)"),
        as_user: str | None = typer.Option(None, "--as", help="the supervisor or admin importing "
                                                              "(default: the first admin)")) -> None:
    """Import 12345 hotline work orders: matched ones become cases, the rest wait for review."""
    with cli_session() as session:
        query = select(User).where(User.is_active, User.role.in_([Role.supervisor, Role.admin]))
        query = query.where(User.username == as_user) if as_user \
            else query.where(User.role == Role.admin).order_by(User.created_at)
        user = session.execute(query).scalars().first()
        if user is None:
            fail(f"没有可用的督查或管理员账号{('“' + as_user + '”') if as_user else ''}")
        report = service.import_file(session, user, path.read_bytes(), filename=path.name,
                                     mapping=mapping, scope=scope_for(session, user), now=utcnow())
    typer.echo(f"{path}: {report.lines} 行；新建案卷 {report.created}，更新 {report.updated}，"
               f"未变 {report.unchanged}，待核对 {report.review}，冲突 {report.conflicts}，"
               f"重复行 {report.duplicates}，错误 {len(report.errors)}")
    for error in report.errors:
        typer.secho(f"{path}:{error.line}: {error.column or ''} {error.message}".replace("  ", " "),
                    fg=typer.colors.RED, err=True)
    if report.errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:  # noqa: ARG001 - the group is clitools' `import`
    import_app.command("hotline")(import_hotline)
