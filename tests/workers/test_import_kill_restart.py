"""Fault injection with real processes: a Dramatiq worker killed (SIGKILL) in the middle of an import,
then restarted, ends with exactly the rows and counts of a clean run. PostgreSQL + Redis only."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from snapleads_app.core import redis_client, settings
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.imports import runner
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import ImportJob, ImportOptions, ImportRejectedRow
from snapleads_app.domain.leads.models import Lead
from tests.conftest import BACKEND, ROOT
from tests.factories import register_owner

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="needs Redis and worker processes (postgres run)"
)
ROWS = 30_000


def _write_csv(path: Path) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "Nome completo", "E-mail", "Seguidores"])
        for i in range(ROWS):
            n = rng.randrange(i) if i and rng.random() < 0.10 else i  # 10 % duplicates
            email = "not-an-email" if rng.random() < 0.05 else f"lead{n}@example.com"  # 5 % invalid
            writer.writerow(
                [f"lead_{n}", f"Lead {n}", email, f"{rng.randrange(100_000):,}".replace(",", ".")]
            )


def _submit(member, source: Path, tmp_path: Path) -> int:
    copy = tmp_path / f"upload-{member.workspace_id}.csv"
    shutil.copy(source, copy)
    inspection = imports.inspect_csv(copy)
    with unit_of_work() as session:
        job = imports.create_csv_job(
            session=session,
            ctx=member.ctx,
            upload=copy,
            file_name="big.csv",
            options=ImportOptions(platform="instagram"),
            mapping=inspection.mapping,
            layout=inspection.layout,
            total=inspection.estimated_rows,
        )
    return job.id


def _job(job_id: int) -> ImportJob:
    with unit_of_work() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dramatiq",
            "workers.actors",
            "--processes",
            "1",
            "--threads",
            "1",
            "--queues",
            "bulk",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _outcome(workspace_id: int, job_id: int) -> tuple[set[tuple[str, str | None, str | None]], int]:
    with unit_of_work() as session:
        rows = session.exec(
            select(Lead.profile_key, Lead.email, Lead.full_name).where(Lead.workspace_id == workspace_id)
        ).all()
        rejected = len(
            session.exec(select(ImportRejectedRow.id).where(ImportRejectedRow.job_id == job_id)).all()
        )
    return {tuple(r) for r in rows}, rejected  # type: ignore[misc]


def test_killed_worker_resumes_and_matches_a_clean_run(tmp_path):
    from workers import broker as worker_broker

    source = tmp_path / "big.csv"
    _write_csv(source)
    clean_owner, owner = register_owner(), register_owner()

    clean_id = _submit(clean_owner, source, tmp_path)  # the reference: processed in this process
    runner.run(clean_id)
    clean = _job(clean_id)
    assert clean.status == "completed"

    env = {**os.environ, "WORKER_HEARTBEAT_TIMEOUT_MS": "1500", "WORKER_MAINTENANCE_CHANCE": "1000000"}
    worker_broker.shutdown_broker()
    # Settings cached by an earlier test may predate this run's environment: read it afresh.
    settings.get_settings.cache_clear()
    redis_client.get_redis.cache_clear()
    assert settings.get_settings().redis_url == os.environ["REDIS_URL"]
    worker_broker.setup_broker()  # Redis: the job is sent to the `bulk` queue after commit
    assert worker_broker.broker_kind() == "redis"
    try:
        job_id = _submit(owner, source, tmp_path)
        worker = _start_worker(env)
        deadline = time.monotonic() + 60
        while _job(job_id).processed == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(worker.pid, signal.SIGKILL)  # mid-job, no chance to clean up
        worker.wait(timeout=10)
        killed_at = _job(job_id)
        assert 0 < killed_at.processed < clean.processed, "the kill must land in the middle of the job"
        restarted = _start_worker(env)
        try:
            deadline = time.monotonic() + 90
            while _job(job_id).status != "completed" and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            os.killpg(restarted.pid, signal.SIGTERM)
            restarted.wait(timeout=20)
    finally:
        worker_broker.shutdown_broker()
    done = _job(job_id)
    assert done.status == "completed", done.error
    counts = ("total", "created", "updated", "duplicates", "errors")
    assert {c: getattr(done, c) for c in counts} == {c: getattr(clean, c) for c in counts}
    assert _outcome(owner.workspace_id, job_id) == _outcome(clean_owner.workspace_id, clean_id)
