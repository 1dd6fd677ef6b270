"""Runs an import job chunk by chunk, one unit of work per chunk (called by the `imports.run` actor).

Each chunk commits its leads, rejected rows, counts and resume point together; after a crash the next
run starts after the last committed row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.imports import service
from snapleads_app.domain.imports.service import JobPlan

log = logging.getLogger(__name__)
CHUNK_ROWS = 2_000


Chunk = tuple[int, list[dict[str, Any]], dict[str, str] | None, list[tuple[int, str]]]


def run(job_id: int, *, chunk_rows: int = CHUNK_ROWS) -> None:
    with unit_of_work() as session:
        plan = service.start_job(session=session, job_id=job_id)
    if plan is None:
        return
    try:
        for first_row, rows, columns, bad_rows in _chunks(plan, chunk_rows):
            if first_row + len(rows) + len(bad_rows) - 1 <= plan.processed:
                continue  # committed by an earlier run
            with unit_of_work() as session:
                keep_going = service.apply_chunk(
                    session=session,
                    job_id=job_id,
                    first_row=first_row,
                    rows=rows,
                    columns=columns,
                    bad_rows=bad_rows,
                )
            if not keep_going:
                return
    except service.ImportFileError as exc:
        with unit_of_work() as session:
            service.finish_job(session=session, job_id=job_id, error=exc.detail)
        return
    with unit_of_work() as session:
        service.finish_job(session=session, job_id=job_id)


def _chunks(plan: JobPlan, chunk_rows: int) -> Iterator[Chunk]:
    if plan.source == "csv":
        yield from service.csv_chunks(Path(plan.file_path or ""), plan.layout, plan.mapping, chunk_rows)
        return
    with unit_of_work() as session:
        rows = service.batch_rows(session=session, job_id=plan.job_id)
    for start in range(0, len(rows), chunk_rows):
        yield start + 1, rows[start : start + chunk_rows], None, []
