"""Lead imports: extension/API batches (202 + job id), job status, history, cancel, rejected rows."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import File, Form, Query, Request, Response, UploadFile, status
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError

from api_ext.deps import BearerToken, CurrentCtx, authenticated, json_response
from api_ext.routes import api_router
from snapleads_app.core.db import unit_of_work
from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.imports import service as imports
from snapleads_app.domain.imports.models import (
    BatchImportIn,
    ImportJobPublic,
    ImportOptions,
    MappingPresetIn,
    MappingPresetPublic,
)

router = api_router("/leads", tags=["imports"])
JobId = Annotated[int, PathParam(gt=0, le=2**31 - 1)]


class ImportAccepted(BaseModel):
    job_id: int
    status: str
    total: int


class ImportJobList(BaseModel):
    data: list[ImportJobPublic]


@router.post(
    "/import",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportAccepted,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BatchImportIn.model_json_schema()}},
        }
    },
)
async def import_batch(request: Request, token: BearerToken) -> Response:
    """Queue a batch of leads (≤ 5 MB) from the extension or an integration; poll the job or watch it live."""
    # Validated by pydantic-core straight from the bytes (no json.loads into Python objects first).
    try:
        body = BatchImportIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from exc

    def queue_job() -> ImportJobPublic:
        with unit_of_work() as session:
            return imports.create_batch_job(session=session, ctx=authenticated(session, token), data=body)

    job = await run_in_threadpool(queue_job)  # one hop: auth, insert and commit in one unit of work
    return json_response(ImportAccepted(job_id=job.id, status=job.status, total=job.total), 202)


@router.get("/imports")
def list_imports(ctx: CurrentCtx, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> ImportJobList:
    with unit_of_work() as session:
        return ImportJobList(data=imports.list_jobs(session=session, ctx=ctx, limit=limit))


class MappingPresetList(BaseModel):
    data: list[MappingPresetPublic]


# Before "/import/{job_id}": "presets" is not a job id.
@router.get("/import/presets")
def list_presets(ctx: CurrentCtx) -> MappingPresetList:
    """The workspace's saved column mappings (the wizard offers them for the next file)."""
    with unit_of_work() as session:
        return MappingPresetList(data=imports.list_presets(session=session, ctx=ctx))


@router.post("/import/presets", status_code=status.HTTP_201_CREATED)
def save_preset(body: MappingPresetIn, ctx: CurrentCtx) -> MappingPresetPublic:
    """Save a mapping ({column: field}) under a name; the same name replaces it (managers and up)."""
    with unit_of_work() as session:
        return imports.save_preset(session=session, ctx=ctx, data=body)


@router.delete("/import/presets/{preset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_preset(preset_id: JobId, ctx: CurrentCtx) -> None:
    with unit_of_work() as session:
        imports.delete_preset(session=session, ctx=ctx, preset_id=preset_id)


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


CSV_MAX_BYTES = 200 * 1024 * 1024


@router.post("/import/csv", status_code=status.HTTP_202_ACCEPTED)
def import_csv(
    ctx: CurrentCtx,
    file: Annotated[UploadFile, File(description="CSV file (≤ 200 MB): UTF-8/UTF-16/cp1252, , ; tab or |")],
    mapping: Annotated[
        str | None, Form(description='JSON object {"column": "field"}; auto-mapped if absent')
    ] = None,
    options: Annotated[
        str | None, Form(description="JSON ImportOptions: platform, duplicate_policy, tags, ...")
    ] = None,
) -> ImportAccepted:
    """Upload a CSV; it is sniffed, mapped (given or automatic) and imported in the background."""
    parsed_options = _json_form(options, ImportOptions, "options")
    upload = imports.store_upload(file.file)
    try:
        inspection = imports.inspect_csv(upload)
        chosen = _json_mapping(mapping) if mapping else inspection.mapping
        imports.check_mapping(chosen, inspection.headers)
        with unit_of_work() as session:
            job = imports.create_csv_job(
                session=session,
                ctx=ctx,
                upload=upload,
                file_name=file.filename or "upload.csv",
                options=parsed_options,
                mapping=chosen,
                layout=inspection.layout,
                total=inspection.estimated_rows,
            )
    except imports.ImportFileError as exc:
        raise InvalidInput(exc.detail, code=exc.code, errors={"file": exc.code}) from exc
    finally:
        upload.unlink(missing_ok=True)  # moved into the job's folder on success
    return ImportAccepted(job_id=job.id, status=job.status, total=job.total)


def _json_form(raw: str | None, model: type[ImportOptions], field: str) -> ImportOptions:
    try:
        return model.model_validate_json(raw or "{}")
    except ValidationError as exc:
        errors = {f"{field}.{'.'.join(str(p) for p in e['loc'])}": e["msg"] for e in exc.errors()}
        raise InvalidInput(f"Invalid {field}", code="validation_error", errors=errors) from exc


def _json_mapping(raw: str) -> dict[str, str]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "mapping must be a JSON object", code="invalid_mapping", errors={"mapping": "not JSON"}
        ) from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidInput(
            "mapping must map column names to fields",
            code="invalid_mapping",
            errors={"mapping": 'expected {"column": "field"}'},
        )
    return value
