"""A local SMTP server (aiosmtpd) that the app's settings point at: what the notifications really send.

Use the `smtp_inbox` fixture (import `smtp_inbox_fixture` into the test module): it starts the server on a free port,
sets SMTP_HOST/PORT/SECURITY=none for the test and restores the settings afterwards.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def body(self, subtype: str = "plain") -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        assert part is not None, f"no text/{subtype} part"
        return part.get_content()  # type: ignore[attr-defined]

    def link(self, path: str) -> str:
        """The first absolute link to `path` in the plain-text part."""
        found = re.search(rf"https?://\S+{re.escape(path)}\S*", self.body())
        assert found, f"no link to {path} in:\n{self.body()}"
        return found.group(0)


@dataclass
class Inbox:
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    refuse_domain: str = "refused.example.com"
    transient: int = 0  # answer `451` (greylisting: try again later) to this many RCPTs first
    attempts: int = 0  # RCPTs seen, refused or not

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        self.attempts += 1
        if address.endswith("@" + self.refuse_domain):
            return "550 no such user"
        if self.transient > 0:
            self.transient -= 1
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append(Received(to=list(envelope.rcpt_tos), message=parsed))  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.to]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(name="smtp_inbox")
def smtp_inbox_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    from snapleads_app.core.settings import get_settings

    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(inbox.port))
    monkeypatch.setenv("SMTP_SECURITY", "none")
    monkeypatch.setenv("SMTP_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    try:
        yield inbox
    finally:
        controller.stop()
        monkeypatch.undo()
        get_settings.cache_clear()
