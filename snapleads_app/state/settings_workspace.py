"""Settings → Workspace: the workspace's time zone (the days of every report; changing it recounts them)."""

from __future__ import annotations

import reflex as rx

from snapleads_app.domain.accounts import rules
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.state.base import guarded, run_service
from snapleads_app.state.session import SessionState


class WorkspaceSettingsState(SessionState):
    time_zone: rx.Field[str] = rx.field("")
    can_edit: rx.Field[bool] = rx.field(False)
    saving: rx.Field[bool] = rx.field(False)

    @rx.event
    @guarded
    async def load(self):
        ctx = await self._ctx()
        self.time_zone = await run_service(analytics.get_time_zone, ctx=ctx)
        self.can_edit = rules.can(ctx.role, "workspace.settings")

    @rx.event
    @guarded
    async def save_time_zone(self, value: str):
        ctx = await self._ctx()
        self.saving = True
        try:
            self.time_zone = await run_service(analytics.set_time_zone, ctx=ctx, time_zone=str(value))
        finally:
            self.saving = False
        return rx.toast.success(self._t("workspace.time_zone_saved", zone=self.time_zone))
