"""Import use cases — one pipeline for every source (CSV upload, extension batch, API):
parse → map → normalise/validate per row (the leads rules) → dedupe in the batch and against the
workspace → write in batches → count → report.

A job is processed chunk by chunk; each chunk is one transaction that writes its leads, its rejected
rows and the job's counts and resume point together, so a worker killed mid-job (or a retried message)
resumes after the last committed chunk: no duplicate, no lost row.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from pydantic import TypeAdapter
from sqlalchemy import func
from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.db import on_commit
from snapleads_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from snapleads_app.core.events import DomainEvent, publish_after_commit
from snapleads_app.core.settings import get_settings
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain import reactions
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts.models import Membership
from snapleads_app.domain.imports import csv_reader, repo, rules, values
from snapleads_app.domain.imports import mapping as mapping_rules
from snapleads_app.domain.imports.models import (
    BatchImportIn,
    BatchLeadIn,
    ImportJob,
    ImportJobPublic,
    ImportOptions,
    ImportRejectedRow,
    MappingPreset,
    MappingPresetIn,
    MappingPresetPublic,
)
from snapleads_app.domain.leads import repo as leads_repo
from snapleads_app.domain.leads.rules import csv_cell
from snapleads_app.domain.pipelines import service as pipelines
from snapleads_app.domain.tags import service as tags

IMPORT_JOB = "imports.run"
UPLOAD_DIR = get_settings().upload_dir
log = logging.getLogger(__name__)
FINAL = ("completed", "failed", "cancelled")


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet")
    return value


def public(job: ImportJob) -> ImportJobPublic:
    return ImportJobPublic.model_validate(
        {
            **job.model_dump(),
            "progress": 100.0 if job.status == "completed" else rules.progress(job.processed, job.total),
        }
    )


def _sees_all(ctx: Ctx) -> bool:
    """Imports follow the leads visibility rule: who sees only assigned leads sees only their own imports."""
    return account_rules.can(ctx.role, "leads.see_all")


def _manages(ctx: Ctx) -> bool:
    """Shared import settings (saved mappings) are the managers': a viewer sees all but changes nothing."""
    return account_rules.can(ctx.role, "leads.edit_all")


def _load(session: Session, ctx: Ctx, job_id: int, *, for_update: bool = False) -> ImportJob:
    stmt = select(ImportJob).where(col(ImportJob.id) == job_id, ImportJob.workspace_id == ctx.workspace_id)
    if for_update:
        stmt = stmt.with_for_update()
    job = session.exec(stmt).first()
    if job is None or (not _sees_all(ctx) and job.created_by_id != ctx.user_id):
        raise NotFound("Import not found", code="import_not_found")
    return job


def _check_options(session: Session, ctx: Ctx, options: ImportOptions) -> list[int]:
    if not account_rules.can(ctx.role, "leads.create"):
        raise PermissionDenied("Your role cannot import leads", code="forbidden_for_role")
    if options.assignee_policy != "none" and not account_rules.can(ctx.role, "leads.assign"):
        raise PermissionDenied("Your role cannot assign leads", code="forbidden_for_role")
    if options.assignee_policy == "fixed":
        if options.assignee_id is None:
            raise InvalidInput(
                "Choose who receives the leads", code="assignee_required", errors={"assignee_id": "required"}
            )
        member = session.exec(
            select(Membership).where(
                Membership.workspace_id == ctx.workspace_id, Membership.user_id == options.assignee_id
            )
        ).first()
        if member is None:
            raise NotFound("Assignee is not a member of this workspace", code="assignee_not_found")
    return tags.ensure_by_names(session=session, ctx=ctx, names=options.tags)


def _new_job(session: Session, ctx: Ctx, options: ImportOptions, **fields: Any) -> ImportJob:
    tag_ids = _check_options(session, ctx, options)
    job = ImportJob(
        workspace_id=ctx.workspace_id,
        created_by_id=ctx.user_id,
        platform=options.platform,
        duplicate_policy=options.duplicate_policy,
        assignee_policy=options.assignee_policy,
        assignee_id=options.assignee_id if options.assignee_policy == "fixed" else None,
        # Agents' imports are theirs: their leads are assigned to them.
        tag_ids=tag_ids,
        **fields,
    )
    if not _sees_all(ctx):  # they would not see unassigned leads: their imports are assigned to them
        job.assignee_policy, job.assignee_id = "fixed", ctx.user_id
    session.add(job)
    session.flush()
    enqueue_after_commit(session, IMPORT_JOB, job_id=job.id)
    publish_after_commit(
        session,
        DomainEvent(
            type="import.progress",
            workspace_id=ctx.workspace_id,
            data={"job": public(job).model_dump(mode="json")},
        ),
    )
    return job


def create_batch_job(*, session: Session, ctx: Ctx, data: BatchImportIn) -> ImportJobPublic:
    """Extension/API batch: stored with the job (≤ 5 MB), processed by the same worker as a CSV."""
    # Serialised by pydantic-core in one call (no per-lead dicts, no json.dumps): see ImportJob.payload.
    payload = _BATCH_LEADS.dump_json(data.leads, exclude_none=True).decode()
    job = _new_job(
        session,
        ctx,
        data,
        source=data.source,
        source_url=data.source_url,
        payload=payload,
        total=len(data.leads),
    )
    return public(job)


_BATCH_LEADS = TypeAdapter(list[BatchLeadIn])


def create_csv_job(
    *,
    session: Session,
    ctx: Ctx,
    upload: Path,
    file_name: str,
    options: ImportOptions,
    mapping: dict[str, str],
    layout: dict[str, Any],
    total: int,
) -> ImportJobPublic:
    """A CSV already sniffed and mapped by the caller (the wizard or the API); the file is moved into the
    upload folder owned by the job."""
    job = _new_job(
        session,
        ctx,
        options,
        source="csv",
        file_name=file_name[:255],
        mapping=mapping,
        layout=layout,
        total=total,
    )
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    target = UPLOAD_DIR / f"job-{job.id}.csv"
    shutil.move(str(upload), target)
    job.file_path = str(target)
    return public(job)


ABANDONED_UPLOAD_SECONDS = 24 * 60 * 60
_PURGE_EVERY_SECONDS = 60 * 60
_last_purge: dict[str, float] = {}


def purge_abandoned_uploads(*, older_than: float = ABANDONED_UPLOAD_SECONDS, now: float | None = None) -> int:
    """Delete `incoming-*` uploads no job took over (a wizard left at the preview, a failed request) once
    they are a day old; returns how many went. Files of jobs (`job-*`) are never touched here."""
    if not UPLOAD_DIR.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    for path in UPLOAD_DIR.glob("incoming-*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process purged it first
            continue
    if removed:
        log.info("purged abandoned uploads", extra={"removed": removed})
    return removed


def _purge_now_and_then() -> None:
    """Every new upload sweeps the old ones, at most once an hour per process (no scheduler needed)."""
    last = _last_purge.get("at")
    if last is None or time.monotonic() - last >= _PURGE_EVERY_SECONDS:
        _last_purge["at"] = time.monotonic()
        try:
            purge_abandoned_uploads()
        except OSError:
            log.exception("purging abandoned uploads failed")


def store_upload(source: BinaryIO) -> Path:
    """Copy an uploaded file (streamed, 1 MB at a time) to a private path an import job can take over."""
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    _purge_now_and_then()
    target = UPLOAD_DIR / f"incoming-{uuid.uuid4().hex}.csv"
    source.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, length=1024 * 1024)
    return target


def get_job(*, session: Session, ctx: Ctx, job_id: int) -> ImportJobPublic:
    return public(_load(session, ctx, job_id))


def list_jobs(*, session: Session, ctx: Ctx, limit: int = 50) -> list[ImportJobPublic]:
    stmt = select(ImportJob).where(ImportJob.workspace_id == ctx.workspace_id)
    if not _sees_all(ctx):
        stmt = stmt.where(ImportJob.created_by_id == ctx.user_id)
    stmt = stmt.order_by(col(ImportJob.created_at).desc(), col(ImportJob.id).desc()).limit(
        min(max(limit, 1), 100)
    )
    return [public(job) for job in session.exec(stmt)]


def cancel_job(*, session: Session, ctx: Ctx, job_id: int) -> ImportJobPublic:
    """Stop after the current chunk; rows already written stay (the job says how many)."""
    job = _load(session, ctx, job_id, for_update=True)
    if not account_rules.can(ctx.role, "leads.create"):
        raise PermissionDenied("Your role cannot cancel imports", code="forbidden_for_role")
    if job.status in FINAL:
        raise Conflict(f"The import is already {job.status}", code="import_finished")
    job.cancel_requested = True
    if job.status == "queued":
        _finish(session, job, "cancelled")
    return public(job)


def rejected_rows_csv(*, session: Session, ctx: Ctx, job_id: int) -> Iterator[str]:
    """The rejected rows with their original columns plus `error` (UTF-8 with BOM)."""
    job = _load(session, ctx, job_id)
    rows = session.exec(
        select(ImportRejectedRow)
        .where(ImportRejectedRow.job_id == job.id)
        .order_by(col(ImportRejectedRow.row_number))
    ).all()
    # The file's column order (JSONB does not keep key order), then any other key (e.g. "raw").
    present = {k for row in rows for k in row.data}
    file_order = [h for h in job.layout.get("headers", []) if h in present]
    columns: list[str] = list(dict.fromkeys([*file_order, *sorted(present)]))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", *columns, "error"])
    for row in rows:
        writer.writerow([row.row_number, *(csv_cell(row.data.get(c)) for c in columns), csv_cell(row.error)])
    yield "\ufeff" + buffer.getvalue()


# ---------------------------------------------------------------- processing (called by the worker)


@dataclass(frozen=True)
class JobPlan:
    job_id: int
    source: str
    file_path: str | None
    layout: dict[str, Any]
    mapping: dict[str, str]
    processed: int
    platform: str | None = None  # the job's default platform (rows without one)


def start_job(*, session: Session, job_id: int) -> JobPlan | None:
    """Mark the job processing and say where to resume; None when there is nothing to do."""
    job = session.exec(select(ImportJob).where(col(ImportJob.id) == job_id).with_for_update()).first()
    if job is None or job.status in FINAL:
        return None
    if job.cancel_requested:
        _finish(session, job, "cancelled")
        return None
    if job.status == "queued":
        job.status = "processing"
        job.started_at = clock.now()
    return JobPlan(
        job_id=job_id,
        source=job.source,
        file_path=job.file_path,
        layout=job.layout,
        mapping=job.mapping,
        processed=job.processed,
        platform=job.platform,
    )


def batch_rows(*, session: Session, job_id: int) -> list[dict[str, Any]]:
    job = session.get(ImportJob, job_id)
    return orjson.loads(job.payload) if job and job.payload else []


def apply_chunk(
    *,
    session: Session,
    job_id: int,
    rows: list[tuple[int, dict[str, Any]]],
    end_row: int,
    columns: dict[str, str] | None = None,
    bad_rows: list[tuple[int, str]] | None = None,
    originals: dict[int, dict[str, Any]] | None = None,
    prepared_rows: list[rules.PreparedRow | rules.RejectedRow] | None = None,
) -> bool:
    """Write one chunk: `rows` are (row number, lead fields), `end_row` the last row number the chunk
    consumed. Returns False when the job must stop (cancelled or finished). Idempotent: rows at or below
    the job's resume point were committed before (a crash or a retried message) and are skipped.
    `prepared_rows`: the rows already through `prepare_rows` (the runner prepares the next chunk while
    this one is written)."""
    job = session.exec(select(ImportJob).where(col(ImportJob.id) == job_id).with_for_update()).first()
    if job is None or job.status in FINAL:
        return False
    if job.cancel_requested:
        _finish(session, job, "cancelled")
        return False
    resume_point = job.processed
    if end_row <= resume_point:
        return True
    prepared: list[rules.PreparedRow] = []
    rejected: list[rules.RejectedRow] = []
    if prepared_rows is None:
        prepared_rows = prepare_rows(rows, default_platform=job.platform, columns=columns)
    for outcome in prepared_rows:
        if outcome.row_number <= resume_point:
            continue
        if isinstance(outcome, rules.PreparedRow):
            prepared.append(outcome)
        else:
            rejected.append(outcome)
    kept, in_batch_duplicates = rules.dedupe(prepared)
    result = repo.write_batch(session, _batch_context(session, job), kept, _row_tag_ids(session, job, kept))
    for row in rejected:
        session.add(
            ImportRejectedRow(
                job_id=_id(job.id),
                row_number=row.row_number,
                data=(originals or {}).get(
                    row.row_number, row.data
                ),  # the user's columns, to fix and re-import
                error=row.error,
            )
        )
    new_bad_rows = [(n, raw) for n, raw in bad_rows or [] if n > resume_point]
    for row_number, raw in new_bad_rows:
        session.add(
            ImportRejectedRow(
                job_id=_id(job.id), row_number=row_number, data={"raw": raw}, error="wrong number of columns"
            )
        )
    job.processed = end_row
    job.total = max(job.total, end_row)
    job.created += len(result.created_ids)
    job.updated += len(result.updated_ids)
    job.duplicates += result.duplicates + in_batch_duplicates
    job.errors += len(rejected) + len(new_bad_rows)
    if job.assignee_policy == "round_robin":
        job.round_robin_offset += len(result.created_ids)
    publish_after_commit(
        session,
        DomainEvent(
            type="import.progress",
            workspace_id=job.workspace_id,
            data={"job": public(job).model_dump(mode="json")},
        ),
    )
    reactions.after_leads_imported(
        session, workspace_id=job.workspace_id, job_id=job.id, lead_ids=result.created_ids
    )
    if result.created_ids:
        # The hook for scoring and `lead.created` automations: one event per batch, never per row.
        publish_after_commit(
            session,
            DomainEvent(
                type="lead.imported",
                workspace_id=job.workspace_id,
                data={
                    "job_id": job.id,
                    "count": len(result.created_ids),
                    "ids": result.created_ids,
                    "via": "worker",
                },
            ),
        )
    return True


def _row_tag_ids(session: Session, job: ImportJob, rows: list[rules.PreparedRow]) -> dict[int, list[int]]:
    """The job's tags plus each row's own (a "tags" column), created on first use."""
    names = list(dict.fromkeys(name for row in rows for name in row.tags))
    by_name: dict[str, int] = {}
    if names:
        ctx = Ctx(user_id=job.created_by_id, workspace_id=job.workspace_id, role="owner", via="worker")
        ids = tags.ensure_by_names(session=session, ctx=ctx, names=names)
        by_name = {name.lower(): tag_id for name, tag_id in zip(names, ids, strict=True)}
    return {
        row.row_number: list(dict.fromkeys([*job.tag_ids, *(by_name[n.lower()] for n in row.tags)]))
        for row in rows
    }


def finish_job(*, session: Session, job_id: int, error: str | None = None) -> None:
    job = session.exec(select(ImportJob).where(col(ImportJob.id) == job_id).with_for_update()).first()
    if job is None or job.status in FINAL:
        return
    if job.source == "csv" and error is None and not job.cancel_requested:
        # The estimate from the file size becomes the exact count of records read (blank lines aside).
        job.total = job.created + job.updated + job.duplicates + job.errors
    if error is not None:
        job.error = error[:1000]
        _finish(session, job, "failed")
    else:
        _finish(session, job, "cancelled" if job.cancel_requested else "completed")


def _finish(session: Session, job: ImportJob, status: str) -> None:
    job.status = status
    job.finished_at = clock.now()
    job.payload = None  # the batch is written; keep no personal data longer than needed
    if job.file_path:
        path = Path(job.file_path)
        on_commit(session, lambda: path.unlink(missing_ok=True))
    enqueue_after_commit(session, "notifications.import_finished", job_id=job.id)
    if status == "completed":
        reactions.after_import_completed(
            session,
            workspace_id=job.workspace_id,
            job_id=_id(job.id),
            job=public(job).model_dump(mode="json"),
        )
    publish_after_commit(
        session,
        DomainEvent(
            type="import.completed" if status == "completed" else "import.progress",
            workspace_id=job.workspace_id,
            data={"job": public(job).model_dump(mode="json")},
        ),
    )


def _batch_context(session: Session, job: ImportJob) -> repo.BatchContext:
    stage = pipelines.stage_for_status(session=session, workspace_id=job.workspace_id, status="new")
    return repo.BatchContext(
        workspace_id=job.workspace_id,
        user_id=job.created_by_id,
        via="worker",
        source=job.source,
        source_url=job.source_url,
        pipeline_id=stage.pipeline_id,
        stage_id=_id(stage.id),
        base_position=leads_repo.position_at_end(session, _id(stage.id)),
        policy=job.duplicate_policy,
        assignees=_assignees(session, job),
        now=clock.now(),
    )


def _assignees(session: Session, job: ImportJob) -> list[int | None]:
    if job.assignee_policy == "fixed":
        return [job.assignee_id]
    if job.assignee_policy == "round_robin":
        agents = list(
            session.exec(
                select(Membership.user_id)
                .where(Membership.workspace_id == job.workspace_id, Membership.role == "agent")
                .order_by(col(Membership.user_id))
            )
        )
        if agents:
            offset = job.round_robin_offset % len(agents)
            return [*agents[offset:], *agents[:offset]]
    return [None]


# ---------------------------------------------------------------- CSV


@dataclass(frozen=True)
class CsvInspection:
    """What the wizard shows before the import starts: the detected layout, a preview, the mapping."""

    layout: dict[str, Any]
    headers: list[str]
    preview: list[dict[str, str | None]]
    mapping: dict[str, str]
    estimated_rows: int


def inspect_csv(path: Path, *, has_header_row: bool | None = None) -> CsvInspection:
    """Sniff encoding and separator, preview the first rows and propose a mapping (raises ImportFileError)."""
    layout = csv_reader.sniff(path)
    if has_header_row is not None and has_header_row != layout.has_header_row:
        layout = csv_reader.with_header_row(layout, has_header_row)
    return CsvInspection(
        layout=_layout_dict(layout),
        headers=list(layout.headers),
        preview=csv_reader.preview(path, layout),
        mapping=mapping_rules.auto_map(layout.headers),
        estimated_rows=layout.estimated_rows,
    )


# ---------------------------------------------------------------- mapping presets


def list_presets(*, session: Session, ctx: Ctx) -> list[MappingPresetPublic]:
    stmt = (
        select(MappingPreset)
        .where(MappingPreset.workspace_id == ctx.workspace_id)
        .order_by(func.lower(MappingPreset.name), col(MappingPreset.id))
    )
    return [_preset_public(p) for p in session.exec(stmt)]


def save_preset(*, session: Session, ctx: Ctx, data: MappingPresetIn) -> MappingPresetPublic:
    """Save a mapping under a name for the workspace; the same name (any case) replaces the old one —
    only for roles that manage the team's work (an agent may add presets, not overwrite them)."""
    if not account_rules.can(ctx.role, "leads.create"):
        raise PermissionDenied("Your role cannot import leads", code="forbidden_for_role")
    problems = mapping_rules.mapping_problems(data.mapping)
    if problems:
        raise InvalidInput(
            "The column mapping is not valid",
            code="invalid_mapping",
            errors={f"mapping.{header}": code for header, code in problems.items()},
        )
    preset = session.exec(
        select(MappingPreset).where(
            MappingPreset.workspace_id == ctx.workspace_id,
            func.lower(MappingPreset.name) == data.name.lower(),
        )
    ).first()
    if preset is None:
        preset = MappingPreset(workspace_id=ctx.workspace_id, name=data.name, mapping=data.mapping)
        session.add(preset)
    else:
        if not _manages(ctx):
            raise PermissionDenied("Only managers can replace a saved mapping", code="forbidden_for_role")
        preset.name, preset.mapping = data.name, dict(data.mapping)
    session.flush()
    return _preset_public(preset)


def delete_preset(*, session: Session, ctx: Ctx, preset_id: int) -> None:
    preset = session.exec(
        select(MappingPreset).where(
            col(MappingPreset.id) == preset_id, MappingPreset.workspace_id == ctx.workspace_id
        )
    ).first()
    if preset is None:
        raise NotFound("Saved mapping not found", code="preset_not_found")
    if not _manages(ctx):
        raise PermissionDenied("Only managers can delete a saved mapping", code="forbidden_for_role")
    session.delete(preset)


def _preset_public(preset: MappingPreset) -> MappingPresetPublic:
    return MappingPresetPublic(
        id=_id(preset.id), name=preset.name, mapping=dict(preset.mapping), created_at=preset.created_at
    )


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    """InvalidInput naming each faulty column: errors `mapping.<column>` = a MAPPING_PROBLEMS code (the
    wizard shows it under that column; API clients can do the same), plus `mapping` = a summary."""
    problems = mapping_rules.mapping_problems(mapping, headers)
    if problems:
        summary = list(mapping_rules.validate_mapping({h: t for h, t in mapping.items() if h in headers}))
        unknown = [h for h, code in problems.items() if code == "unknown_column"]
        if unknown:
            summary.append(f"unknown columns: {', '.join(unknown[:5])}")
        errors = {f"mapping.{header}": code for header, code in problems.items()}
        raise InvalidInput(
            "The column mapping is not valid",
            code="invalid_mapping",
            errors={"mapping": "; ".join(summary), **errors},
        )


def _layout_dict(layout: csv_reader.CsvLayout) -> dict[str, Any]:
    return {**asdict(layout), "kept_columns": list(layout.kept_columns)}


def _layout(data: dict[str, Any]) -> csv_reader.CsvLayout:
    return csv_reader.CsvLayout(**{**data, "kept_columns": tuple(data.get("kept_columns", ()))})


@dataclass(frozen=True)
class ChunkRows:
    rows: list[tuple[int, dict[str, Any]]]
    end_row: int
    columns: dict[str, str] | None = None
    bad_rows: list[tuple[int, str]] | None = None
    originals: dict[int, dict[str, Any]] | None = None  # row number → the row as the file has it
    prepared: list[Any] | None = None  # `prepare_rows` of `rows`, when the runner did it ahead


def prepare_rows(
    rows: list[tuple[int, dict[str, Any]]], *, default_platform: str | None, columns: dict[str, str] | None
) -> list[rules.PreparedRow | rules.RejectedRow]:
    """Normalise and validate a chunk's rows (pure: no database, safe in another thread)."""
    return [
        rules.prepare_row(row_number, data, default_platform=default_platform, columns=columns)
        for row_number, data in rows
    ]


def csv_chunks(
    path: Path, layout: dict[str, Any], mapping: dict[str, str], chunk_rows: int
) -> Iterator[ChunkRows]:
    """The file's rows, mapped to lead fields, chunk by chunk, with each row's number in the file."""
    columns = {target: header for header, target in mapping.items()}
    for chunk in csv_reader.iter_chunks(path, _layout(layout), chunk_rows):
        records = chunk.frame.to_dict("records")
        rows = [
            (int(n), _typed(mapping_rules.map_row(r, mapping)))
            for n, r in zip(chunk.row_numbers, records, strict=True)
        ]
        bad = [(bad_row.row, bad_row.raw) for bad_row in chunk.bad_rows]
        originals = {int(n): r for n, r in zip(chunk.row_numbers, records, strict=True)}
        yield ChunkRows(rows=rows, end_row=chunk.end_row, columns=columns, bad_rows=bad, originals=originals)


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """CSV cells are text: a yes/no column becomes a boolean (the other fields are normalised later)."""
    if "verified" in data:
        try:
            data["verified"] = values.parse_bool(str(data["verified"]))
        except ValueError:
            data["verified"] = None
    return data


ImportFileError = csv_reader.ImportFileError
