"""Jobs the broker could not take (Redis down) are parked in the database and re-sent in order."""

from __future__ import annotations

from typing import Any

from snapleads_app.core import parked_jobs, tasks
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.parked_jobs import BrokerUnavailable


def _down(job: str, kwargs: dict[str, Any]) -> None:
    raise BrokerUnavailable("ConnectionError: connection refused")


def test_a_job_the_broker_refuses_is_parked_not_lost():
    tasks.install_sender(_down)
    tasks.enqueue("imports.run", job_id=1)
    tasks.enqueue("accounts.after_signup", user_id=2, workspace_id=3)
    assert parked_jobs.count() == 2


def test_parked_jobs_leave_oldest_first_once_the_broker_answers():
    tasks.install_sender(_down)
    tasks.enqueue("imports.run", job_id=1)
    tasks.enqueue("imports.run", job_id=2)

    assert parked_jobs.flush(_down) == 0  # still down: nothing sent, nothing deleted
    assert parked_jobs.count() == 2

    sent: list[tuple[str, dict[str, Any]]] = []
    assert parked_jobs.flush(lambda job, kwargs: sent.append((job, kwargs))) == 2
    assert sent == [("imports.run", {"job_id": 1}), ("imports.run", {"job_id": 2})]
    assert parked_jobs.count() == 0


def test_a_job_enqueued_after_commit_is_parked_when_the_broker_is_down():
    tasks.install_sender(_down)
    with unit_of_work() as session:
        tasks.enqueue_after_commit(session, "imports.run", job_id=9)
        assert parked_jobs.count() == 0  # nothing happens before the commit
    assert parked_jobs.count() == 1


def test_other_sender_errors_are_not_swallowed():
    def broken(job: str, kwargs: dict[str, Any]) -> None:
        raise LookupError("unknown job")

    tasks.install_sender(broken)
    try:
        tasks.enqueue("no.such_job")
    except LookupError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a programming error must surface, not be parked")
    assert parked_jobs.count() == 0


def test_the_redis_brokers_relay_sends_parked_jobs_once_it_is_used(redis_broker, declare_actor):
    """On the real Redis broker: jobs parked by a process that died are sent by the relay that a health
    check (or a send) starts in another process; the parked rows are then gone."""
    import time

    from snapleads_app.core.db import get_engine
    from workers import broker as wb

    # The `redis_broker` fixture runs on an empty SQLite file of its own: give it the one table.
    parked_jobs.ParkedJob.__table__.create(get_engine())  # type: ignore[attr-defined]
    name = declare_actor(lambda n: None)
    parked_jobs.park(name, {"n": 1}, "ConnectionError: refused (an earlier outage)")
    parked_jobs.park(name, {"n": 2}, "ConnectionError: refused (an earlier outage)")
    assert parked_jobs.count() == 2
    # The health check starts the relay (which may already have sent some jobs by the time it answers).
    assert wb.queue_status()["ok"] is True

    deadline = time.monotonic() + 10
    while parked_jobs.count() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert parked_jobs.count() == 0
    assert wb.queue_status()["queues"]["default"] == 2
