"""Lead imports: extension/API batches (202 + job id), job status, history, cancel, rejected rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api_ext.deps import CurrentCtx
from api_ext.problems import PROBLEM_RESPONSES
from api_ext.routes import API_PREFIX
from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import BatchImportIn, ImportJobPublic

router = APIRouter(prefix=f"{API_PREFIX}/leads", tags=["imports"], responses=PROBLEM_RESPONSES)
JobId = Annotated[int, Path(gt=0, le=2**31 - 1)]


class ImportAccepted(BaseModel):
    job_id: int
    status: str
    total: int


class ImportJobList(BaseModel):
    data: list[ImportJobPublic]


@router.post("/import", status_code=status.HTTP_202_ACCEPTED)
def import_batch(body: BatchImportIn, ctx: CurrentCtx) -> ImportAccepted:
    """Queue a batch of leads (≤ 5 MB) from the extension or an integration; poll the job or watch it live."""
    with unit_of_work() as session:
        job = imports.create_batch_job(session=session, ctx=ctx, data=body)
    return ImportAccepted(job_id=job.id, status=job.status, total=job.total)


@router.get("/imports")
def list_imports(ctx: CurrentCtx, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> ImportJobList:
    with unit_of_work() as session:
        return ImportJobList(data=imports.list_jobs(session=session, ctx=ctx, limit=limit))


@router.get("/import/{job_id}")
def get_import(job_id: JobId, ctx: CurrentCtx) -> ImportJobPublic:
    with unit_of_work() as session:
        return imports.get_job(session=session, ctx=ctx, job_id=job_id)


@router.post("/import/{job_id}/cancel")
def cancel_import(job_id: JobId, ctx: CurrentCtx) -> ImportJobPublic:
    with unit_of_work() as session:
        return imports.cancel_job(session=session, ctx=ctx, job_id=job_id)


@router.get("/import/{job_id}/rejected.csv", response_class=StreamingResponse)
def rejected_rows(job_id: JobId, ctx: CurrentCtx) -> StreamingResponse:
    with unit_of_work() as session:
        text = "".join(imports.rejected_rows_csv(session=session, ctx=ctx, job_id=job_id))
    return StreamingResponse(
        iter([text]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-rejected.csv"'},
    )
