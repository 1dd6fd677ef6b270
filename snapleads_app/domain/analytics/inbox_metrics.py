"""Conversation and message metrics, read from the inbox tables.

Scope: the workspace; platform and pipeline filters through the conversation's lead; an assignee scope
(agents: always themselves) through the conversation's assignee. Period: [start, end) in UTC.

Definitions:
- conversations started: conversations created in the period;
- messages sent / received: outbound / inbound messages created in the period;
- response rate: of the conversations with an outbound message in the period, the share where the lead
  wrote after the first of them (also in the period);
- time to first reply: from that first outbound message to the lead's next message (median);
- per rep: conversations (with messages in the period), replies and response rate by the conversation's
  assignee; messages sent by the user who sent them.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import select as sa_select  # five columns: more than sqlmodel's select types
from sqlmodel import Session, col, select

from snapleads_app.domain.analytics.models import InboxOverview
from snapleads_app.domain.analytics.repo import Scope
from snapleads_app.domain.inbox.models import Conversation, Message
from snapleads_app.domain.leads.models import Lead

PENDING = False


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite gives naive UTC


def _scope_filters(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [col(Conversation.workspace_id) == scope.workspace_id, col(Lead.deleted_at).is_(None)]
    if scope.platforms:
        conditions.append(col(Lead.platform).in_(scope.platforms))
    if scope.pipeline_id is not None:
        conditions.append(col(Lead.pipeline_id) == scope.pipeline_id)
    if scope.assignee_id is not None:
        conditions.append(col(Conversation.assignee_id) == scope.assignee_id)
    return conditions


@dataclass(frozen=True)
class _Msg:
    conversation_id: int
    assignee_id: int | None
    direction: str
    sender_user_id: int | None
    created_at: datetime


def _messages(session: Session, scope: Scope, start: datetime, end: datetime) -> list[_Msg]:
    stmt = (
        sa_select(
            col(Message.conversation_id),
            col(Conversation.assignee_id),
            col(Message.direction),
            col(Message.sender_user_id),
            col(Message.created_at),
        )
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .join(Lead, col(Lead.id) == col(Conversation.lead_id))
        .where(
            col(Message.workspace_id) == scope.workspace_id,
            col(Message.created_at) >= start,
            col(Message.created_at) < end,
            *_scope_filters(scope),
        )
        .order_by(col(Message.created_at), col(Message.id))
    )
    return [_Msg(c, a, d, s, _aware(at)) for c, a, d, s, at in session.execute(stmt)]


def _started(
    session: Session, scope: Scope, start: datetime, end: datetime
) -> list[tuple[int | None, datetime]]:
    stmt = (
        select(col(Conversation.assignee_id), col(Conversation.created_at))
        .join(Lead, col(Lead.id) == col(Conversation.lead_id))
        .where(
            col(Conversation.created_at) >= start, col(Conversation.created_at) < end, *_scope_filters(scope)
        )
    )
    return [(assignee, _aware(at)) for assignee, at in session.exec(stmt)]


@dataclass
class _Thread:
    assignee_id: int | None
    first_out: datetime | None = None
    first_reply: datetime | None = None


def _threads(messages: Sequence[_Msg]) -> dict[int, _Thread]:
    """Per conversation: the first outbound message of the period and the lead's next message."""
    threads: dict[int, _Thread] = {}
    for msg in messages:  # in time order
        thread = threads.setdefault(msg.conversation_id, _Thread(msg.assignee_id))
        if msg.direction == "outbound" and thread.first_out is None:
            thread.first_out = msg.created_at
        elif msg.direction == "inbound" and thread.first_out is not None and thread.first_reply is None:
            thread.first_reply = msg.created_at
    return threads


def _response_rate(threads: Sequence[_Thread]) -> float | None:
    contacted = [t for t in threads if t.first_out is not None]
    if not contacted:
        return None
    return sum(1 for t in contacted if t.first_reply is not None) / len(contacted)


def overview(*, session: Session, scope: Scope, start: datetime, end: datetime) -> InboxOverview:
    messages = _messages(session, scope, start, end)
    threads = list(_threads(messages).values())
    waits = [
        (t.first_reply - t.first_out).total_seconds()
        for t in threads
        if t.first_out is not None and t.first_reply is not None
    ]
    return InboxOverview(
        pending=PENDING,
        conversations_started=len(_started(session, scope, start, end)),
        response_rate=_response_rate(threads),
        median_first_reply_seconds=statistics.median(waits) if waits else None,
        messages_sent=sum(1 for m in messages if m.direction == "outbound"),
        messages_received=sum(1 for m in messages if m.direction == "inbound"),
    )


def timeline(
    *, session: Session, scope: Scope, start: datetime, end: datetime, label_of: Callable[[datetime], str]
) -> dict[str, dict[str, int]]:
    """Per bucket label (`label_of` maps a UTC instant to the timeline's label): conversations started,
    messages sent and received."""
    points: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _, at in _started(session, scope, start, end):
        points[label_of(at)]["conversations"] += 1
    for msg in _messages(session, scope, start, end):
        key = "messages_sent" if msg.direction == "outbound" else "messages_received"
        points[label_of(msg.created_at)][key] += 1
    return {label: dict(values) for label, values in points.items()}


def per_user(*, session: Session, scope: Scope, start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
    """Per user id (0 = unassigned conversations): conversations, messages sent, replies, response rate."""
    messages = _messages(session, scope, start, end)
    out: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"conversations": 0, "messages_sent": 0, "replies": 0}
    )
    by_assignee: dict[int, list[_Thread]] = defaultdict(list)
    for thread in _threads(messages).values():
        by_assignee[thread.assignee_id or 0].append(thread)
    for user_id, threads in by_assignee.items():
        out[user_id]["conversations"] = len(threads)
        out[user_id]["response_rate"] = _response_rate(threads)
    for msg in messages:
        if msg.direction == "inbound":
            out[msg.assignee_id or 0]["replies"] += 1
        elif msg.sender_user_id is not None:
            out[msg.sender_user_id]["messages_sent"] += 1
    return dict(out)
