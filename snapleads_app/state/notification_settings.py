"""Settings → Notifications: the user's e-mail preferences and their private calendar feed."""

from __future__ import annotations

import reflex as rx

from snapleads_app.core.context import Ctx
from snapleads_app.domain.meetings import service as meetings
from snapleads_app.domain.notifications import service as notifications
from snapleads_app.domain.notifications.models import PreferencesUpdate
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState

OPTIONAL = ("import_finished", "lead_assigned", "new_message")


class NotificationSettingsState(SessionState):
    prefs: rx.Field[dict[str, bool]] = rx.field(default_factory=dict)
    loaded: rx.Field[bool] = rx.field(False)
    feed_active: rx.Field[bool] = rx.field(False)
    feed_since: rx.Field[str] = rx.field("")
    feed_url: rx.Field[str] = rx.field("")  # only right after creating it: the URL is shown once

    async def _reload(self, ctx: Ctx) -> None:
        found = await run_service(notifications.get_preferences, ctx=ctx)
        self.prefs = found.model_dump()
        feed = await run_service(meetings.feed_status, ctx=ctx)
        self.feed_active = feed.active
        self.feed_since = feed.created_at.strftime("%Y-%m-%d %H:%M UTC") if feed.created_at else ""
        self.loaded = True

    @rx.event
    @guarded
    async def load(self):
        self.feed_url = ""
        await self._reload(await self._ctx())

    @rx.event
    @guarded
    async def toggle(self, kind: str, enabled: bool):
        if kind not in OPTIONAL:
            return None
        await self._change(
            notifications.update_preferences, data=PreferencesUpdate.model_validate({kind: bool(enabled)})
        )
        return rx.toast.success(self._t("notify.saved"), duration=2000)

    @rx.event
    @guarded
    async def create_feed(self):
        ctx = await self._ctx()
        created = await run_service(meetings.create_feed, ctx=ctx)
        await self._reload(ctx)
        self.feed_url = created.url

    @rx.event
    @guarded
    async def revoke_feed(self):
        await self._change(meetings.revoke_feed)
        self.feed_url = ""
        return rx.toast.success(self._t("calendar.revoked"), duration=3000)
