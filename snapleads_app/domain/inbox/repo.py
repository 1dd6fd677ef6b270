"""Inbox queries (no commits, no rules): visibility, list filters, keyset pages, counters."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, literal, tuple_
from sqlmodel import Session, col, select

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.inbox.models import Conversation, ConversationFilter, Message
from snapleads_app.domain.leads.models import Lead


def visibility(ctx: Ctx) -> list[ColumnElement[bool]]:
    """Conversations the actor may see: the workspace's; for agents only those assigned to them."""
    return scope(ctx.workspace_id, only_assignee(ctx))


def only_assignee(ctx: Ctx) -> int | None:
    """The one assignee whose conversations `ctx` is limited to (agents), or None (the whole workspace)."""
    return int(ctx.user_id or 0) if ctx.role == "agent" else None


def scope(workspace_id: int, assignee_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(Conversation.workspace_id) == workspace_id]
    if assignee_id is not None:
        conditions.append(col(Conversation.assignee_id) == assignee_id)
    return conditions


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_conditions(ctx: Ctx, f: ConversationFilter) -> list[ColumnElement[bool]]:
    conditions = visibility(ctx)
    if f.status:
        conditions.append(col(Conversation.status) == f.status)
    if f.unread:
        conditions.append(col(Conversation.unread_count) > 0)
    if f.channel:
        conditions.append(col(Conversation.channel) == f.channel)
    if f.unassigned:
        conditions.append(col(Conversation.assignee_id).is_(None))
    elif f.assignee_id is not None:
        conditions.append(col(Conversation.assignee_id) == f.assignee_id)
    if f.lead_id is not None:
        conditions.append(col(Conversation.lead_id) == f.lead_id)
    if f.platform:
        conditions.append(col(Lead.platform).in_(f.platform))
    term = (f.search or "").strip().lower()
    if term:
        pattern = _like(term)
        in_messages = exists().where(
            col(Message.conversation_id) == col(Conversation.id),
            col(Message.body).ilike(pattern, escape="\\"),
        )
        conditions.append(col(Lead.search_text).like(pattern, escape="\\") | in_messages)
    return conditions


def encode_cursor(at: datetime, row_id: int) -> str:
    raw = json.dumps({"t": at.isoformat(), "i": row_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        return datetime.fromisoformat(data["t"]), int(data["i"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            "The cursor is not valid", code="invalid_cursor", errors={"cursor": "invalid"}
        ) from exc


def conversation_page(
    session: Session, conditions: list[ColumnElement[bool]], *, limit: int, cursor: str | None
) -> tuple[list[tuple[Conversation, Lead]], str | None]:
    """Newest activity first; keyset on (last_message_at, id)."""
    stmt = (
        select(Conversation, Lead)
        .join(Lead, col(Lead.id) == col(Conversation.lead_id))
        .where(*conditions, col(Lead.deleted_at).is_(None))
    )
    if cursor:
        at, last_id = decode_cursor(cursor)
        key = tuple_(col(Conversation.last_message_at), col(Conversation.id))
        stmt = stmt.where(key < tuple_(literal(at), literal(last_id)))
    stmt = stmt.order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())
    rows = [(c, lead) for c, lead in session.exec(stmt.limit(limit + 1))]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor(last.last_message_at, int(last.id or 0))
    return rows, next_cursor


def message_page(
    session: Session, conversation_id: int, *, limit: int, before_id: int | None, after_id: int | None
) -> tuple[list[Message], bool]:
    """Up to `limit` messages, oldest → newest; with `after_id` the ones after it (catch-up after a
    live event or a reconnect), else the newest ones before `before_id`. Returns (rows, more_before)."""
    stmt = select(Message).where(col(Message.conversation_id) == conversation_id)
    if after_id is not None:
        rows = list(
            session.exec(stmt.where(col(Message.id) > after_id).order_by(col(Message.id)).limit(limit))
        )
        return rows, False
    if before_id is not None:
        stmt = stmt.where(col(Message.id) < before_id)
    rows = list(session.exec(stmt.order_by(col(Message.id).desc()).limit(limit + 1)))
    more = len(rows) > limit
    return list(reversed(rows[:limit])), more


def open_loads(session: Session, workspace_id: int, user_ids: list[int]) -> dict[int, int]:
    """Open conversations per user (zero for users without any)."""
    loads = dict.fromkeys(user_ids, 0)
    if not user_ids:
        return loads
    stmt = (
        select(Conversation.assignee_id, func.count())
        .where(
            col(Conversation.workspace_id) == workspace_id,
            col(Conversation.status) == "open",
            col(Conversation.assignee_id).in_(user_ids),
        )
        .group_by(col(Conversation.assignee_id))
    )
    for user_id, n in session.exec(stmt):
        if user_id is not None:
            loads[int(user_id)] = int(n)
    return loads
