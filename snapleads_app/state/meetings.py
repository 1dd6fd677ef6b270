"""Meetings in the UI: the "schedule a meeting" dialog (lead drawer and Kanban card), the drawer's list
and the dashboard's upcoming meetings. Times are entered and shown in the browser's time zone."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from snapleads_app.core.context import Ctx
from snapleads_app.domain.meetings import service as meetings
from snapleads_app.domain.meetings.models import MeetingCreate, MeetingPublic, MeetingUpdate
from snapleads_app.state.base import error_message, guarded, run_service
from snapleads_app.state.lead_detail import LeadDetailState
from snapleads_app.state.session import SessionState

DEFAULT_TZ = "America/Sao_Paulo"
BROWSER_TZ_JS = "Intl.DateTimeFormat().resolvedOptions().timeZone"


@dataclasses.dataclass
class MeetingRow:
    id: str = ""
    lead_id: str = ""
    lead_name: str = ""
    organiser_name: str = ""
    when: str = ""
    local_input: str = ""  # the start as a datetime-local value, for the edit form
    duration: int = 30
    location: str = ""
    notes: str = ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class MeetingState(SessionState):
    tz: rx.Field[str] = rx.field("")
    dialog_open: rx.Field[bool] = rx.field(False)
    dialog_lead_id: rx.Field[str] = rx.field("")
    dialog_lead_name: rx.Field[str] = rx.field("")
    editing: rx.Field[MeetingRow] = rx.field(default_factory=MeetingRow)  # id "" = a new meeting
    error: rx.Field[str] = rx.field("")
    saving: rx.Field[bool] = rx.field(False)
    list_lead_id: rx.Field[str] = rx.field("")
    lead_meetings: rx.Field[list[MeetingRow]] = rx.field(default_factory=list)
    upcoming: rx.Field[list[MeetingRow]] = rx.field(default_factory=list)
    upcoming_loaded: rx.Field[bool] = rx.field(False)

    def _row(self, m: MeetingPublic) -> MeetingRow:
        local = m.starts_at.astimezone(_zone(self.tz))
        pattern = "%Y-%m-%d %H:%M" if self.lang == "en" else "%d/%m/%Y %H:%M"
        return MeetingRow(
            id=str(m.id),
            lead_id=str(m.lead_id),
            lead_name=m.lead_name,
            organiser_name=m.organiser_name,
            when=local.strftime(pattern),
            local_input=local.strftime("%Y-%m-%dT%H:%M"),
            duration=m.duration_minutes,
            location=m.location,
            notes=m.notes,
        )

    async def _reload_lead(self, ctx: Ctx) -> None:
        if not self.list_lead_id:
            self.lead_meetings = []
            return
        found = await run_service(meetings.list_for_lead, ctx=ctx, lead_id=int(self.list_lead_id))
        self.lead_meetings = [self._row(m) for m in found]

    @rx.event
    def open_lead_from_query(self):
        """/leads?lead=<id> (the links in notification e-mails): open that lead's drawer."""
        lead_id = str(self.router.url.query_parameters.get("lead", "") or "")
        if not lead_id.isdigit():
            return None
        return LeadDetailState.open_lead(lead_id)

    @rx.event
    def set_tz(self, tz: Any) -> None:
        self.tz = str(tz or "")

    @rx.event
    @guarded
    async def load_for_lead(self, lead_id: str):
        self.list_lead_id = str(lead_id or "")
        await self._reload_lead(await self._ctx())
        return rx.call_script(BROWSER_TZ_JS, callback=MeetingState.set_tz) if not self.tz else None

    async def _reload_upcoming(self) -> None:
        found = await run_service(meetings.upcoming, ctx=await self._ctx(), limit=5)
        self.upcoming = [self._row(m) for m in found]
        self.upcoming_loaded = True

    @rx.event
    @guarded
    async def load_upcoming(self):
        await self._reload_upcoming()
        return rx.call_script(BROWSER_TZ_JS, callback=MeetingState.relabel_upcoming) if not self.tz else None

    @rx.event
    @guarded
    async def relabel_upcoming(self, tz: Any):
        """The browser told us its zone after the first render: show the times in it."""
        self.tz = str(tz or "")
        await self._reload_upcoming()

    @rx.event
    def open_new(self, lead_id: str, lead_name: str):
        self.dialog_lead_id, self.dialog_lead_name = str(lead_id), str(lead_name)
        self.editing = MeetingRow()
        self.error, self.saving, self.dialog_open = "", False, True
        return rx.call_script(BROWSER_TZ_JS, callback=MeetingState.set_tz)

    @rx.event
    def open_edit(self, meeting_id: str):
        """Reschedule or change a meeting of the drawer's list in the same dialog."""
        row = next((m for m in self.lead_meetings if m.id == str(meeting_id)), None)
        if row is None:
            return
        self.dialog_lead_id, self.dialog_lead_name = row.lead_id, row.lead_name
        self.editing = row
        self.error, self.saving, self.dialog_open = "", False, True

    @rx.event
    def set_dialog_open(self, open_: bool) -> None:
        self.dialog_open = bool(open_)

    @rx.event
    async def create(self, form_data: dict[str, Any]):
        self.error, self.saving = "", True
        yield
        try:
            raw = str(form_data.get("starts_at", "")).strip()
            if not raw:
                self.error, self.saving = self._t("meeting.starts_required"), False
                return
            fields = {
                "starts_at": datetime.fromisoformat(raw).replace(tzinfo=_zone(self.tz)),
                "duration_minutes": int(form_data.get("duration_minutes") or 30),
                "location": str(form_data.get("location", "")),
                "notes": str(form_data.get("notes", "")),
            }
            ctx = await self._ctx()
            if self.editing.id:
                await run_service(
                    meetings.update_meeting,
                    ctx=ctx,
                    meeting_id=int(self.editing.id),
                    data=MeetingUpdate(**fields),
                )
            else:
                data = MeetingCreate(lead_id=int(self.dialog_lead_id), **fields)
                await run_service(meetings.create_meeting, ctx=ctx, data=data)
        except Exception as exc:  # noqa: BLE001 - shown in the dialog
            self.error, self.saving = error_message(exc, self.lang), False
            return
        self.saving, self.dialog_open = False, False
        if self.list_lead_id == self.dialog_lead_id:
            await self._reload_lead(ctx)
        yield rx.toast.success(
            self._t("meeting.updated" if self.editing.id else "meeting.created"), duration=3000
        )

    @rx.event
    @guarded
    async def delete(self, meeting_id: str):
        ctx = await self._ctx()
        await run_service(meetings.delete_meeting, ctx=ctx, meeting_id=int(meeting_id))
        await self._reload_lead(ctx)
        return rx.toast.success(self._t("meeting.deleted"), duration=3000)

    @rx.event
    @guarded
    async def download(self, meeting_id: str):
        ctx = await self._ctx()
        body = await run_service(meetings.meeting_ics, ctx=ctx, meeting_id=int(meeting_id))
        return rx.download(
            data=body.decode(), filename=f"meeting-{meeting_id}.ics", mime_type="text/calendar"
        )
