"""The one e-mail client of the codebase: a `MailSender` port with an SMTP and a file backend.

Notifications (password reset, invitations…) and the inbox's `email` channel both send through
`SmtpSender` — with the server settings from the environment, or a workspace's own channel settings.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Literal, Protocol

from snapleads_app.core import clock
from snapleads_app.core.settings import get_settings

log = logging.getLogger(__name__)

Security = Literal["starttls", "ssl", "none"]


class MailDeliveryError(Exception):
    """The server refused the message or could not be reached; `permanent` = retrying will not help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingEmail:
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    sender: str | None = None  # default: settings.mail_from
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None  # default: a fresh one; pass one to make a retry recognisable

    def to_mime(self, default_sender: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender or default_sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject
        msg["Message-ID"] = self.message_id or make_msgid(domain="snapleads.local")
        msg["Date"] = clock.now()
        if self.reply_to:
            msg["Reply-To"] = self.reply_to
        for name, value in self.headers.items():
            msg[name] = value
        msg.set_content(self.text)
        if self.html is not None:
            msg.add_alternative(self.html, subtype="html")
        return msg


class MailSender(Protocol):
    def send(self, email: OutgoingEmail) -> str:
        """Deliver the message; return its Message-ID. Raises `MailDeliveryError`."""
        ...


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int = 587
    security: Security = "starttls"
    username: str = ""
    password: str = ""
    timeout: float = 15.0
    default_sender: str = "SnapLeads <no-reply@snapleads.local>"

    def send(self, email: OutgoingEmail) -> str:
        msg = email.to_mime(self.default_sender)
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            # 5xx for a recipient = it will never be accepted; 4xx (e.g. greylisting) = try again later.
            codes = [code for code, _ in exc.recipients.values()]
            raise MailDeliveryError(
                f"recipient refused: {exc.recipients}", permanent=all(code >= 500 for code in codes)
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise MailDeliveryError("SMTP authentication failed", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx = the server will never accept it; 4xx = try again later.
            raise MailDeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailDeliveryError(f"SMTP server unreachable: {exc}", permanent=False) from exc
        return str(msg["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


@dataclass(frozen=True)
class FileSender:
    """Development backend: each message is written as an .eml file and logged."""

    directory: Path
    default_sender: str = "SnapLeads <no-reply@snapleads.local>"

    def send(self, email: OutgoingEmail) -> str:
        msg = email.to_mime(self.default_sender)
        self.directory.mkdir(parents=True, exist_ok=True)
        message_id = str(msg["Message-ID"])
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{message_id.strip('<>').split('@')[0]}.eml"
        path.write_bytes(msg.as_bytes())
        log.info("mail.written", extra={"to": email.to, "subject": email.subject, "path": str(path)})
        return message_id


def get_sender() -> MailSender:
    """The configured sender: SMTP when `SMTP_HOST` is set, else the file backend."""
    s = get_settings()
    if s.smtp_host:
        return SmtpSender(
            host=s.smtp_host,
            port=s.smtp_port,
            security=s.smtp_security,
            username=s.smtp_username,
            password=s.smtp_password,
            timeout=s.smtp_timeout_seconds,
            default_sender=s.mail_from,
        )
    return FileSender(directory=s.mail_dir, default_sender=s.mail_from)
