"""Runs an import job chunk by chunk, one unit of work per chunk (called by the `imports.run` actor).

Each chunk commits its leads, rejected rows, counts and resume point together; after a crash the next
run starts after the last committed row.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

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
        for chunk in _ahead(_prepared(plan, chunk_rows)):
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
                    prepared_rows=chunk.prepared,
                )
            if not keep_going:
                return
    except (service.ImportFileError, OSError) as exc:
        with unit_of_work() as session:
            service.finish_job(session=session, job_id=job_id, error=getattr(exc, "detail", None) or str(exc))
        return
    with unit_of_work() as session:
        service.finish_job(session=session, job_id=job_id)


def _prepared(plan: JobPlan, chunk_rows: int) -> Iterator[ChunkRows]:
    """The chunks with their rows normalised (skipping those committed by an earlier run)."""
    for chunk in _chunks(plan, chunk_rows):
        if chunk.end_row <= plan.processed:
            yield chunk
            continue
        prepared = service.prepare_rows(chunk.rows, default_platform=plan.platform, columns=chunk.columns)
        yield replace(chunk, prepared=prepared)


_DONE = object()


def _ahead(chunks: Iterator[ChunkRows], depth: int = 2) -> Iterator[ChunkRows]:
    """Read and normalise the next chunks in a thread while this one is written: the database works on
    one chunk (the GIL is released while psycopg waits) as Python prepares the next."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer(chunk):
                    return
            offer(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            offer(exc)

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


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
