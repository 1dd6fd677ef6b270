"""Lead exports too big for one response: a job writes the CSV to a file and hands out a download link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from snapleads_app.core.models import created_at_field, json_field


class ExportJob(SQLModel, table=True):
    __tablename__ = "export_job"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        Index("ix_export_job_ws_created", "workspace_id", "created_at"),
        Index("uq_export_job_download_token", "download_token", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="CASCADE")
    filters: dict[str, Any] = json_field()  # the LeadFilter of the listing, as JSON
    sort: str = Field(default="-created", max_length=16)
    status: str = Field(default="queued", max_length=16)  # queued | processing | completed | failed
    total: int = 0  # leads matching when the export was asked for
    processed: int = 0
    file_path: str | None = Field(default=None, max_length=1024)
    # The download link's secret: the link works without a bearer token (browsers, e-mail), so it must
    # be unguessable; it dies with the file.
    download_token: str = Field(max_length=64)
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = created_at_field()
    finished_at: datetime | None = None


class ExportJobPublic(BaseModel):
    id: int
    status: str
    total: int
    processed: int
    progress: float
    download_url: str | None  # when completed
    error: str | None
    created_at: datetime
    finished_at: datetime | None
