"""`xunjian user create|revoke|list`."""

from __future__ import annotations

import typer
from sqlmodel import select

from backend.auth import service, users
from backend.auth.models import Role, User, UserCreate
from backend.clitools import cli_session, fail
from backend.organisation.models import Company, OrgUnit

user_app = typer.Typer(help="User accounts.", no_args_is_help=True)


@user_app.command("create")
def create(username: str, role: Role = typer.Option(..., help="admin|supervisor|inspector|grid_worker|property_manager"),
           name: str = typer.Option(..., help="display name 显示名"),
           password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
           unit: list[str] = typer.Option([], help="scope unit name (repeatable)"),
           company: str | None = typer.Option(None, help="company name, for property managers")) -> None:
    """Create a user scoped to units (by name) or to a company."""
    with cli_session() as session:
        unit_ids = []
        for unit_name in unit:
            found = session.exec(select(OrgUnit).where(OrgUnit.name == unit_name)).all()
            if len(found) != 1:
                fail(f"unit “{unit_name}”: {'not found' if not found else 'ambiguous name'}")
            unit_ids.append(found[0].id)
        company_id = None
        if company:
            row = session.exec(select(Company).where(Company.name == company)).first()
            if row is None:
                fail(f"company “{company}” not found")
            company_id = row.id
        user = users.create_user(session, UserCreate(
            username=username, display_name=name, role=role, password=password,
            unit_ids=unit_ids, company_id=company_id), actor_id=None)
        typer.echo(f"created {user.username} ({role.value})")


@user_app.command("revoke")
def revoke(username: str) -> None:
    """Revoke every login of a user at once (a lost phone, a leaver)."""
    with cli_session() as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            fail(f"user “{username}” not found")
        count = service.revoke_all_tokens(session, user.id, actor_id=None)
        typer.echo(f"revoked {count} login(s) of {username}")


@user_app.command("list")
def list_users() -> None:
    with cli_session() as session:
        for user in session.exec(select(User).order_by(User.username)):
            typer.echo(f"{user.username:20} {user.role:18} {user.display_name}"
                       f"{'' if user.is_active else '  (disabled)'}")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
