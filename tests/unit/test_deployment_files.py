"""The compose topology DEPLOY.md describes (no Docker engine here, so its structure is checked)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
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


# ---------------------------------------------------------------- the Compose specification
# No Docker engine here, so `docker compose config` cannot run. The same checks: Compose's interpolation
# of the forms this file uses (on the parsed values, as Compose does: `[]` stays a string), YAML merge keys
# resolved, then the Compose specification's validating parser (compose-spec, pinned in the dev group).

_VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")
_ENV = {"JWT_SECRET": "s" * 40}


def _interpolated(node: Any, env: dict[str, str]) -> Any:
    """`${VAR}`, `${VAR:-default}` and `${VAR:?error}` in every string value."""
    if isinstance(node, dict):
        return {key: _interpolated(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolated(value, env) for value in node]
    if not isinstance(node, str):
        return node

    def value(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator == "?":
            raise ValueError(f"required variable {name} is missing: {argument}")
        return argument if operator == "-" else ""

    return _VARIABLE.sub(value, node)


def _validated(compose: dict) -> Any:
    from compose_spec import PyCompose

    return PyCompose.from_yaml(yaml.safe_dump(compose))


def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    parsed = _validated(_interpolated(_compose(), _ENV))
    assert sorted(parsed.service_names()) == ["app", "migrate", "postgres", "redis", "worker"]


@pytest.mark.parametrize(
    ("path", "value", "refusal"),
    [
        (("app", "depends_on", "postgres", "condition"), "service_ready", "unknown variant"),
        (("app", "restart"), "sometimes", "unknown variant"),
        (("worker", "healthcheck", "interval"), "banana", "duration"),
        (("app", "imagee"), "snapleads", "extension key"),
    ],
)
def test_the_validator_refuses_a_broken_compose_file(path: tuple[str, ...], value: str, refusal: str) -> None:
    """The check above can fail: one wrong value anywhere is refused, with where it is."""
    broken = copy.deepcopy(_interpolated(_compose(), _ENV))
    node = broken["services"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValueError, match=refusal):
        _validated(broken)


def test_compose_refuses_to_start_without_a_jwt_secret() -> None:
    with pytest.raises(ValueError, match="JWT_SECRET"):
        _interpolated(_compose(), {})
