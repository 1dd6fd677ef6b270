"""Settings → Workspace: the time zone picker reads and sets the workspace's zone (owners/admins only);
the reports follow it."""

from __future__ import annotations

import asyncio

from snapleads_app.core.db import unit_of_work
from snapleads_app.domain.analytics import service as analytics
from snapleads_app.domain.analytics.rules import time_zone_choices
from snapleads_app.state.settings_workspace import WorkspaceSettingsState
from tests.factories import add_member, register_owner
from tests.state.conftest import run
from tests.state.test_session_state import web_cookie


def _zone(member) -> str:
    with unit_of_work() as session:
        return analytics.get_time_zone(session=session, ctx=member.ctx)


def test_owner_sets_the_zone_and_agents_only_see_it(make_state):
    owner = register_owner("zed@example.com", workspace="Zed")
    agent = add_member(owner, "agent", "zoe@example.com")
    state = make_state(WorkspaceSettingsState, token=web_cookie(owner.email), path="/settings/workspace")
    state.lang = "en"
    asyncio.run(run(WorkspaceSettingsState.load, state))
    assert (state.time_zone, state.can_edit) == ("America/Sao_Paulo", True)
    assert "America/Sao_Paulo" in time_zone_choices() and "America/Manaus" in time_zone_choices()

    events = asyncio.run(run(WorkspaceSettingsState.save_time_zone, state, "America/Manaus"))
    assert state.time_zone == "America/Manaus" and _zone(owner) == "America/Manaus"
    assert "America/Manaus" in " ".join(str(e) for e in events)  # the confirmation toast
    asyncio.run(run(WorkspaceSettingsState.save_time_zone, state, "Mars/Olympus"))
    assert _zone(owner) == "America/Manaus"  # refused with a message, nothing changed

    theirs = make_state(
        WorkspaceSettingsState,
        token=web_cookie(agent.email),
        path="/settings/workspace",
        client_token="tab-2",
    )
    asyncio.run(run(WorkspaceSettingsState.load, theirs))
    assert (theirs.time_zone, theirs.can_edit) == ("America/Manaus", False)
    asyncio.run(run(WorkspaceSettingsState.save_time_zone, theirs, "UTC"))
    assert _zone(owner) == "America/Manaus"  # the service refuses agents
