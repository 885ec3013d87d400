"""Shared helpers for CLI commands: a unit of work, and errors without tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlmodel import Session

from backend.configuration import service as configuration
from backend.transaction import unit_of_work
from backend.errors import DomainError


# `xunjian import …`: each domain that reads files adds its command (organisation, hotline).
import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"错误 error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def cli_session() -> Iterator[Session]:
    """One unit of work per command; a domain error becomes a message and exit code 1."""
    try:
        with unit_of_work() as session:
            configuration.observe_latest(session)  # the deployment's rules, as requests see them
            yield session
    except DomainError as exc:
        fail(f"{exc.message} ({exc.code})")
