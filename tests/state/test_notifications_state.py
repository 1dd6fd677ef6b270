"""Meetings, notification settings and password-reset handlers, called directly (no server)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.leads import service as leads
from snapleads_app.domain.meetings import service as meetings
from snapleads_app.state.meetings import MeetingState
from snapleads_app.state.notification_settings import NotificationSettingsState
from snapleads_app.state.password_reset import PasswordResetState
from tests.factories import add_member, make_lead, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie


def _go(handler: Any, state: Any, *args: Any) -> list[Any]:
    return asyncio.run(run(handler, state, *args))


def test_scheduling_from_the_dialog_uses_the_browsers_time_zone(make_state) -> None:
    owner = register_owner("mara@example.com")
    lead = make_lead(owner, full_name="Nina")
    state = make_state(MeetingState, token=web_cookie(owner.email), path="/kanban")
    _go(MeetingState.open_new, state, str(lead.id), "Nina")
    assert state.dialog_open and state.dialog_lead_name == "Nina"
    _go(MeetingState.set_tz, state, "America/Sao_Paulo")
    _go(MeetingState.create, state, {"starts_at": "", "duration_minutes": "30"})
    assert state.error and state.dialog_open  # the date is required
    _go(MeetingState.load_for_lead, state, str(lead.id))
    _go(
        MeetingState.create,
        state,
        {"starts_at": "2030-03-10T14:30", "duration_minutes": "45", "location": "Zoom"},
    )
    assert state.error == "" and not state.dialog_open
    with unit_of_work() as session:
        [meeting] = meetings.list_for_lead(session=session, ctx=owner.ctx, lead_id=lead.id)
        assert leads.get_lead(session=session, ctx=owner.ctx, lead_id=lead.id).status == "scheduled"
    assert meeting.starts_at == datetime(2030, 3, 10, 17, 30, tzinfo=UTC)  # 14:30 in São Paulo (UTC-3)
    assert meeting.duration_minutes == 45
    assert [(m.when, m.location) for m in state.lead_meetings] == [("10/03/2030 14:30", "Zoom")]
    _go(MeetingState.open_edit, state, str(meeting.id))
    assert state.dialog_open and state.editing.local_input == "2030-03-10T14:30"
    _go(
        MeetingState.create,
        state,
        {"starts_at": "2030-03-11T09:00", "duration_minutes": "60", "location": "Sala"},
    )
    assert not state.dialog_open
    assert [(m.id, m.when, m.duration, m.location) for m in state.lead_meetings] == [
        (str(meeting.id), "11/03/2030 09:00", 60, "Sala")
    ]  # rescheduled in place, not a second meeting
    events = _go(MeetingState.download, state, str(meeting.id))
    spec = str(events[0])
    assert "_download" in spec and f"meeting-{meeting.id}.ics" in spec
    _go(MeetingState.delete, state, str(meeting.id))
    assert state.lead_meetings == []


def test_viewers_cannot_schedule(make_state) -> None:
    owner = register_owner("olga@example.com")
    viewer = add_member(owner, "viewer", "olga-viewer@example.com")
    lead = make_lead(owner)
    state = make_state(MeetingState, token=web_cookie(viewer.email), path="/leads")
    _go(MeetingState.open_new, state, str(lead.id), "x")
    _go(MeetingState.create, state, {"starts_at": "2030-03-10T14:30"})
    assert state.error and state.dialog_open


def test_preferences_and_feed_from_the_settings_page(make_state) -> None:
    owner = register_owner("paula@example.com")
    state = make_state(
        NotificationSettingsState, token=web_cookie(owner.email), path="/settings/notifications"
    )
    _go(NotificationSettingsState.load, state)
    assert state.prefs == {"import_finished": True, "lead_assigned": True, "new_message": True}
    assert state.feed_active is False
    _go(NotificationSettingsState.toggle, state, "lead_assigned", False)
    assert state.prefs["lead_assigned"] is False
    _go(NotificationSettingsState.toggle, state, "not_a_kind", False)
    _go(NotificationSettingsState.create_feed, state)
    assert state.feed_active and "/api/v1/calendar/" in state.feed_url and state.feed_url.endswith(".ics")
    _go(NotificationSettingsState.load, state)
    assert state.feed_url == ""  # shown once
    _go(NotificationSettingsState.revoke_feed, state)
    assert state.feed_active is False


def test_forgot_page_answers_the_same_for_unknown_emails(make_state, jobs) -> None:
    state = make_state(PasswordResetState, path="/forgot-password")
    _go(PasswordResetState.request_link, state, {"email": "nobody@example.com"})
    assert state.sent_to == "nobody@example.com" and state.error == ""
    for _ in range(3):
        _go(PasswordResetState.request_link, state, {"email": "nobody@example.com"})
    assert state.error  # throttled: the page says when to try again
