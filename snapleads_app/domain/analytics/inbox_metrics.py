"""Conversation and message metrics.

Scope: the workspace; platform and pipeline filters through the conversation's lead (live leads
only); an assignee scope (agents: always themselves) through the conversation's assignee. Period:
local days [date_from, date_to] of the workspace's zone, i.e. [start, end) in UTC.

Definitions:
- conversations started: conversations created in the period;
- messages sent / received: outbound / inbound messages created in the period;
- response rate: of the conversations whose first outbound message (ever) falls in the period, the
  share where the lead wrote after it, within the period;
- time to first reply: from that first outbound message to the lead's next message (median, over the
  same conversations);
- per rep: conversations started, replies (inbound messages) and response rate by the conversation's
  assignee; messages sent by the user who sent them.

PostgreSQL reads what the triggers of inbox_rollup_sql.py keep: `message_daily_count` (messages and
conversations started per local day and dimensions) and, for the response rate and the median,
`conversation_metric` (one row per conversation) through (workspace_id, first_out_at): at most the
period's conversations, index-only. Hourly timelines (≤ 14 days) read `message` and `conversation_metric`
through their (workspace_id, created_at) indexes. SQLite (embedded, small data)
computes the same from the inbox tables.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Float, cast, extract, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from snapleads_app.domain.analytics.models import ConversationMetric, InboxOverview, MessageDailyCount
from snapleads_app.domain.analytics.repo import Scope, is_postgres
from snapleads_app.domain.analytics.rules import Range, hour_label
from snapleads_app.domain.inbox.models import Conversation, Message
from snapleads_app.domain.leads.models import Lead

LabelOf = Callable[[datetime], str]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite gives naive UTC


@dataclass
class _Counts:
    """What every view is made of, for one group (the whole scope, or one rep)."""

    started: int = 0
    sent: int = 0
    received: int = 0
    contacted: int = 0
    replied: int = 0
    waits: list[float] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return self.replied / self.contacted if self.contacted else None


def overview(*, session: Session, scope: Scope, period: Range, tz: ZoneInfo) -> InboxOverview:
    if is_postgres(session):
        totals = _pg_overview(session, scope, period, tz)
    else:
        totals = _sqlite_counts(session, scope, period, tz, lambda _a, _s: 0).get(0, _Counts())
    return InboxOverview(
        conversations_started=totals.started,
        response_rate=totals.response_rate,
        median_first_reply_seconds=statistics.median(totals.waits) if totals.waits else None,
        messages_sent=totals.sent,
        messages_received=totals.received,
    )


def per_user(*, session: Session, scope: Scope, period: Range, tz: ZoneInfo) -> dict[int, dict[str, Any]]:
    """Per user id (0 = unassigned conversations): conversations, messages sent, replies, response rate."""
    if is_postgres(session):
        groups = _pg_per_user(session, scope, period, tz)
    else:
        groups = _sqlite_per_user(session, scope, period, tz)
    return {
        user_id: {
            "conversations": c.started,
            "messages_sent": c.sent,
            "replies": c.received,
            "response_rate": c.response_rate,
        }
        for user_id, c in groups.items()
    }


def timeline(
    *,
    session: Session,
    scope: Scope,
    period: Range,
    tz: ZoneInfo,
    hourly: bool,
    label_of_day: Callable[[date], str],
) -> dict[str, dict[str, int]]:
    """Per bucket label: conversations started, messages sent and received. `hourly`: local hour labels;
    else `label_of_day` maps a local day to its bucket."""

    def label_of(at: datetime) -> str:
        local = _aware(at).astimezone(tz)
        return hour_label(local) if hourly else label_of_day(local.date())

    points: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if not is_postgres(session):
        start, end = period.utc_bounds(tz)
        for at in _sqlite_started(session, scope, start, end):
            points[label_of(at)]["conversations"] += 1
        for _, _, direction, at in _sqlite_messages(session, scope, start, end):
            if direction in ("outbound", "inbound"):
                points[label_of(at)][_KEY[direction]] += 1
        return {label: dict(values) for label, values in points.items()}
    for label, key, n in _pg_timeline(session, scope, period, tz, hourly, label_of_day):
        points[label][key] += n
    return {label: dict(values) for label, values in points.items()}


_KEY = {"outbound": "messages_sent", "inbound": "messages_received", "started": "conversations"}


# ---------------------------------------------------------------- PostgreSQL: the kept rollups


def _metric_filters(scope: Scope) -> list[ColumnElement[bool]]:
    m = ConversationMetric
    conditions = [col(m.workspace_id) == scope.workspace_id, col(m.live).is_(True)]
    if scope.platforms:
        conditions.append(col(m.platform).in_(scope.platforms))
    if scope.pipeline_id is not None:
        conditions.append(col(m.pipeline_id) == scope.pipeline_id)
    if scope.assignee_id is not None:
        conditions.append(col(m.assignee_id) == scope.assignee_id)
    return conditions


def _daily_filters(scope: Scope, period: Range) -> list[ColumnElement[bool]]:
    d = MessageDailyCount
    conditions = [
        col(d.workspace_id) == scope.workspace_id,
        col(d.day) >= period.date_from,
        col(d.day) <= period.date_to,
    ]
    if scope.platforms:
        conditions.append(col(d.platform).in_(scope.platforms))
    if scope.pipeline_id is not None:
        conditions.append(col(d.pipeline_id) == scope.pipeline_id)
    if scope.assignee_id is not None:
        conditions.append(col(d.assignee_id) == scope.assignee_id)
    return conditions


def _pg_replies(
    session: Session, scope: Scope, start: datetime, end: datetime, by: Any = None
) -> dict[int, tuple[int, int, float | None]]:
    """(contacted, replied, median seconds to the first reply — overall only) of the conversations first
    written to in [start, end), a reply counting when it came before `end`."""
    m = ConversationMetric
    replied = col(m.first_reply_at) < end
    wait = cast(extract("epoch", col(m.first_reply_at) - col(m.first_out_at)), Float)
    group = [by] if by is not None else []
    median: Any = func.percentile_cont(0.5).within_group(wait).filter(replied) if by is None else None
    stmt = sa_select(
        *group,
        func.count(),
        func.count().filter(replied),
        median,
    ).where(*_metric_filters(scope), col(m.first_out_at) >= start, col(m.first_out_at) < end)
    if group:
        stmt = stmt.group_by(*group)
    out = {}
    for row in session.execute(stmt):
        key = int(row[0]) if group else 0
        out[key] = (int(row[-3]), int(row[-2]), None if row[-1] is None else float(row[-1]))
    return out


def _pg_overview(session: Session, scope: Scope, period: Range, tz: ZoneInfo) -> _Counts:
    start, end = period.utc_bounds(tz)
    d = MessageDailyCount
    totals = _Counts()
    stmt = sa_select(col(d.direction), func.sum(d.messages)).where(*_daily_filters(scope, period))
    for direction, n in session.execute(stmt.group_by(col(d.direction))):
        if direction == "outbound":
            totals.sent = int(n or 0)
        elif direction == "inbound":
            totals.received = int(n or 0)
        elif direction == "started":
            totals.started = int(n or 0)
    contacted, replied, median = _pg_replies(session, scope, start, end).get(0, (0, 0, None))
    totals.contacted, totals.replied = contacted, replied
    totals.waits = [median] if median is not None else []  # the median of one value is itself
    return totals


def _pg_per_user(session: Session, scope: Scope, period: Range, tz: ZoneInfo) -> dict[int, _Counts]:
    start, end = period.utc_bounds(tz)
    m, d = ConversationMetric, MessageDailyCount
    out: dict[int, _Counts] = defaultdict(_Counts)
    for user_id, (contacted, replied, _) in _pg_replies(
        session, scope, start, end, by=col(m.assignee_id)
    ).items():
        out[user_id].contacted, out[user_id].replied = contacted, replied
    # By the conversation's assignee: started and received; by the sender: sent.
    by_assignee = (
        sa_select(col(d.assignee_id), col(d.direction), func.sum(d.messages))
        .where(*_daily_filters(scope, period), col(d.direction).in_(("inbound", "started")))
        .group_by(col(d.assignee_id), col(d.direction))
    )
    for user_id, direction, n in session.execute(by_assignee):
        if direction == "inbound":
            out[int(user_id)].received = int(n or 0)
        else:
            out[int(user_id)].started = int(n or 0)
    sent = (
        sa_select(col(d.sender_id), func.sum(d.messages))
        .where(*_daily_filters(scope, period), col(d.direction) == "outbound", col(d.sender_id) != 0)
        .group_by(col(d.sender_id))
    )
    for user_id, n in session.execute(sent):
        out[int(user_id)].sent = int(n or 0)
    return dict(out)


def _pg_timeline(
    session: Session,
    scope: Scope,
    period: Range,
    tz: ZoneInfo,
    hourly: bool,
    label_of_day: Callable[[date], str],
) -> Iterable[tuple[str, str, int]]:
    start, end = period.utc_bounds(tz)
    m, d = ConversationMetric, MessageDailyCount
    if hourly:
        local_hour = func.date_trunc("hour", func.timezone(tz.key, col(m.created_at)))
        stmt = (
            sa_select(local_hour, func.count())
            .where(*_metric_filters(scope), col(m.created_at) >= start, col(m.created_at) < end)
            .group_by(local_hour)
        )
        for hour, n in session.execute(stmt):
            yield hour_label(hour), "conversations", int(n)
        msg_hour = func.date_trunc("hour", func.timezone(tz.key, col(Message.created_at)))
        in_period = (
            col(Message.workspace_id) == scope.workspace_id,
            col(Message.created_at) >= start,
            col(Message.created_at) < end,
        )
        filtered = bool(scope.platforms) or scope.pipeline_id is not None or scope.assignee_id is not None
        stmt = sa_select(msg_hour, col(Message.direction), func.count()).where(*in_period)
        if filtered:  # the conversation's dimensions: join its metric row
            stmt = stmt.join(m, col(m.conversation_id) == col(Message.conversation_id)).where(
                *_metric_filters(scope)
            )
        for hour, direction, n in session.execute(stmt.group_by(msg_hour, col(Message.direction))):
            if direction in _KEY:
                yield hour_label(hour), _KEY[direction], int(n)
        if not filtered:  # every message of the period, less those of deleted leads (few: partial index)
            gone = (
                sa_select(msg_hour, col(Message.direction), func.count())
                .select_from(m)
                .join(Message, col(Message.conversation_id) == col(m.conversation_id))
                .where(col(m.workspace_id) == scope.workspace_id, col(m.live).is_(False), *in_period)
                .group_by(msg_hour, col(Message.direction))
            )
            for hour, direction, n in session.execute(gone):
                if direction in _KEY:
                    yield hour_label(hour), _KEY[direction], -int(n)
        return
    stmt = (
        sa_select(col(d.day), col(d.direction), func.sum(d.messages))
        .where(*_daily_filters(scope, period))
        .group_by(col(d.day), col(d.direction))
    )
    for day, direction, n in session.execute(stmt):
        if direction in _KEY and n:
            yield label_of_day(day), _KEY[direction], int(n)


# ---------------------------------------------------------------- SQLite: computed from the inbox tables


def _scope_filters(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [col(Conversation.workspace_id) == scope.workspace_id, col(Lead.deleted_at).is_(None)]
    if scope.platforms:
        conditions.append(col(Lead.platform).in_(scope.platforms))
    if scope.pipeline_id is not None:
        conditions.append(col(Lead.pipeline_id) == scope.pipeline_id)
    if scope.assignee_id is not None:
        conditions.append(col(Conversation.assignee_id) == scope.assignee_id)
    return conditions


def _sqlite_messages(
    session: Session, scope: Scope, start: datetime | None, end: datetime | None
) -> list[tuple[int, int | None, str, datetime]]:
    """(conversation id, sender, direction, time) of the scope's messages, in time order."""
    stmt = (
        sa_select(
            col(Message.conversation_id),
            col(Message.sender_user_id),
            col(Message.direction),
            col(Message.created_at),
        )
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .join(Lead, col(Lead.id) == col(Conversation.lead_id))
        .where(col(Message.workspace_id) == scope.workspace_id, *_scope_filters(scope))
        .order_by(col(Message.created_at), col(Message.id))
    )
    if start is not None and end is not None:
        stmt = stmt.where(col(Message.created_at) >= start, col(Message.created_at) < end)
    return [(c, s, d, _aware(at)) for c, s, d, at in session.execute(stmt)]


def _sqlite_conversations(session: Session, scope: Scope) -> dict[int, tuple[int, datetime]]:
    stmt = (
        sa_select(col(Conversation.id), col(Conversation.assignee_id), col(Conversation.created_at))
        .join(Lead, col(Lead.id) == col(Conversation.lead_id))
        .where(*_scope_filters(scope))
    )
    return {int(cid): (int(assignee or 0), _aware(at)) for cid, assignee, at in session.execute(stmt)}


def _sqlite_started(session: Session, scope: Scope, start: datetime, end: datetime) -> list[datetime]:
    return [at for _, at in _sqlite_conversations(session, scope).values() if start <= at < end]


def _sqlite_counts(
    session: Session,
    scope: Scope,
    period: Range,
    tz: ZoneInfo,
    group_of: Callable[[int, int | None], int],
    sender_groups: bool = False,
) -> dict[int, _Counts]:
    """Counts grouped by `group_of(assignee, sender)` (the sent messages by sender when
    `sender_groups`)."""
    start, end = period.utc_bounds(tz)
    conversations = _sqlite_conversations(session, scope)
    out: dict[int, _Counts] = defaultdict(_Counts)
    first_out: dict[int, datetime] = {}
    first_reply: dict[int, datetime] = {}
    for conversation_id, sender, direction, at in _sqlite_messages(session, scope, None, None):
        assignee = conversations[conversation_id][0]
        if direction == "outbound" and conversation_id not in first_out:
            first_out[conversation_id] = at
        elif direction == "inbound" and conversation_id in first_out and conversation_id not in first_reply:
            first_reply[conversation_id] = at
        if not start <= at < end:
            continue
        if direction == "outbound":
            if sender_groups:
                if sender is not None:
                    out[sender].sent += 1
            else:
                out[group_of(assignee, sender)].sent += 1
        elif direction == "inbound":
            out[group_of(assignee, None)].received += 1
    for conversation_id, (assignee, created) in conversations.items():
        group = out[group_of(assignee, None)]
        if start <= created < end:
            group.started += 1
        out_at = first_out.get(conversation_id)
        if out_at is None or not start <= out_at < end:
            continue
        group.contacted += 1
        reply_at = first_reply.get(conversation_id)
        if reply_at is not None and reply_at < end:
            group.replied += 1
            group.waits.append((reply_at - out_at).total_seconds())
    return dict(out)


def _sqlite_per_user(session: Session, scope: Scope, period: Range, tz: ZoneInfo) -> dict[int, _Counts]:
    return {
        k: v
        for k, v in _sqlite_counts(session, scope, period, tz, lambda a, _s: a, sender_groups=True).items()
        if v.started or v.sent or v.received or v.contacted
    }
