"""The one settings object. Every value can be set by an environment variable prefixed XUNJIAN_.

Embedded default: everything lives under one data directory (SQLite file, photo folder,
calendar override file), so a fresh clone runs with zero set-up. Production points
XUNJIAN_DATABASE_URL at PostgreSQL and XUNJIAN_DATA_DIR at a persistent volume.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XUNJIAN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data", description="SQLite file, photos, overrides")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite under data_dir")
    secret_key: str = Field(default="", description="server secret; generated into data_dir if unset")
    timezone: str = "Asia/Shanghai"

    # Tokens: a phone stays logged in for weeks; each use slides the expiry forward.
    token_ttl_days: int = 30
    # argon2id cost (RFC 9106's second recommended option); tests lower it to stay fast.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Failed-login limits, counted in the database so that several workers share them.
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30

    # Times phones claim (backend/clock.py): offline work is believed this long before it
    # arrives; a claim later than the server's clock by more than the tolerance is refused.
    offline_window_hours: float = Field(default=24, gt=0)
    clock_tolerance_seconds: int = Field(default=300, ge=0)
    # A rehearsal deployment, or an end-to-end test of a date to come (the turn of a year the
    # holiday calendar does not cover yet), runs with its clock shifted; 0 in production.
    clock_offset_seconds: float = 0

    # SQLite: run an ingestion request's write on the event loop when the write lock is free
    # and no page is being read or was in the last seconds ("inline"), or always in a worker
    # thread ("thread");
    # tests/bench/bench_mixed.py and bench_sync.py measure both (RESULTS.md).
    write_policy: Literal["inline", "thread"] = "inline"

    # Addresses of the reverse proxies whose X-Forwarded-For is believed (the login limits count
    # per client address): only these, never "*", or a client could rotate its own header.
    forwarded_allow_ips: str = "127.0.0.1"

    # Photos: caps against oversized uploads and decompression bombs.
    photo_max_bytes: int = 25 * 1024 * 1024
    photo_max_pixels: int = 50_000_000
    photo_display_edge: int = 1600
    photo_thumb_edge: int = 320
    photo_font: Path | None = Field(default=None, description="CJK font for the watermark; "
                                    "default: found with fontconfig (fonts-wqy-microhei)")

    # Findings of these sources cost points in rubric L (seed 002 §四(一): problems found by
    # inspections); hotline cases are scored separately as 案卷.
    scored_sources: tuple[str, ...] = ("patrol", "announced", "unannounced")

    # Notifications (backend/notifications): the address people open the app at, for the link
    # in each message; and whether `xunjian serve` runs the notifier in its own process
    # ("inline", the embedded default) or leaves it to `xunjian worker` ("off").
    public_url: str = Field(default="", description="e.g. https://xunjian.example.gov.cn")
    notifier: Literal["inline", "off"] = "inline"

    rubrics_dir: Path = REPO_ROOT / "rubrics"
    frontend_dir: Path = REPO_ROOT / "frontend"
    calendar_override_file: Path | None = Field(
        default=None, description="admin-edited holiday corrections; default data_dir/calendar.yaml"
    )

    @model_validator(mode="after")
    def _derive_paths(self) -> "Settings":
        self.data_dir = Path(self.data_dir).resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'xunjian.db'}"
        if self.calendar_override_file is None:
            self.calendar_override_file = self.data_dir / "calendar.yaml"
        return self

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def ensure_secret_key(self) -> str:
        """Use the configured key, else one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        self.secret_key = key_file.read_text().strip()
        return self.secret_key


@lru_cache
def get_settings() -> Settings:
    return Settings()
