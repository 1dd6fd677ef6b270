"""Realtime for leads: lead events → one push per change → open tables, boards, drawers and dashboards.

The relay (state/realtime.py, exactly one process applies each event) bumps the workspace's leads
version (a counter in Redis shared by every process, consecutive per change) and sends one push to the
channel `leads-<workspace_id>`; every process emits it to its own tabs on that channel in one Socket.IO
call. `LeadsShared` is a tab-local state that only these pushes write in the browser (the server's copy
keeps what `link` may have set), so a change costs O(1) state-manager work whatever the number of tabs.
The change itself (ids, stages, actor) stays on the server (`PUSH_HUB.last_change`, tagged with its
version).

A page's load calls `start_live` before it reads the database (the version it read at), then returns
`LeadsLiveState.link`, which joins the channel and hands over a change that slipped in between. The
page's watcher (components/live.watch) calls the page state's `live_changed`, which reloads what it shows
— unless the change is the tab's own, already applied optimistically (`observe_change`); a gap in the
versions, or a change this process no longer remembers, reloads everything.

Imported by snapleads_app.py so the relay handlers are registered.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import reflex as rx

from snapleads_app.core.events import DomainEvent
from snapleads_app.state.base import guarded
from snapleads_app.state.realtime import (
    PUSH_HUB,
    VERSIONS,
    Push,
    field_delta,
    join_and_catch_up,
    publish_pushes,
    record_load_version,
    relay_handler,
    send_pushes,
)
from snapleads_app.state.session import SessionState

LEAD_EVENTS = ("lead.created", "lead.updated", "lead.deleted", "lead.bulk")
OWN_CHANGE_SECONDS = 15.0
MAX_IDS = 200


def leads_token(workspace_id: int) -> str:
    return f"leads-{int(workspace_id)}"


def current_version(workspace_id: int) -> int:
    """Blocking: the workspace's leads version now (every change after it is numbered higher)."""
    return VERSIONS.current(leads_token(workspace_id))


class LeadsShared(rx.State):
    """The leads version a tab has received: written in the browser by the relay's pushes; on the
    server only `link` writes it (the version at join time, when a change slipped in before the join)."""

    # 0 = nothing received yet; one more per change of the workspace's leads.
    version: rx.Field[int] = rx.field(0)


def change_record(event: DomainEvent) -> dict[str, str]:
    data = event.data or {}
    ids = data.get("ids") if event.type == "lead.bulk" else [data.get("id")]
    stages = [data.get("stage_id"), data.get("from_stage_id")]
    ids_list = [str(i) for i in (ids or []) if i is not None]
    return {
        "type": event.type,
        "ids": ",".join(ids_list[:MAX_IDS]),
        "many": "1" if len(ids_list) > MAX_IDS or int(data.get("count") or 0) > len(ids_list) else "",
        "stages": ",".join(sorted({str(s) for s in stages if s is not None})),
        "actor": str(data.get("actor_user_id") or ""),
        "action": str(data.get("action") or ""),
    }


def prepare_push(event: DomainEvent) -> tuple[Push, bool]:
    """Blocking: bump the version, build the push and publish it to every process."""
    version = VERSIONS.bump(leads_token(event.workspace_id))
    push = Push(
        channel=leads_token(event.workspace_id),
        delta=field_delta(LeadsShared, {"version": version}),
        change={**change_record(event), "version": str(version)},
    )
    return push, publish_pushes([push])


async def _push(app: Any, event: DomainEvent) -> None:
    push, published = await asyncio.to_thread(prepare_push, event)
    await send_pushes(app, [push], published=published)


for _type in LEAD_EVENTS:
    relay_handler(_type)(_push)


class LeadsLiveState(SessionState):
    """Joins the tab to its workspace's leads pushes (a separate event after the page load)."""

    _loaded_version: int = 0  # the version the page's load read at (`start_live`)

    @rx.event
    @guarded
    async def link(self):
        ctx = await self._ctx()
        token = leads_token(ctx.workspace_id)
        await join_and_catch_up(
            self, group="leads", channel=token, key=token, loaded=self._loaded_version, live_cls=LeadsShared
        )


async def start_live(state: Any, workspace_id: int) -> int:
    return await record_load_version(state, LeadsLiveState, leads_token(workspace_id))


def remember_own(own: dict[str, float], ids: list[int] | list[str]) -> dict[str, float]:
    """The tab's own recent changes (lead id → monotonic time), pruned, with `ids` added now."""
    now = time.monotonic()
    kept = {k: v for k, v in own.items() if now - v < OWN_CHANGE_SECONDS}
    kept.update({str(i): now for i in ids})
    return kept


async def observe_change(state: Any, version: int) -> tuple[str, dict[str, str]]:
    """The first step of a leads page's `live_changed`: read the pushed change, decide what to do
    (`live_action`) and remember `version` as seen. `state` is a `SessionState` with the backend vars
    `_live_seen: int` and `_own_changes: dict[str, float]`; returns (action, change)."""
    version = int(version or 0)
    if version <= state._live_seen:
        return "skip", {}  # the watcher's first call, or a value the page's load already covered
    ctx = await state._ctx()  # the session's workspace, never a var the browser can set
    change = PUSH_HUB.last_change(leads_token(ctx.workspace_id))
    if change.get("version") != str(version):
        change = {}  # not the change this version stands for (a later one, or none here): reload all
    action = live_action(state._live_seen, version, change, ctx.user_id, state._own_changes)
    state._live_seen = max(state._live_seen, version)
    return action, change


def live_action(seen: int, version: int, change: dict[str, str], user_id: int, own: dict[str, float]) -> str:
    """What a page does when the pushed version moves from `seen` to `version`:
    'skip' (a value the page's own load or an earlier call already covered, or this tab's own change
    already applied), 'partial' (reload what the change touched) or 'full'."""
    if version <= seen:
        return "skip"
    if version > seen + 1 or not change:
        return "full"  # several events since the last one this tab saw
    ids = [i for i in change.get("ids", "").split(",") if i]
    now = time.monotonic()
    mine = all(now - own.get(i, -1e9) < OWN_CHANGE_SECONDS for i in ids)
    if ids and mine and change.get("actor") == str(user_id) and not change.get("many"):
        return "skip"
    return "partial" if ids and not change.get("many") else "full"
