"""Channel adapters: how an outbound message leaves the CRM. The `inbox.deliver` actor calls one.

- `manual`: the rep sends on the social network (by hand or through the extension); the CRM records
  it, so it is `sent` at once.
- `email`: SMTP through the codebase's one mail client (core/mail.py) — the workspace's own server when
  its settings name one (`settings["email_channel"]`), else the app's.
- `stub`: demos and tests — `delivered` at once, nothing leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from snapleads_app.core.mail import MailDeliveryError, MailSender, OutgoingEmail, SmtpSender, get_sender


@dataclass(frozen=True, slots=True)
class Outgoing:
    message_id: int
    workspace_id: int
    body: str
    lead_name: str
    lead_email: str | None
    workspace_name: str
    sender_name: str


@dataclass(frozen=True, slots=True)
class Delivery:
    status: str  # "sent" | "delivered" | "failed"
    external_id: str | None = None
    error: str | None = None
    permanent: bool = True  # for failures: False = a later retry may succeed


class ChannelAdapter(Protocol):
    def deliver(self, outgoing: Outgoing) -> Delivery: ...


class ManualChannel:
    def deliver(self, outgoing: Outgoing) -> Delivery:
        return Delivery(status="sent")


class StubChannel:
    def deliver(self, outgoing: Outgoing) -> Delivery:
        return Delivery(status="delivered", external_id=f"stub-{outgoing.message_id}")


@dataclass(frozen=True)
class EmailChannel:
    sender: MailSender
    from_address: str | None = None

    def deliver(self, outgoing: Outgoing) -> Delivery:
        if not outgoing.lead_email:
            return Delivery(status="failed", error="The lead has no e-mail address", permanent=True)
        email = OutgoingEmail(
            to=[outgoing.lead_email],
            subject=f"{outgoing.sender_name} · {outgoing.workspace_name}".strip(" ·"),
            text=outgoing.body,
            sender=self.from_address,
            # A stable id: a retried delivery is recognisable as the same message.
            message_id=f"<snapleads-msg-{outgoing.message_id}@snapleads.local>",
        )
        try:
            external_id = self.sender.send(email)
        except MailDeliveryError as exc:
            return Delivery(status="failed", error=str(exc)[:500], permanent=exc.permanent)
        return Delivery(status="sent", external_id=external_id)


def email_sender(workspace_settings: Mapping[str, Any]) -> tuple[MailSender, str | None]:
    """The workspace's own SMTP server when configured, else the app's sender."""
    conf = workspace_settings.get("email_channel") or {}
    if isinstance(conf, Mapping) and conf.get("host"):
        sender = SmtpSender(
            host=str(conf["host"]),
            port=int(conf.get("port") or 587),
            security=conf.get("security") or "starttls",
            username=str(conf.get("username") or ""),
            password=str(conf.get("password") or ""),
        )
        return sender, (str(conf["from"]) if conf.get("from") else None)
    return get_sender(), None


def adapter_for(channel: str, workspace_settings: Mapping[str, Any]) -> ChannelAdapter:
    if channel == "email":
        sender, from_address = email_sender(workspace_settings)
        return EmailChannel(sender=sender, from_address=from_address)
    if channel == "stub":
        return StubChannel()
    return ManualChannel()
