"""accounts.after_signup: registration enqueues it after commit; it audits the workspace once."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from snapleads_app.core.db import get_engine, unit_of_work

JOIN_MS = 5_000


@pytest.fixture
def accounts(stub_broker: Any) -> Any:
    """The accounts service, imported lazily (another module owns it), with its tables created."""
    service = importlib.import_module("snapleads_app.domain.accounts.service")
    importlib.import_module("snapleads_app.domain.models_registry")
    import workers.actors  # noqa: F401 - declares accounts.after_signup on the fresh broker

    SQLModel.metadata.create_all(get_engine())
    return service


def _workspace_created_entries(workspace_id: int) -> list[Any]:
    from snapleads_app.domain.audit.models import AuditEntry

    with unit_of_work() as session:
        stmt = select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id, AuditEntry.action == "workspace.created"
        )
        return list(session.exec(stmt))


def _register(service: Any) -> tuple[int, int]:
    from snapleads_app.domain.accounts.models import ClientInfo, Membership, RegisterIn

    with unit_of_work() as session:
        service.register(
            session=session,
            data=RegisterIn(
                email="ana@example.com",
                password="Correct-horse-9",
                full_name="Ana",
                workspace_name="Ana's agency",
            ),
            client=ClientInfo(ip="127.0.0.1", user_agent="pytest"),
        )
    with unit_of_work() as session:
        membership = session.exec(select(Membership)).one()
        return membership.user_id, membership.workspace_id


def test_actor_name_is_the_job_name(stub_broker: Any, accounts: Any) -> None:
    actor = stub_broker.get_actor("accounts.after_signup")
    assert actor.queue_name == "default"
    assert actor.options["max_retries"] == 5


def test_register_runs_after_signup_in_process_once(
    sqlite_env: Path, stub_broker: Any, accounts: Any
) -> None:
    user_id, workspace_id = _register(accounts)
    stub_broker.join("default", timeout=JOIN_MS)

    entries = _workspace_created_entries(workspace_id)
    assert len(entries) == 1
    assert entries[0].via == "worker" and entries[0].actor_user_id == user_id


def test_after_signup_is_idempotent_when_retried(stub_broker: Any, accounts: Any) -> None:
    from workers.actors import after_signup

    user_id, workspace_id = _register(accounts)
    stub_broker.join("default", timeout=JOIN_MS)
    for _ in range(2):  # a redelivered / retried message
        after_signup.send(user_id=user_id, workspace_id=workspace_id)
    stub_broker.join("default", timeout=JOIN_MS)

    assert len(_workspace_created_entries(workspace_id)) == 1
