"""`alembic upgrade head` on an empty database matches the models (no drift), on this run's backend."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import snapleads_app.domain.models_registry  # noqa: F401
from snapleads_app.core.db import get_engine

ROOT = Path(__file__).resolve().parents[2]


def test_upgrade_head_on_empty_database_matches_the_models(database):
    # The session fixture created an empty database and ran `alembic upgrade head` on it.
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_every_model_table_exists_after_upgrade(database):
    tables = set(inspect(get_engine()).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_run_on_this_backend(database):
    backend = os.environ.get("SNAPLEADS_TEST_BACKEND", "embedded")
    expected = "postgresql" if backend == "postgres" else "sqlite"
    assert get_engine().dialect.name == expected


def test_migration_files_are_linear():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
