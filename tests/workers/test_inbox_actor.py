"""inbox.deliver: a queued message goes out through its channel in the worker — e-mail against a real
local SMTP server (aiosmtpd) configured as the workspace's own server; failures keep their reason."""

from __future__ import annotations

import email
import email.message
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import SQLModel

from snapleads_app.core.db import get_engine, unit_of_work

JOIN_MS = 10_000


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.startswith("ghost@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.messages.append(email.message_from_bytes(raw))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def workspace(sqlite_env: Path, stub_broker: Any, smtp: tuple[_Inbox, int]) -> Any:
    import snapleads_app.domain.models_registry  # noqa: F401
    import workers.actors  # noqa: F401 - declares inbox.deliver on the fresh broker
    from snapleads_app.domain.accounts.models import Workspace
    from tests.factories import register_owner

    SQLModel.metadata.create_all(get_engine())
    owner = register_owner("ana@example.com", workspace="Agência Sol")
    stub_broker.join("default", timeout=JOIN_MS)
    with unit_of_work() as session:
        ws = session.get(Workspace, owner.workspace_id)
        assert ws is not None
        ws.settings = {
            "email_channel": {
                "host": "127.0.0.1",
                "port": smtp[1],
                "security": "none",
                "from": "ana@agency.test",
            }
        }
        session.add(ws)
    return owner


def _send(owner: Any, lead_email: str, body: str) -> Any:
    from snapleads_app.domain.inbox import service as inbox
    from tests.factories import make_lead

    lead = make_lead(owner, email=lead_email, full_name="Bruno Lima")
    with unit_of_work() as session:
        return inbox.send_to_lead(session=session, ctx=owner.ctx, lead_id=lead.id, body=body, channel="email")


def _message(owner: Any, message: Any) -> Any:
    from snapleads_app.domain.inbox import service as inbox

    with unit_of_work() as session:
        page = inbox.list_messages(session=session, ctx=owner.ctx, conversation_id=message.conversation_id)
    return next(m for m in page.data if m.id == message.id)


def test_actor_options(stub_broker: Any, workspace: Any) -> None:
    actor = stub_broker.get_actor("inbox.deliver")
    assert actor.queue_name == "default" and actor.options["max_retries"] == 5


def test_email_channel_delivers_through_the_workspace_smtp_server(
    stub_broker: Any, workspace: Any, smtp: tuple[_Inbox, int]
) -> None:
    inbox, _ = smtp
    queued = _send(workspace, "bruno@example.com", "Olá Bruno, <b>tudo bem</b>?")
    assert queued.status == "pending"
    stub_broker.join("default", timeout=JOIN_MS)

    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "bruno@example.com" and mail["From"] == "ana@agency.test"
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes) and payload.decode().strip() == "Olá Bruno, <b>tudo bem</b>?"
    sent = _message(workspace, queued)
    assert sent.status == "sent" and sent.sent_at is not None
    assert sent.external_id == mail["Message-ID"] == f"<snapleads-msg-{queued.id}@snapleads.local>"

    # A redelivered job finds the message no longer pending: nothing is sent twice.
    from workers.actors import deliver_message

    deliver_message.send(message_id=queued.id)
    stub_broker.join("default", timeout=JOIN_MS)
    assert len(inbox.messages) == 1


def test_refused_recipient_fails_with_the_reason(
    stub_broker: Any, workspace: Any, smtp: tuple[_Inbox, int]
) -> None:
    queued = _send(workspace, "ghost@example.com", "Oi")
    stub_broker.join("default", timeout=JOIN_MS)
    failed = _message(workspace, queued)
    assert failed.status == "failed" and "refused" in (failed.error or "")
    assert smtp[0].messages == []
