"""Realtime for the automations run log: `automation.run` events → one push per (coalesced) change → open
/automations pages.

The relay (state/realtime.py, exactly one process applies each event) bumps the workspace's runs version
(a counter in Redis shared by every process, consecutive per push) and sends one push to the channel
`automations-<wid>`; every process emits it to its own tabs on that channel in one Socket.IO call.
`AutomationsShared` is a tab-local state that only these pushes write in the browser (the server's copy
keeps what `link` may have set): O(1) state-manager work per change whatever the number of tabs. A bulk
action or an import can start hundreds of runs in a second, so the events of one workspace are
coalesced: the first one schedules a single push `COALESCE_SECONDS` later that carries the last change
and how many happened (kept on the server: `PUSH_HUB.last_change`, tagged with its version). The page's
watcher (components/live.watch) calls `AutomationsState.live_changed`, which reads the runs it shows
from the database — with the viewer's own filters and visibility (agents: runs of their leads), so a
push holds ids and statuses only and a missed one never leaves a browser wrong.

Imported by snapleads_app.py so the relay handler is registered.
"""

from __future__ import annotations

import asyncio
import logging
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

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.3


def automations_token(workspace_id: int) -> str:
    return f"automations-{int(workspace_id)}"


def current_version(workspace_id: int) -> int:
    """Blocking: the workspace's runs version now (every change after it is numbered higher)."""
    return VERSIONS.current(automations_token(workspace_id))


class AutomationsShared(rx.State):
    """The runs version a tab has received: written in the browser by the relay's pushes; on the server
    only `link` writes it (the version at join time, when a change slipped in before the join)."""

    # 0 = nothing received yet; one more per push (a push may carry several coalesced events).
    version: rx.Field[int] = rx.field(0)


def change_record(event: DomainEvent, count: int = 1) -> dict[str, str]:
    data = event.data or {}
    return {
        "run_id": str(data.get("run_id") or ""),
        "automation_id": str(data.get("automation_id") or ""),
        "lead_id": str(data.get("lead_id") or ""),
        "status": str(data.get("status") or ""),
        "count": str(count),
    }


class _Coalescer:
    """Per workspace: the pending change and how many events it stands for."""

    def __init__(self) -> None:
        self.pending: dict[int, tuple[DomainEvent, int]] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    def add(self, event: DomainEvent) -> bool:
        """Record the event; True when it is the first of a new window (the caller schedules a flush)."""
        known = self.pending.get(event.workspace_id)
        self.pending[event.workspace_id] = (event, (known[1] if known else 0) + 1)
        return known is None

    def take(self, workspace_id: int) -> tuple[DomainEvent, int] | None:
        return self.pending.pop(workspace_id, None)


_coalescer = _Coalescer()


def prepare_push(workspace_id: int, record: dict[str, str]) -> tuple[Push, bool]:
    """Blocking: bump the version, build the push and publish it to every process."""
    token = automations_token(workspace_id)
    version = VERSIONS.bump(token)
    push = Push(
        channel=token,
        delta=field_delta(AutomationsShared, {"version": version}),
        change={**record, "version": str(version)},
    )
    return push, publish_pushes([push])


async def write_change(app: Any, workspace_id: int, record: dict[str, str]) -> None:
    push, published = await asyncio.to_thread(prepare_push, workspace_id, record)
    await send_pushes(app, [push], published=published)


async def _flush_later(app: Any, workspace_id: int, delay: float) -> None:
    await asyncio.sleep(delay)
    taken = _coalescer.take(workspace_id)
    if taken is None:
        return
    event, count = taken
    try:
        await write_change(app, workspace_id, change_record(event, count))
    except Exception:
        log.exception("relay: automations run log update failed")


@relay_handler("automation.run")
async def _on_run(app: Any, event: DomainEvent) -> None:
    if not _coalescer.add(event):
        return  # a write is already scheduled for this workspace: it will carry this event too
    task = asyncio.create_task(_flush_later(app, event.workspace_id, COALESCE_SECONDS))
    _coalescer.tasks.add(task)
    task.add_done_callback(_coalescer.tasks.discard)


def pushed_change(workspace_id: int, version: int) -> dict[str, str]:
    """The change the push numbered `version` carried, if this process still has it ({} otherwise)."""
    change = PUSH_HUB.last_change(automations_token(workspace_id))
    return change if change.get("version") == str(version) else {}


class AutomationsLiveState(SessionState):
    """Joins the tab to its workspace's run log pushes (a separate event after the page load)."""

    _loaded_version: int = 0  # the version the page's load read at (`start_live`)

    @rx.event
    @guarded
    async def link(self):
        ctx = await self._ctx()
        token = automations_token(ctx.workspace_id)
        await join_and_catch_up(
            self,
            group="automations",
            channel=token,
            key=token,
            loaded=self._loaded_version,
            live_cls=AutomationsShared,
        )


async def start_live(state: Any, workspace_id: int) -> int:
    return await record_load_version(state, AutomationsLiveState, automations_token(workspace_id))
