"""The one mail client against a real local SMTP server (aiosmtpd) and the file backend."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

from snapleads_app.core.mail import FileSender, MailDeliveryError, OutgoingEmail, SmtpSender


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, Message]] = []

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options
    ):  # noqa: N802
        if address.endswith("@refused.test"):
            return "550 no such user"
        if address.endswith("@greylist.test"):
            return "451 4.7.1 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:  # noqa: N802
        assert envelope.content is not None
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.messages.append((envelope, email.message_from_bytes(raw)))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_smtp_sender_delivers_text_and_html(smtp_server: tuple[_Inbox, int]) -> None:
    inbox, port = smtp_server
    sender = SmtpSender(host="127.0.0.1", port=port, security="none", default_sender="Team <team@x.test>")
    message_id = sender.send(
        OutgoingEmail(to=["ana@example.com"], subject="Olá, Ana", text="Texto", html="<p>Texto</p>")
    )
    assert len(inbox.messages) == 1
    envelope, msg = inbox.messages[0]
    assert envelope.rcpt_tos == ["ana@example.com"]
    assert msg["Message-ID"] == message_id
    assert str(make_header(decode_header(msg["Subject"]))) == "Olá, Ana"
    assert msg["From"] == "Team <team@x.test>"
    assert [part.get_content_type() for part in msg.walk()][1:] == ["text/plain", "text/html"]


def test_refused_recipient_is_a_permanent_failure(smtp_server: tuple[_Inbox, int]) -> None:
    _, port = smtp_server
    sender = SmtpSender(host="127.0.0.1", port=port, security="none")
    with pytest.raises(MailDeliveryError) as info:
        sender.send(OutgoingEmail(to=["nobody@refused.test"], subject="s", text="t"))
    assert info.value.permanent is True


def test_recipient_refused_with_4xx_is_a_temporary_failure(smtp_server: tuple[_Inbox, int]) -> None:
    _, port = smtp_server
    sender = SmtpSender(host="127.0.0.1", port=port, security="none")
    with pytest.raises(MailDeliveryError) as info:
        sender.send(OutgoingEmail(to=["later@greylist.test"], subject="s", text="t"))
    assert info.value.permanent is False and "451" in str(info.value)


def test_silent_server_times_out_as_a_temporary_failure() -> None:
    with socket.socket() as listener:  # accepts the connection, never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        sender = SmtpSender(host="127.0.0.1", port=listener.getsockname()[1], security="none", timeout=0.5)
        with pytest.raises(MailDeliveryError) as info:
            sender.send(OutgoingEmail(to=["a@example.com"], subject="s", text="t"))
    assert info.value.permanent is False and "unreachable" in str(info.value)


def test_unreachable_server_is_a_temporary_failure() -> None:
    sender = SmtpSender(host="127.0.0.1", port=_free_port(), security="none", timeout=2)
    with pytest.raises(MailDeliveryError) as info:
        sender.send(OutgoingEmail(to=["a@example.com"], subject="s", text="t"))
    assert info.value.permanent is False


def test_file_sender_writes_a_readable_eml(tmp_path: Path) -> None:
    message_id = FileSender(directory=tmp_path).send(
        OutgoingEmail(to=["a@example.com"], subject="Reset", text="link", message_id="<fixed@x.test>")
    )
    files = list(tmp_path.glob("*.eml"))
    assert message_id == "<fixed@x.test>" and len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "a@example.com" and parsed["Subject"] == "Reset"


def test_core_mail_is_the_only_smtp_client_in_the_codebase() -> None:
    """Notifications and the inbox's e-mail channel share `core/mail.py`; nothing else talks SMTP."""
    root = Path(__file__).resolve().parents[2]
    smtp_import = re.compile(r"^\s*(import|from)\s+(smtplib|aiosmtplib)\b", re.MULTILINE)
    talking_smtp = sorted(
        str(path.relative_to(root))
        for package in ("snapleads_app", "api_ext", "workers", "scripts")
        for path in (root / package).rglob("*.py")
        if smtp_import.search(path.read_text(encoding="utf-8"))
    )
    assert talking_smtp == ["snapleads_app/core/mail.py"]
