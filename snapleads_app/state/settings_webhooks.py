"""Settings → Webhooks (owners/admins): subscriptions, on/off, send test, the delivery log."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from pydantic import ValidationError

from snapleads_app.core.context import Ctx
from snapleads_app.core.errors import InvalidInput
from snapleads_app.domain.webhooks import service as webhooks
from snapleads_app.domain.webhooks.models import EVENTS, WebhookIn, WebhookUpdate
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState


@dataclasses.dataclass
class WebhookRow:
    id: str = ""
    url: str = ""
    description: str = ""
    events: str = ""
    secret: str = ""
    enabled: bool = True
    last_status: str = ""


@dataclasses.dataclass
class DeliveryRow:
    id: str = ""
    event: str = ""
    status: str = ""
    attempts: int = 0
    response: str = ""
    when: str = ""


class WebhooksSettingsState(SessionState):
    hooks: rx.Field[list[WebhookRow]] = rx.field(default_factory=list)
    loaded: rx.Field[bool] = rx.field(False)
    new_events: rx.Field[list[str]] = rx.field(default_factory=lambda: ["lead.created"])
    error: rx.Field[str] = rx.field("")
    log_for: rx.Field[str] = rx.field("")
    deliveries: rx.Field[list[DeliveryRow]] = rx.field(default_factory=list)

    async def _reload(self, ctx: Ctx) -> None:
        found = await run_service(webhooks.list_webhooks, ctx=ctx)
        self.hooks = [
            WebhookRow(
                id=str(h.id),
                url=h.url,
                description=h.description,
                events=", ".join(h.events),
                secret=h.secret,
                enabled=h.enabled,
                last_status=h.last_status or "",
            )  # fmt: skip
            for h in found
        ]
        if self.log_for:
            await self._load_log(ctx)
        self.loaded = True

    async def _load_log(self, ctx: Ctx) -> None:
        found = await run_service(webhooks.list_deliveries, ctx=ctx, webhook_id=int(self.log_for), limit=50)
        self.deliveries = [
            DeliveryRow(
                id=str(d.id),
                event=d.event,
                status=d.status,
                attempts=d.attempts,
                response=str(d.response_status or d.error or ""),
                when=f"{d.created_at:%Y-%m-%d %H:%M:%S}",
            )  # fmt: skip
            for d in found
        ]

    @rx.event
    @guarded
    async def load(self):
        self.error = ""
        await self._reload(await self._ctx())

    @rx.event
    def toggle_event(self, event: str) -> None:
        if event in EVENTS:
            chosen = set(self.new_events) ^ {event}
            self.new_events = [e for e in EVENTS if e in chosen]

    @rx.event
    @guarded
    async def create(self, form_data: dict[str, Any]):
        ctx = await self._ctx()
        try:
            data = WebhookIn(url=str(form_data.get("url") or ""), description=str(form_data.get("description") or ""),
                             events=self.new_events)  # type: ignore[arg-type]  # fmt: skip
            await run_service(webhooks.create_webhook, ctx=ctx, data=data)
        except (InvalidInput, ValidationError) as exc:
            self.error = (
                self._t("error.invalid_webhook_url")
                if isinstance(exc, InvalidInput)
                else self._t("error.invalid_input")
            )
            return None
        self.error = ""
        await self._reload(ctx)
        return [rx.set_value("webhook-url", ""), rx.toast.success(self._t("webhooks.created"))]

    @rx.event
    @guarded
    async def toggle(self, webhook_id: str, enabled: bool):
        await self._change(
            webhooks.update_webhook, webhook_id=int(webhook_id), data=WebhookUpdate(enabled=bool(enabled))
        )

    @rx.event
    @guarded
    async def delete(self, webhook_id: str):
        if self.log_for == webhook_id:
            self.log_for = ""
        await self._change(webhooks.delete_webhook, webhook_id=int(webhook_id))
        return rx.toast.success(self._t("webhooks.deleted"))

    @rx.event
    @guarded
    async def send_test(self, webhook_id: str):
        self.log_for = webhook_id
        await self._change(webhooks.send_test, webhook_id=int(webhook_id))
        return rx.toast.success(self._t("webhooks.test_sent"))

    @rx.event
    @guarded
    async def show_log(self, webhook_id: str):
        self.log_for = "" if self.log_for == webhook_id else webhook_id
        if self.log_for:
            await self._load_log(await self._ctx())
