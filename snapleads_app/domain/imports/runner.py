"""Runs an import job chunk by chunk, one unit of work per chunk (called by the `imports.run` actor).

Each chunk commits its leads, rejected rows, counts and resume point together; after a crash the next
run starts after the last committed row.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.imports import service
from snapleads_app.domain.imports.service import ChunkRows, JobPlan

CHUNK_ROWS = 5_000


def run(job_id: int, *, chunk_rows: int = CHUNK_ROWS) -> None:
    with unit_of_work() as session:
        plan = service.start_job(session=session, job_id=job_id)
    if plan is None:
        return
    try:
        for chunk in _chunks(plan, chunk_rows):
            if chunk.end_row <= plan.processed:
                continue  # committed by an earlier run
            with unit_of_work() as session:
                keep_going = service.apply_chunk(
                    session=session,
                    job_id=job_id,
                    rows=chunk.rows,
                    end_row=chunk.end_row,
                    columns=chunk.columns,
                    bad_rows=chunk.bad_rows,
                    originals=chunk.originals,
                )
            if not keep_going:
                return
    except (service.ImportFileError, OSError) as exc:
        with unit_of_work() as session:
            service.finish_job(session=session, job_id=job_id, error=getattr(exc, "detail", None) or str(exc))
        return
    with unit_of_work() as session:
        service.finish_job(session=session, job_id=job_id)


def _chunks(plan: JobPlan, chunk_rows: int) -> Iterator[ChunkRows]:
    if plan.source == "csv":
        yield from service.csv_chunks(Path(plan.file_path or ""), plan.layout, plan.mapping, chunk_rows)
        return
    with unit_of_work() as session:
        rows = service.batch_rows(session=session, job_id=plan.job_id)
    for start in range(0, len(rows), chunk_rows):
        part = rows[start : start + chunk_rows]
        yield ChunkRows(
            rows=[(start + i + 1, data) for i, data in enumerate(part)], end_row=start + len(part)
        )
