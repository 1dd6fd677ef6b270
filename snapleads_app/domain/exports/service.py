"""Lead exports: small ones stream in the response; big ones become a job the `exports.run` worker
writes to a file, with progress events and a download link (a secret URL, valid while the file lives).

The CSV itself (columns, BOM, formula escaping, visibility of the requester) is the leads service's
`export_csv`; this module only decides sync vs background and runs the background case.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from sqlmodel import Session, col, select

from snapleads_app.core import clock
from snapleads_app.core.context import Ctx
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import NotFound, PermissionDenied
from snapleads_app.core.events import DomainEvent, publish_after_commit
from snapleads_app.core.settings import get_settings
from snapleads_app.core.tasks import enqueue_after_commit
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.accounts.models import Membership
from snapleads_app.domain.exports.models import ExportJob, ExportJobPublic
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.leads.models import LeadFilter

EXPORT_JOB = "exports.run"
# Up to this many leads the export is one response (a few seconds); above, a background job.
SYNC_LIMIT = 20_000
BATCH_ROWS = 2_000
FILE_TTL_SECONDS = 3 * 24 * 60 * 60
DOWNLOAD_PATH = "/api/v1/leads/exports/{id}/download?token={token}"
EXPORT_DIR = get_settings().upload_dir.parent / "exports"


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet")
    return value


def public(job: ExportJob) -> ExportJobPublic:
    progress = 100.0 if job.status == "completed" else min(99.0, job.processed * 100.0 / max(job.total, 1))
    return ExportJobPublic(
        id=_id(job.id),
        status=job.status,
        total=job.total,
        processed=job.processed,
        progress=round(progress, 1),
        download_url=DOWNLOAD_PATH.format(id=job.id, token=job.download_token)
        if job.status == "completed"
        else None,
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def plan_export(
    *, session: Session, ctx: Ctx, filters: LeadFilter, sort: str = "-created"
) -> ExportJobPublic | None:
    """None when the matching leads fit one response (the caller streams `leads.export_csv`); else a
    queued background export of them (the worker starts after commit)."""
    if not account_rules.can(ctx.role, "export"):
        raise PermissionDenied("Your role cannot export", code="forbidden_for_role")
    total = leads.count_leads(session=session, ctx=ctx, filters=filters)
    if total <= SYNC_LIMIT:
        return None
    return start_export(session=session, ctx=ctx, filters=filters, sort=sort, total=total)


def start_export(
    *, session: Session, ctx: Ctx, filters: LeadFilter, sort: str = "-created", total: int | None = None
) -> ExportJobPublic:
    if not account_rules.can(ctx.role, "export"):
        raise PermissionDenied("Your role cannot export", code="forbidden_for_role")
    if total is None:
        total = leads.count_leads(session=session, ctx=ctx, filters=filters)
    job = ExportJob(
        workspace_id=ctx.workspace_id,
        created_by_id=ctx.user_id,
        filters=filters.model_dump(mode="json", exclude_defaults=True),
        sort=sort,
        total=total,
        download_token=secrets.token_urlsafe(32),
    )
    session.add(job)
    session.flush()
    enqueue_after_commit(session, EXPORT_JOB, job_id=job.id)
    _progress_event(session, job)
    return public(job)


def _load(session: Session, ctx: Ctx, job_id: int) -> ExportJob:
    """An export is its requester's: it holds the leads *they* may see (another user gets 404)."""
    job = session.exec(
        select(ExportJob).where(
            col(ExportJob.id) == job_id,
            ExportJob.workspace_id == ctx.workspace_id,
            ExportJob.created_by_id == ctx.user_id,
        )
    ).first()
    if job is None:
        raise NotFound("Export not found", code="export_not_found")
    return job


def get_export(*, session: Session, ctx: Ctx, job_id: int) -> ExportJobPublic:
    return public(_load(session, ctx, job_id))


def list_exports(*, session: Session, ctx: Ctx, limit: int = 10) -> list[ExportJobPublic]:
    stmt = (
        select(ExportJob)
        .where(ExportJob.workspace_id == ctx.workspace_id, ExportJob.created_by_id == ctx.user_id)
        .order_by(col(ExportJob.created_at).desc(), col(ExportJob.id).desc())
        .limit(min(max(limit, 1), 50))
    )
    return [public(job) for job in session.exec(stmt)]


def download_file(*, session: Session, job_id: int, token: str) -> tuple[Path, str]:
    """The file of a completed export for the secret of its link (no bearer: the link is the key)."""
    job = session.get(ExportJob, job_id)
    if (
        job is None
        or job.status != "completed"
        or not job.file_path
        or not secrets.compare_digest(job.download_token, token or "")
        or not Path(job.file_path).is_file()
    ):
        raise NotFound("Export not found", code="export_not_found")
    return Path(job.file_path), f"leads-export-{job.id}-{job.created_at:%Y%m%d-%H%M}.csv"


# ---------------------------------------------------------------- the worker's side


def run(job_id: int) -> None:
    """Write the export's CSV (called by the `exports.run` actor). A retry starts the file again."""
    with unit_of_work() as session:
        job = session.exec(select(ExportJob).where(col(ExportJob.id) == job_id).with_for_update()).first()
        if job is None or job.status in ("completed", "failed"):
            return
        ctx = _requester(session, job)
        if ctx is None:
            _finish(session, job, "failed", error="The requester is no longer a member of this workspace")
            return
        job.status, job.processed = "processing", 0
        filters, sort = LeadFilter.model_validate(job.filters), job.sort
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    purge_old_files()
    target = EXPORT_DIR / f"export-{job_id}.csv"
    partial = target.with_suffix(".csv.part")
    try:
        with unit_of_work() as reading, partial.open("w", encoding="utf-8", newline="") as out:
            chunks = leads.export_csv(session=reading, ctx=ctx, filters=filters, sort=sort, batch=BATCH_ROWS)
            out.write(next(chunks))  # BOM + header
            for pages, chunk in enumerate(chunks, start=1):
                out.write(chunk)
                _set_processed(job_id, pages * BATCH_ROWS)
        partial.replace(target)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        with unit_of_work() as session:
            failed = session.get(ExportJob, job_id)
            if failed is not None:
                _finish(session, failed, "failed", error=f"{type(exc).__name__}: {exc}"[:1000])
        raise
    with unit_of_work() as session:
        done = session.get(ExportJob, job_id)
        if done is not None:
            done.file_path = str(target)
            done.processed = done.total
            _finish(session, done, "completed")


def purge_old_files(*, now: float | None = None) -> int:
    """Export files live FILE_TTL_SECONDS (their links answer 404 after); each new export sweeps."""
    cutoff = (time.time() if now is None else now) - FILE_TTL_SECONDS
    removed = 0
    for path in EXPORT_DIR.glob("export-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _requester(session: Session, job: ExportJob) -> Ctx | None:
    """The requester's *current* role: a member demoted or removed since asking gets nothing."""
    if job.created_by_id is None:
        return None
    role = session.exec(
        select(Membership.role).where(
            Membership.workspace_id == job.workspace_id, Membership.user_id == job.created_by_id
        )
    ).first()
    if role is None or not account_rules.can(role, "export"):  # type: ignore[arg-type]
        return None
    return Ctx(user_id=job.created_by_id, workspace_id=job.workspace_id, role=role, via="worker")  # type: ignore[arg-type]


def _set_processed(job_id: int, processed: int) -> None:
    with unit_of_work() as session:
        job = session.get(ExportJob, job_id)
        if job is not None:
            job.processed = min(processed, job.total)
            _progress_event(session, job)


def _finish(session: Session, job: ExportJob, status: str, *, error: str | None = None) -> None:
    job.status, job.error, job.finished_at = status, error, clock.now()
    _progress_event(session, job)


def _progress_event(session: Session, job: ExportJob) -> None:
    kind = "export.completed" if job.status in ("completed", "failed") else "export.progress"
    publish_after_commit(
        session,
        DomainEvent(
            type=kind,
            workspace_id=job.workspace_id,
            data={"user_id": job.created_by_id, "job": public(job).model_dump(mode="json")},
        ),
    )
