from __future__ import annotations

import pytest
from pydantic import ValidationError

from snapleads_app.core.settings import DEFAULT_JWT_SECRET, Settings


def test_production_refuses_the_default_or_a_short_secret():
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(environment="production", jwt_secret=DEFAULT_JWT_SECRET)
    with pytest.raises(ValidationError, match="32 characters"):
        Settings(environment="production", jwt_secret="short")
    assert Settings(environment="production", jwt_secret="p" * 40).environment == "production"
    assert Settings(environment="development", jwt_secret=DEFAULT_JWT_SECRET).environment == "development"


def test_cors_origins_are_explicit_and_include_the_extension():
    settings = Settings(
        cors_origins=["https://crm.example.com/"], extension_id="abcdefghijklmnopabcdefghijklmnop"
    )
    assert "chrome-extension://abcdefghijklmnopabcdefghijklmnop" in settings.allowed_origins
    assert "https://crm.example.com" in settings.allowed_origins
    assert "*" not in settings.allowed_origins
    with pytest.raises(ValidationError):
        Settings(cors_origins=["*"])


def test_defaults_are_the_embedded_setup():
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.redis_url is None or settings.redis_url.startswith("redis")
    assert settings.db_pool_size == 20 and settings.db_statement_timeout_ms == 30_000
    assert settings.max_body_bytes == 5 * 1024 * 1024
