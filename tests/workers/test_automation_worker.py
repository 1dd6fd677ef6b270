"""Automations through real Dramatiq worker processes on Redis: a run waits (a delayed message), the
worker is killed (SIGKILL) during the wait, a new worker picks the wait up and the run finishes once.
PostgreSQL + Redis only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from snapleads_app.core import redis_client, settings
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.automations import service as automations
from snapleads_app.domain.automations.models import RunFilter
from snapleads_app.domain.leads import service as leads
from tests.conftest import BACKEND, ROOT
from tests.domain.automation_support import make_automation, make_tag
from tests.factories import add_member, make_lead, register_owner

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="needs Redis and worker processes (postgres run)"
)
MINUTE_SECONDS = 3  # a "minute" of the automation's wait lasts 3 s in the worker processes


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "workers.actors", "--processes", "1", "--threads", "2",
         "--queues", "default"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _runs(member):
    with unit_of_work() as session:
        return automations.list_runs(session=session, ctx=member.ctx, filters=RunFilter())


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_wait_survives_a_killed_worker_and_finishes_once():
    from workers import broker as worker_broker

    env = {
        **os.environ,
        "AUTOMATION_MINUTE_SECONDS": str(MINUTE_SECONDS),
        "WORKER_HEARTBEAT_TIMEOUT_MS": "1500",
        "WORKER_MAINTENANCE_CHANCE": "1000000",
    }
    worker_broker.shutdown_broker()
    settings.get_settings.cache_clear()
    redis_client.get_redis.cache_clear()
    worker_broker.setup_broker()
    assert worker_broker.broker_kind() == "redis"
    owner = register_owner()
    agent = add_member(owner, "agent")
    first, second = make_tag(owner, "First touch"), make_tag(owner, "Follow-up")
    make_automation(
        owner, name="Drip", trigger="lead_created", trigger_filter={"platform": ["instagram"]},
        actions=[{"type": "add_tag", "tag_id": first}, {"type": "assign", "mode": "fixed", "user_id": agent.user_id},
                 {"type": "wait", "amount": 2, "unit": "minutes"}, {"type": "add_tag", "tag_id": second}],
    )  # fmt: skip
    worker = _worker(env)
    restarted = None
    try:
        lead = make_lead(owner, platform="instagram")  # the reactions job goes to Redis after commit
        assert _wait_for(lambda: [r.status for r in _runs(owner)] == ["waiting"], 60), _runs(owner)
        os.killpg(worker.pid, signal.SIGKILL)  # the delayed resume was fetched by this worker: lost with it?
        worker.wait(timeout=10)
        with unit_of_work() as session:
            assert leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id).tag_ids == [first]
        restarted = _worker(env)
        assert _wait_for(lambda: [r.status for r in _runs(owner)] == ["success"], 60), _runs(owner)
    finally:
        for process in (worker, restarted):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
        worker_broker.shutdown_broker()
    [run] = _runs(owner)
    assert [s["type"] for s in run.steps] == ["add_tag", "assign", "wait", "add_tag"]
    assert run.finished_at is not None
    waited = (run.finished_at - run.started_at).total_seconds()
    assert waited >= 2 * MINUTE_SECONDS
    with unit_of_work() as session:
        got = leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id)
    assert sorted(got.tag_ids) == sorted([first, second]) and got.assignee_id == agent.user_id
