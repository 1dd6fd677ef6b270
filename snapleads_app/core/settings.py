"""One settings object for every process, read from the environment (and an optional `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JWT_SECRET = "dev-insecure-change-me-0123456789abcdef"  # noqa: S105 - refused outside development
# The extension's id is pinned by the manifest `key`, so its origin is stable.
DEFAULT_EXTENSION_ID = "pokhdakblhgafpmbhgfhnjcmckamkmbd"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'data' / 'snapleads.db'}"
    redis_url: str | None = None  # unset = in-memory fallbacks (embedded default)
    db_pool_size: int = 20
    db_statement_timeout_ms: int = 30_000

    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_algorithm: str = "HS256"
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    invitation_days: int = 7
    bcrypt_rounds: int = 12

    public_url: str = "http://localhost:3000"  # where browsers reach the app
    api_url: str = "http://localhost:8000"  # where browsers reach the backend (same as public in prod)
    extension_id: str = DEFAULT_EXTENSION_ID
    cors_origins: list[str] = Field(default_factory=list)

    # A worker that stops heart-beating this long is dead: Redis hands its unfinished jobs to another.
    worker_heartbeat_timeout_ms: int = 60_000
    worker_maintenance_chance: int = 1_000  # per million broker calls (dramatiq's default)

    max_body_bytes: int = 5 * 1024 * 1024
    upload_dir: Path = ROOT / "data" / "uploads"  # CSV files waiting for or owned by an import job
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"

    session_cookie_name: str = "sl_session"

    # Webhooks: outgoing requests to private/loopback addresses are refused unless this is on (development
    # and tests with a local receiver); each attempt times out after `webhook_timeout_seconds`.
    webhooks_allow_private: bool = False
    webhook_timeout_seconds: float = 10.0
    # Seconds in an automation's "minute" (waits of N minutes/hours/days scale with it); tests shorten it.
    automation_minute_seconds: int = 60

    # Outgoing e-mail (core/mail.py). No SMTP host = the file backend: messages land in `mail_dir` as
    # .eml files and in the log, so the embedded default shows what it would send.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 15.0
    mail_from: str = "SnapLeads <no-reply@snapleads.local>"
    mail_dir: Path = ROOT / "data" / "mail"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def allowed_origins(self) -> list[str]:
        """CORS origins: configured ones, the app itself and the extension — never `*`."""
        origins = [
            *self.cors_origins,
            self.public_url,
            self.api_url,
            f"chrome-extension://{self.extension_id}",
        ]
        return sorted({o.rstrip("/") for o in origins if o and o != "*"})

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> Settings:
        if self.environment == "production" and self.jwt_secret == DEFAULT_JWT_SECRET:
            raise ValueError("JWT_SECRET must be set to a private value outside development")
        if self.environment == "production" and len(self.jwt_secret) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        if "*" in self.cors_origins:
            raise ValueError("CORS_ORIGINS may not contain '*': credentials are allowed")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
