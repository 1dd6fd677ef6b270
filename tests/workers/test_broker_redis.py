"""Full topology: RedisBroker on real Redis (db 15, a key namespace per test), a real Worker in-thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker

from snapleads_app.core import tasks
from workers import broker as wb

JOIN_MS = 5_000


@pytest.fixture
def run_worker(redis_broker: Any) -> Iterator[Callable[..., dramatiq.Worker]]:
    """Start a real dramatiq Worker (as a `dramatiq` process would) on the test broker; stopped after."""
    started: list[dramatiq.Worker] = []

    def _start(queues: set[str] | None = None) -> dramatiq.Worker:
        worker = dramatiq.Worker(redis_broker, queues=queues, worker_threads=1, worker_timeout=100)
        worker.start()
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.stop(timeout=5_000)


def test_setup_builds_a_redis_broker_without_an_in_process_worker(redis_broker: Any) -> None:
    assert isinstance(redis_broker, RedisBroker)
    assert dramatiq.get_broker() is redis_broker
    assert wb.broker_kind() == "redis"
    assert wb.get_worker() is None  # the app only sends; `dramatiq workers.actors` processes consume


def test_enqueue_reports_depth_then_a_worker_executes_it(
    redis_broker: Any,
    declare_actor: Callable[..., str],
    run_worker: Callable[..., dramatiq.Worker],
    jobs_count: Callable[[str, str], float],
) -> None:
    seen: list[int] = []
    name = declare_actor(lambda lead_id: seen.append(lead_id), max_retries=3)

    tasks.enqueue(name, lead_id=1)
    tasks.enqueue(name, lead_id=2)
    status = wb.queue_status()
    assert status["broker"] == "redis" and status["ok"] is True
    assert status["queues"] == {"bulk": 0, "default": 2}

    run_worker({"default"})
    redis_broker.join("default", timeout=JOIN_MS)

    assert sorted(seen) == [1, 2]
    assert jobs_count(name, "success") == 2
    assert wb.queue_status()["queues"]["default"] == 0


def test_retries_on_redis_honour_max_retries(
    redis_broker: Any,
    declare_actor: Callable[..., str],
    run_worker: Callable[..., dramatiq.Worker],
    jobs_count: Callable[[str, str], float],
) -> None:
    attempts: list[int] = []

    def always_fails() -> None:
        attempts.append(1)
        raise RuntimeError("boom")

    name = declare_actor(always_fails, max_retries=1, min_backoff=10, max_backoff=20)
    tasks.enqueue(name)
    worker = run_worker()
    redis_broker.join("default", timeout=JOIN_MS)
    worker.join()

    assert len(attempts) == 2
    assert (jobs_count(name, "retry"), jobs_count(name, "failure")) == (1, 1)
    assert wb.queue_status()["dead"]["default"] == 1


def test_unknown_job_name_raises_on_redis_too(redis_broker: Any) -> None:
    with pytest.raises(wb.UnknownJobError, match="unknown job"):
        tasks.enqueue("no.such_job")


def test_queue_status_reports_redis_down_without_raising(
    monkeypatch: pytest.MonkeyPatch, redis_broker: Any
) -> None:
    from snapleads_app.core import settings

    wb.shutdown_broker()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/0")  # nothing listens there
    settings.get_settings.cache_clear()
    wb.setup_broker()

    status = wb.queue_status()
    assert status["broker"] == "redis"
    assert status["ok"] is False
    assert status["queues"] == {}
    assert "error" in status
