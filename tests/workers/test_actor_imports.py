"""imports.run on the bulk queue: the in-process broker (embedded) and a RedisBroker with a real worker."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import dramatiq
import pytest
from sqlmodel import SQLModel, select

from snapleads_app.core.db import get_engine, unit_of_work

JOIN_MS = 15_000


def _prepare() -> Any:
    importlib.import_module("snapleads_app.domain.models_registry")
    import workers.actors  # noqa: F401 - declares the actors on the fresh broker

    SQLModel.metadata.create_all(get_engine())
    return importlib.import_module("snapleads_app.domain.imports.service")


def _submit(count: int) -> tuple[Any, int]:
    from tests.factories import register_owner

    imports = importlib.import_module("snapleads_app.domain.imports.service")
    from snapleads_app.domain.imports.models import BatchImportIn

    owner = register_owner()
    leads = [{"platform": "instagram", "username": f"w{i}"} for i in range(count)]
    with unit_of_work() as session:
        job = imports.create_batch_job(
            session=session, ctx=owner.ctx, data=BatchImportIn.model_validate({"leads": leads})
        )
    return owner, job.id


def _job(owner: Any, job_id: int) -> Any:
    imports = importlib.import_module("snapleads_app.domain.imports.service")
    with unit_of_work() as session:
        return imports.get_job(session=session, ctx=owner.ctx, job_id=job_id)


def test_import_runs_on_the_bulk_queue_in_process(stub_broker: Any) -> None:
    _prepare()
    actor = stub_broker.get_actor("imports.run")
    assert (actor.queue_name, actor.options["max_retries"]) == ("bulk", 5)
    owner, job_id = _submit(30)
    stub_broker.join("bulk", timeout=JOIN_MS)
    job = _job(owner, job_id)
    assert (job.status, job.created) == ("completed", 30)


@pytest.fixture
def bulk_worker(redis_broker: Any) -> Iterator[Callable[[], dramatiq.Worker]]:
    started: list[dramatiq.Worker] = []

    def _start() -> dramatiq.Worker:
        worker = dramatiq.Worker(redis_broker, queues={"bulk"}, worker_threads=1, worker_timeout=100)
        worker.start()
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.stop()


def test_import_runs_through_redis_exactly_once_even_when_delivered_twice(
    redis_broker: Any, bulk_worker: Callable[[], dramatiq.Worker]
) -> None:
    _prepare()
    owner, job_id = _submit(50)
    redis_broker.get_actor("imports.run").send(job_id=job_id)  # a duplicate delivery of the same job
    bulk_worker()
    redis_broker.join("bulk", timeout=JOIN_MS)
    job = _job(owner, job_id)
    from snapleads_app.domain.leads.models import Lead

    with unit_of_work() as session:
        rows = session.exec(select(Lead).where(Lead.workspace_id == owner.workspace_id)).all()
    assert (job.status, job.created, len(rows)) == ("completed", 50, 50)
