"""Writing and reading lead activities. Services call `record` for every change they make."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from snapleads_app.core.context import Ctx
from snapleads_app.domain.timeline.models import Activity, ActivityPublic


def record(
    *, session: Session, ctx: Ctx, lead_id: int, type: str, data: dict[str, Any] | None = None
) -> None:
    session.add(
        Activity(
            workspace_id=ctx.workspace_id,
            lead_id=lead_id,
            actor_user_id=ctx.user_id,
            via=ctx.via,
            type=type,
            data=data or {},
        )
    )


def for_lead(
    *, session: Session, workspace_id: int, lead_id: int, limit: int = 50, before_id: int | None = None
) -> list[ActivityPublic]:
    stmt = select(Activity).where(Activity.workspace_id == workspace_id, Activity.lead_id == lead_id)
    if before_id is not None:
        stmt = stmt.where(col(Activity.id) < before_id)
    stmt = stmt.order_by(col(Activity.created_at).desc(), col(Activity.id).desc()).limit(
        min(max(limit, 1), 100)
    )
    return [ActivityPublic.model_validate(a, from_attributes=True) for a in session.exec(stmt)]
