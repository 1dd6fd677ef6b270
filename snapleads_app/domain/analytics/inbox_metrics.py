"""Conversation and message metrics — PENDING THE INBOX.

The inbox (conversations, messages, templates) is being built separately. Until its tables exist these
functions return zeros/None with `pending=True`, so the API shape, the dashboard and the CSV columns
are final already. When the inbox lands, only this module changes: each function computes its numbers
from the inbox tables for the same workspace, period (UTC bounds) and assignee scope.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from snapleads_app.domain.analytics.models import InboxOverview, TemplateRow
from snapleads_app.domain.analytics.repo import Scope

PENDING = True


def overview(*, session: Session, scope: Scope, start: datetime, end: datetime) -> InboxOverview:
    """Conversations started, response rate, median time to first reply, messages sent/received."""
    del session, scope, start, end
    return InboxOverview(pending=PENDING)


def timeline(*, session: Session, scope: Scope, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """Per bucket label: conversations started, messages sent and received (none until the inbox)."""
    del session, scope, start, end
    return {}


def per_user(
    *, session: Session, scope: Scope, start: datetime, end: datetime
) -> dict[int, dict[str, float]]:
    """Per user id: conversations active, messages sent, replies, response rate (none until the inbox)."""
    del session, scope, start, end
    return {}


def templates(*, session: Session, scope: Scope, start: datetime, end: datetime) -> list[TemplateRow]:
    """Template performance: sent and reply rate (none until the inbox)."""
    del session, scope, start, end
    return []
