"""Tags: CRUD with colours, unique names per workspace, and the lead counters kept by the leads service."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import Conflict, NotFound, PermissionDenied
from snapleads_app.domain.accounts import rules as account_rules
from snapleads_app.domain.tags.models import Tag, TagIn, TagPublic, TagUpdate


def _require_manage(ctx: Ctx) -> None:
    if not account_rules.can(ctx.role, "tags.manage"):
        raise PermissionDenied("Your role cannot change tags", code="forbidden_for_role")


def _by_name(session: Session, workspace_id: int, name: str) -> Tag | None:
    return session.exec(
        select(Tag).where(Tag.workspace_id == workspace_id, func.lower(Tag.name) == name.strip().lower())
    ).first()


def _get(session: Session, ctx: Ctx, tag_id: int) -> Tag:
    tag = session.get(Tag, tag_id)
    if tag is None or tag.workspace_id != ctx.workspace_id:
        raise NotFound("Tag not found", code="tag_not_found")
    return tag


def list_tags(*, session: Session, ctx: Ctx) -> list[TagPublic]:
    tags = session.exec(
        select(Tag).where(Tag.workspace_id == ctx.workspace_id).order_by(func.lower(Tag.name))
    )
    return [TagPublic.model_validate(t, from_attributes=True) for t in tags]


def create_tag(*, session: Session, ctx: Ctx, data: TagIn) -> TagPublic:
    """Anyone who may create leads may create tags (capturing with new tags is part of prospecting)."""
    if ctx.role == "viewer":
        raise PermissionDenied("Viewers cannot create tags", code="forbidden_for_role")
    if _by_name(session, ctx.workspace_id, data.name) is not None:
        raise Conflict("A tag with this name exists", code="tag_exists", errors={"name": "already used"})
    tag = Tag(workspace_id=ctx.workspace_id, name=data.name, color=data.color)
    session.add(tag)
    session.flush()
    return TagPublic.model_validate(tag, from_attributes=True)


def update_tag(*, session: Session, ctx: Ctx, tag_id: int, data: TagUpdate) -> TagPublic:
    _require_manage(ctx)
    tag = _get(session, ctx, tag_id)
    renamed = data.name is not None and data.name.lower() != tag.name.lower()
    if renamed and _by_name(session, ctx.workspace_id, data.name or "") is not None:
        raise Conflict("A tag with this name exists", code="tag_exists", errors={"name": "already used"})
    if data.name is not None:
        tag.name = data.name
    if data.color is not None:
        tag.color = data.color
    session.flush()
    return TagPublic.model_validate(tag, from_attributes=True)


def delete_tag(*, session: Session, ctx: Ctx, tag_id: int) -> None:
    _require_manage(ctx)
    session.delete(_get(session, ctx, tag_id))
    session.flush()


def resolve_ids(*, session: Session, ctx: Ctx, tag_ids: Iterable[int]) -> list[int]:
    """The given ids that are tags of this workspace; any other id is a 404 (never a silent skip)."""
    wanted = sorted(set(tag_ids))
    if not wanted:
        return []
    found = session.exec(
        select(Tag.id).where(Tag.workspace_id == ctx.workspace_id, col(Tag.id).in_(wanted))
    ).all()
    if len(found) != len(wanted):
        raise NotFound("Tag not found", code="tag_not_found")
    return wanted


def ensure_by_names(*, session: Session, ctx: Ctx, names: Iterable[str]) -> list[int]:
    """Ids of tags by name, creating the missing ones (imports and the extension send names)."""
    ids = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        tag = _by_name(session, ctx.workspace_id, name)
        if tag is None:
            ids.append(create_tag(session=session, ctx=ctx, data=TagIn(name=name[:60])).id)
        else:
            ids.append(tag.id)
    return [i for i in ids if i is not None]


def adjust_counts(*, session: Session, deltas: dict[int, int]) -> None:
    for tag_id, delta in deltas.items():
        if delta:
            session.execute(
                update(Tag).where(col(Tag.id) == tag_id).values(lead_count=Tag.lead_count + delta)
            )
