"""Writing and reading the audit log. Callers pass the `ctx` that acted."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from snapleads_app.core.context import Ctx
from snapleads_app.domain.audit.models import AuditEntry, AuditEntryPublic


def record(
    *,
    session: Session,
    ctx: Ctx,
    action: str,
    entity_type: str,
    entity_id: Any = None,
    data: dict | None = None,
) -> None:
    session.add(
        AuditEntry(
            workspace_id=ctx.workspace_id,
            actor_user_id=ctx.user_id,
            via=ctx.via,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            data=data or {},
        )
    )


def exists(*, session: Session, workspace_id: int, action: str, entity_type: str, entity_id: Any) -> bool:
    stmt = select(AuditEntry.id).where(
        AuditEntry.workspace_id == workspace_id,
        AuditEntry.action == action,
        AuditEntry.entity_type == entity_type,
        AuditEntry.entity_id == str(entity_id),
    )
    return session.exec(stmt.limit(1)).first() is not None


def list_entries(*, session: Session, ctx: Ctx, limit: int = 50) -> list[AuditEntryPublic]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.workspace_id == ctx.workspace_id)
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .limit(min(max(limit, 1), 100))
    )
    return [AuditEntryPublic.model_validate(e, from_attributes=True) for e in session.exec(stmt)]
