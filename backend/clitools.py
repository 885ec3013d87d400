"""Shared helpers for CLI commands: a committed session, and errors without tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlmodel import Session

from backend.db import get_engine
from backend.errors import DomainError


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"错误 error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def cli_session() -> Iterator[Session]:
    """One transaction per command; a domain error becomes a message and exit code 1."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except DomainError as exc:
            session.rollback()
            fail(f"{exc.message} ({exc.code})")
