"""The automations' (and scoring's) window on the inbox, which lives in another feature.

Until the inbox is wired in, `NoInbox` answers "no messages" and refuses to send. Wiring the real inbox
is one call at start-up (the single place): `use_messaging(InboxMessaging())` where InboxMessaging
delegates to `snapleads_app.domain.inbox.service` (`send_template_to_lead`, `lead_replied_since`,
`lead_message_stats`). Tests install a stub channel the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput


class Messaging(Protocol):
    def send_template_to_lead(
        self, *, session: Session, ctx: Ctx, lead_id: int, template_id: int, channel: str | None = None
    ) -> object: ...

    def lead_replied_since(
        self, *, session: Session, workspace_id: int, lead_id: int, since: datetime | None
    ) -> bool: ...

    def lead_message_stats(
        self, *, session: Session, workspace_id: int, lead_id: int
    ) -> tuple[int, int, bool]:
        """(inbound count, outbound count, replied)."""
        ...

    def engagement_sql(self) -> str | None:
        """A SQL subquery with columns (lead_id, inbound, outbound, replied) for the bulk rescore on
        PostgreSQL, or None when there are no messages to count."""
        ...


class NoInbox:
    """The default until the inbox lands: nobody has written, nothing can be sent."""

    def send_template_to_lead(
        self, *, session: Session, ctx: Ctx, lead_id: int, template_id: int, channel: str | None = None
    ) -> object:
        raise InvalidInput("No channel can send messages yet", code="no_channel")

    def lead_replied_since(
        self, *, session: Session, workspace_id: int, lead_id: int, since: datetime | None
    ) -> bool:
        return False

    def lead_message_stats(
        self, *, session: Session, workspace_id: int, lead_id: int
    ) -> tuple[int, int, bool]:
        return (0, 0, False)

    def engagement_sql(self) -> str | None:
        return None


_messaging: Messaging = NoInbox()


def use_messaging(impl: Messaging | None) -> None:
    """Install the inbox adapter (None restores the default)."""
    global _messaging
    _messaging = impl if impl is not None else NoInbox()


def messaging() -> Messaging:
    return _messaging
