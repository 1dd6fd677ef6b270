"""Bulk lead actions trigger automations through the worker path: the bulk service enqueues one
`reactions.process` job per batch of changed leads, real Dramatiq workers run them. Embedded (stub
broker + in-process worker) and real Redis (RedisBroker + a Worker thread), both on SQLite files."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

import dramatiq
import pytest
from sqlmodel import SQLModel

from snapleads_app.core import tasks
from snapleads_app.core.db import get_engine, unit_of_work


def _until(predicate: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _bulk_tag_runs_the_automation(monkeypatch: pytest.MonkeyPatch) -> None:
    importlib.import_module("snapleads_app.domain.models_registry")
    SQLModel.metadata.create_all(get_engine())
    from snapleads_app.domain import reactions
    from snapleads_app.domain.automations import service as automations
    from snapleads_app.domain.automations.models import AutomationIn, RunFilter
    from snapleads_app.domain.leads import service as leads
    from snapleads_app.domain.leads.models import LeadFilter
    from tests.domain.automation_support import make_tag
    from tests.factories import make_lead, register_owner

    monkeypatch.setattr(reactions, "BULK_BATCH", 3)
    sent: list[dict[str, Any]] = []
    real_sender = tasks._sender
    assert real_sender is not None

    def counting(job: str, kwargs: dict[str, Any]) -> None:
        if job == reactions.JOB and kwargs["event"].get("bulk"):
            sent.append(kwargs)
        real_sender(job, kwargs)

    monkeypatch.setattr(tasks, "_sender", counting)
    owner = register_owner()
    hot, follow = make_tag(owner, "Hot"), make_tag(owner, "Follow-up")
    made = [make_lead(owner, platform="instagram") for _ in range(7)] + [
        make_lead(owner, platform="linkedin")
    ]
    with unit_of_work() as session:
        automations.create_automation(session=session, ctx=owner.ctx, data=AutomationIn(
            name="Hot instagram", trigger="tag_added", trigger_filter={"tag_id": hot, "platform": ["instagram"]},
            actions=[{"type": "add_tag", "tag_id": follow}]))  # fmt: skip
        result = leads.bulk(
            session=session, ctx=owner.ctx,
            data=leads.BulkIn(action="tag", filters=LeadFilter(), tag_ids=[hot]),
        )  # fmt: skip
    assert result.affected == 8
    assert [len(kw["lead_ids"]) for kw in sent] == [3, 3, 2]  # one job per batch, not one per lead

    def runs() -> list[Any]:
        with unit_of_work() as session:
            return automations.list_runs(session=session, ctx=owner.ctx, filters=RunFilter())

    assert _until(lambda: sorted((r.lead_id, r.status) for r in runs())
                  == sorted((m.id, "success") for m in made[:7])), runs()  # fmt: skip
    with unit_of_work() as session:
        got = {m.id: leads.get_lead(session=session, ctx=owner.ctx, lead_id=m.id).tag_ids for m in made}
    assert all(sorted(got[m.id]) == sorted([hot, follow]) for m in made[:7])
    assert got[made[7].id] == [hot]  # linkedin: the trigger filter left it alone


def test_bulk_tag_triggers_automations_in_the_embedded_worker(stub_broker: Any, monkeypatch) -> None:
    from workers import broker as wb

    assert wb.broker_kind() == "in-process" and wb.get_worker() is not None
    _bulk_tag_runs_the_automation(monkeypatch)


def test_bulk_tag_triggers_automations_through_redis(redis_broker: Any, monkeypatch) -> None:
    from workers import broker as wb

    assert wb.broker_kind() == "redis"
    worker = dramatiq.Worker(redis_broker, queues={"default"}, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        _bulk_tag_runs_the_automation(monkeypatch)
    finally:
        worker.stop(timeout=5_000)
