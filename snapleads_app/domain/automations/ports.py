"""The automations' (and scoring's) window on the inbox, which lives in another feature.

THE wiring point: `_default_messaging()` below. When `snapleads_app.domain.inbox.service` exists (the
inbox feature, merged separately) `InboxMessaging` delegates to its `send_template_to_lead`,
`lead_replied_since` and `lead_message_stats`; until then `NoInbox` answers "no messages" and refuses
to send ("no_channel"). `use_messaging(impl)` replaces it (tests install a stub channel). For the bulk
rescore on PostgreSQL, `engagement_sql()` may return a subquery over the inbox tables; None = no
message counts in the set-based path (the per-lead path asks `lead_message_stats`).
"""

from __future__ import annotations

import importlib
import importlib.util
from datetime import datetime
from typing import Any, Protocol

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


class InboxMessaging:
    """Delegates to the inbox feature's service functions (the contract agreed with the inbox)."""

    def __init__(self, service: Any) -> None:
        self._service = service

    def send_template_to_lead(
        self, *, session: Session, ctx: Ctx, lead_id: int, template_id: int, channel: str | None = None
    ) -> object:
        return self._service.send_template_to_lead(
            session=session, ctx=ctx, lead_id=lead_id, template_id=template_id, channel=channel
        )

    def lead_replied_since(
        self, *, session: Session, workspace_id: int, lead_id: int, since: datetime | None
    ) -> bool:
        return bool(
            self._service.lead_replied_since(
                session=session, workspace_id=workspace_id, lead_id=lead_id, since=since
            )
        )

    def lead_message_stats(
        self, *, session: Session, workspace_id: int, lead_id: int
    ) -> tuple[int, int, bool]:
        inbound, outbound, replied = self._service.lead_message_stats(
            session=session, workspace_id=workspace_id, lead_id=lead_id
        )
        return int(inbound), int(outbound), bool(replied)

    def engagement_sql(self) -> str | None:
        provider = getattr(self._service, "engagement_sql", None)
        sql = provider() if callable(provider) else None
        return str(sql) if sql else None


def _default_messaging() -> Messaging:
    """The inbox when its service module exists in this build, else `NoInbox`."""
    if importlib.util.find_spec("snapleads_app.domain.inbox") is None:
        return NoInbox()
    try:
        service = importlib.import_module("snapleads_app.domain.inbox.service")
    except ImportError:
        return NoInbox()
    needed = ("send_template_to_lead", "lead_replied_since", "lead_message_stats")
    return InboxMessaging(service) if all(hasattr(service, n) for n in needed) else NoInbox()


_messaging: Messaging | None = None


def use_messaging(impl: Messaging | None) -> None:
    """Install an adapter (None restores the default: the inbox if present, else NoInbox)."""
    global _messaging
    _messaging = impl


def messaging() -> Messaging:
    global _messaging
    if _messaging is None:  # resolved on first use: the inbox module imports the leads domain too
        _messaging = _default_messaging()
    return _messaging
