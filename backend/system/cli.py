"""`xunjian db ...` and `xunjian serve`."""

from __future__ import annotations

import typer

from backend.config import get_settings

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from backend.migrate import upgrade

    upgrade(revision)
    typer.echo(f"database at {revision}: {get_settings().database_url.split('@')[-1]}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="target revision, e.g. base or -1")) -> None:
    """Revert migrations down to REVISION."""
    from backend.migrate import downgrade

    downgrade(revision)
    typer.echo(f"database at {revision}")


@db_app.command("current")
def db_current() -> None:
    """Print the applied revision and the newest one."""
    from backend.db import get_engine
    from backend.migrate import current_revision, head_revision

    with get_engine().connect() as conn:
        typer.echo(f"current: {current_revision(conn)}  head: {head_revision()}")


def serve(host: str = typer.Option("127.0.0.1", help="address to listen on; 0.0.0.0 for phones on the LAN"),
          port: int = typer.Option(8000), workers: int = typer.Option(1, help="uvicorn worker processes"),
          reload: bool = typer.Option(False)) -> None:
    """Start the web service (API and PWA)."""
    import uvicorn

    settings = get_settings()
    typer.echo(f"巡检 Xunjian: http://{host}:{port}/  (API docs /api/docs; data in {settings.data_dir})")
    notifier = None
    if settings.notifier == "inline":  # the embedded default: no second service to set up
        from backend.notifications.worker import Notifier

        notifier = Notifier().start()
    try:
        # X-Forwarded-For is believed only from the configured proxies (login limits per address)
        uvicorn.run("backend.main:app", host=host, port=port, workers=workers, reload=reload,
                    proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips)
    finally:
        if notifier is not None:
            notifier.stop()


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
