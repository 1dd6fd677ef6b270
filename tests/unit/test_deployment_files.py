"""The compose topology DEPLOY.md describes (no Docker engine here, so its structure is checked)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_is_there_with_a_health_check() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "app", "worker"}
    for name in ("postgres", "redis", "app", "worker"):
        assert services[name]["healthcheck"]["test"], name


def test_the_app_and_worker_wait_for_healthy_services_and_the_migration() -> None:
    services = _compose()["services"]
    for name in ("app", "worker"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]


def test_production_settings_and_durable_queues() -> None:
    services = _compose()["services"]
    env = services["app"]["environment"]
    assert env["ENVIRONMENT"] == "production" and env["REDIS_URL"].startswith("redis://")
    assert "JWT_SECRET" in env and ":?" in env["JWT_SECRET"]  # compose refuses to start without one
    assert "GRANIAN_WORKERS" in env  # several backend processes per container
    assert "--appendonly" in services["redis"]["command"] and "yes" in services["redis"]["command"]
    assert services["worker"]["environment"] == env


def test_the_image_builds_the_frontend_tools_and_runs_as_a_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 2  # multi-stage
    assert "\nUSER " in dockerfile and "USER root" not in dockerfile
    assert (ROOT / "DEPLOY.md").exists()
