"""Embedded default (REDIS_URL unset): stub broker + in-process worker, driven through core.tasks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import dramatiq
import pytest
from sqlalchemy import text

from snapleads_app.core import tasks
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import NotFound, RateLimited
from workers import broker as wb

JOIN_MS = 5_000
FAST_RETRY = {"min_backoff": 10, "max_backoff": 20}


def test_setup_is_idempotent_and_becomes_the_global_broker(stub_broker: Any) -> None:
    assert wb.setup_broker() is stub_broker
    assert dramatiq.get_broker() is stub_broker
    assert wb.broker_kind() == "in-process"
    worker = wb.get_worker()
    assert worker is not None and len(worker.workers) == wb.IN_PROCESS_WORKER_THREADS
    status = wb.queue_status()
    assert status["broker"] == "in-process" and status["ok"] is True
    assert status["queues"] == {"bulk": 0, "default": 0}


def test_enqueue_runs_on_the_in_process_worker(
    stub_broker: Any, declare_actor: Callable[..., str], jobs_count: Callable[[str, str], float]
) -> None:
    seen: list[tuple[int, str]] = []

    def record(lead_id: int) -> None:
        seen.append((lead_id, threading.current_thread().name))

    name = declare_actor(record, max_retries=3)
    tasks.enqueue(name, lead_id=7)
    stub_broker.join("default", timeout=JOIN_MS)

    assert [lead_id for lead_id, _ in seen] == [7]
    assert seen[0][1] != threading.main_thread().name
    assert jobs_count(name, "success") == 1


def test_bulk_queue_is_consumed_too(stub_broker: Any, declare_actor: Callable[..., str]) -> None:
    seen: list[int] = []
    name = declare_actor(lambda n: seen.append(n), queue_name="bulk", max_retries=3)
    for n in range(3):
        tasks.enqueue(name, n=n)
    stub_broker.join("bulk", timeout=JOIN_MS)
    assert sorted(seen) == [0, 1, 2]


def test_retries_stop_at_the_actor_max_retries(
    stub_broker: Any, declare_actor: Callable[..., str], jobs_count: Callable[[str, str], float]
) -> None:
    attempts: list[int] = []

    def always_fails() -> None:
        attempts.append(1)
        raise RuntimeError("boom")

    name = declare_actor(always_fails, max_retries=2, **FAST_RETRY)
    tasks.enqueue(name)
    stub_broker.join("default", timeout=JOIN_MS, fail_fast=False)

    assert len(attempts) == 3  # the first try + 2 retries
    assert jobs_count(name, "retry") == 2
    assert jobs_count(name, "failure") == 1
    assert jobs_count(name, "success") == 0
    assert wb.queue_status()["dead"]["default"] == 1


def test_a_retry_that_succeeds(
    stub_broker: Any, declare_actor: Callable[..., str], jobs_count: Callable[[str, str], float]
) -> None:
    attempts: list[int] = []

    def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("transient")

    name = declare_actor(flaky, max_retries=3, **FAST_RETRY)
    tasks.enqueue(name)
    stub_broker.join("default", timeout=JOIN_MS)
    assert len(attempts) == 2
    assert (jobs_count(name, "retry"), jobs_count(name, "success"), jobs_count(name, "failure")) == (1, 1, 0)


def test_the_default_retry_budget_is_small(stub_broker: Any, declare_actor: Callable[..., str]) -> None:
    name = declare_actor(lambda: None)
    retries = next(m for m in stub_broker.middleware if isinstance(m, dramatiq.middleware.Retries))
    assert retries.max_retries == wb.DEFAULT_MAX_RETRIES <= 5
    assert retries.max_backoff <= 60 * 60_000
    assert stub_broker.get_actor(name).options == {}


def test_domain_errors_give_up_at_once(
    stub_broker: Any, declare_actor: Callable[..., str], jobs_count: Callable[[str, str], float]
) -> None:
    from workers.actors import GIVE_UP, domain_job

    attempts: list[int] = []

    def missing_row() -> None:
        attempts.append(1)
        raise NotFound("lead 1 is gone")

    name = declare_actor(domain_job(missing_row), max_retries=5, throws=GIVE_UP, **FAST_RETRY)
    tasks.enqueue(name)
    stub_broker.join("default", timeout=JOIN_MS, fail_fast=False)
    assert len(attempts) == 1
    assert jobs_count(name, "failure") == 1


def test_rate_limited_becomes_a_delayed_retry(stub_broker: Any) -> None:
    from workers.actors import domain_job

    @domain_job
    def throttled() -> None:
        raise RateLimited("slow down", retry_after=3)

    with pytest.raises(dramatiq.Retry) as excinfo:
        throttled()
    assert excinfo.value.delay == 3_000


def test_unknown_job_name_raises_clearly(stub_broker: Any) -> None:
    with pytest.raises(wb.UnknownJobError, match=r"unknown job 'no\.such_job'") as excinfo:
        tasks.enqueue("no.such_job", x=1)
    assert isinstance(excinfo.value, LookupError)


@pytest.fixture
def note_table(stub_broker: Any) -> None:
    with unit_of_work() as session:
        session.connection().execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))


def _note_reader(seen: list[str | None]) -> Callable[[int], None]:
    def read_note(note_id: int) -> None:
        with unit_of_work() as session:
            row = session.connection().execute(text("SELECT body FROM note WHERE id = :id"), {"id": note_id})
            seen.append(row.scalar_one_or_none())

    return read_note


def test_enqueue_after_commit_sends_only_after_the_commit(
    stub_broker: Any, note_table: None, declare_actor: Callable[..., str]
) -> None:
    seen: list[str | None] = []
    name = declare_actor(_note_reader(seen), max_retries=0)

    with unit_of_work() as session:
        session.connection().execute(text("INSERT INTO note (id, body) VALUES (1, 'hello')"))
        tasks.enqueue_after_commit(session, name, note_id=1)
        assert wb.queue_status()["queues"]["default"] == 0  # nothing sent before the commit
        assert seen == []

    stub_broker.join("default", timeout=JOIN_MS)
    assert seen == ["hello"]  # the worker found the committed row


def test_enqueue_after_commit_never_sends_on_rollback(
    stub_broker: Any,
    note_table: None,
    declare_actor: Callable[..., str],
    jobs_count: Callable[[str, str], float],
) -> None:
    seen: list[str | None] = []
    name = declare_actor(_note_reader(seen), max_retries=0)

    with pytest.raises(RuntimeError, match="abort"), unit_of_work() as session:
        session.connection().execute(text("INSERT INTO note (id, body) VALUES (2, 'never')"))
        tasks.enqueue_after_commit(session, name, note_id=2)
        raise RuntimeError("abort")

    # A later commit on a new unit of work must not flush the dropped job either.
    with unit_of_work() as session:
        session.connection().execute(text("INSERT INTO note (id, body) VALUES (3, 'other')"))

    stub_broker.join("default", timeout=JOIN_MS)
    assert seen == []
    assert jobs_count(name, "success") == jobs_count(name, "failure") == 0
    assert wb.queue_status()["queues"]["default"] == 0


def test_rebuilt_broker_redeclares_actors_and_shutdown_uninstalls_the_sender(
    stub_broker: Any, declare_actor: Callable[..., str]
) -> None:
    import workers.actors  # noqa: F401 - declares accounts.after_signup

    seen: list[int] = []
    name = declare_actor(lambda n: seen.append(n), max_retries=0)

    wb.shutdown_broker()
    with pytest.raises(RuntimeError, match="no task queue installed"):
        tasks.enqueue(name, n=1)
    assert wb.queue_status()["ok"] is False

    rebuilt = wb.setup_broker()
    assert rebuilt is not stub_broker
    assert {"accounts.after_signup", name} <= rebuilt.get_declared_actors()
    tasks.enqueue(name, n=2)
    rebuilt.join("default", timeout=JOIN_MS)
    assert seen == [2]
