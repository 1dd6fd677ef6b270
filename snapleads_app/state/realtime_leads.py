"""Realtime for leads: lead events → a per-workspace shared "leads version" → open tables and boards.

The relay (state/realtime.py, exactly one process applies each event) bumps `LeadsShared.version` and
records the last change; every browser linked to `leads-<workspace_id>` receives it, and the page's
watcher (components/live.watch) calls the page state's `live_changed`, which reloads what it shows —
unless the change is the tab's own, already applied optimistically (`observe_change`).

Imported by snapleads_app.py so the relay handlers are registered.
"""

from __future__ import annotations

import time
from typing import Any

import reflex as rx

from snapleads_app.core.events import DomainEvent
from snapleads_app.state.base import guarded
from snapleads_app.state.realtime import modify_shared, relay_handler
from snapleads_app.state.session import SessionState

LEAD_EVENTS = ("lead.created", "lead.updated", "lead.deleted", "lead.bulk")
OWN_CHANGE_SECONDS = 15.0
MAX_IDS = 200


def leads_token(workspace_id: int) -> str:
    return f"leads-{int(workspace_id)}"


class LeadsShared(rx.SharedState):
    """What changed last in a workspace's leads (written only by the relay and by `link`)."""

    # 0 = nothing observed yet; bumped by one per applied event.
    version: rx.Field[int] = rx.field(0)
    # {"type": "lead.updated", "ids": "4,9", "stages": "3,5", "actor": "7"} — comma-joined strings.
    change: rx.Field[dict[str, str]] = rx.field(default_factory=dict)


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


async def _bump(app: Any, event: DomainEvent) -> None:
    record = change_record(event)

    def apply(state: LeadsShared) -> None:
        state.version = state.version + 1
        state.change = record

    await modify_shared(app, LeadsShared, leads_token(event.workspace_id), apply)


for _type in LEAD_EVENTS:
    relay_handler(_type)(_bump)


class LeadsLiveState(SessionState):
    """Links the tab to its workspace's leads shared state (a separate event after the page load)."""

    @rx.event
    @guarded
    async def link(self):
        ctx = await self._ctx()
        shared = await self.get_state(LeadsShared)
        linked = await shared._link_to(leads_token(ctx.workspace_id))
        if linked.version == 0:
            # "0" means "not linked yet" to the watchers: the first real event must read as a change.
            linked.version = 1


def remember_own(own: dict[str, float], ids: list[int] | list[str]) -> dict[str, float]:
    """The tab's own recent changes (lead id → monotonic time), pruned, with `ids` added now."""
    now = time.monotonic()
    kept = {k: v for k, v in own.items() if now - v < OWN_CHANGE_SECONDS}
    kept.update({str(i): now for i in ids})
    return kept


async def observe_change(state: Any, version: int) -> tuple[str, dict[str, str]]:
    """The first step of a leads page's `live_changed`: read the shared change, decide what to do
    (`live_action`) and remember `version` as seen. `state` is a `SessionState` with the backend vars
    `_live_seen: int` and `_own_changes: dict[str, float]`; returns (action, change)."""
    shared = await state.get_state(LeadsShared)
    change = dict(shared.change)
    version = int(version or 0)
    action = live_action(state._live_seen, version, change, state.user_id, state._own_changes)
    state._live_seen = max(state._live_seen, version)
    return action, change


def live_action(seen: int, version: int, change: dict[str, str], user_id: int, own: dict[str, float]) -> str:
    """What a page does when the shared version moves from `seen` to `version`:
    'skip' (first value after linking, a replay, or this tab's own change already applied),
    'partial' (reload what the change touched) or 'full'."""
    if seen == 0 or version <= seen:
        return "skip"
    if version > seen + 1 or not change:
        return "full"  # several events since the last one this tab saw
    ids = [i for i in change.get("ids", "").split(",") if i]
    now = time.monotonic()
    mine = all(now - own.get(i, -1e9) < OWN_CHANGE_SECONDS for i in ids)
    if ids and mine and change.get("actor") == str(user_id) and not change.get("many"):
        return "skip"
    return "partial" if ids and not change.get("many") else "full"
