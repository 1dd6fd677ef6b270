"""Realtime for the automations run log: `automation.run` events → a per-workspace shared "runs version"
→ open /automations pages.

The relay (state/realtime.py, exactly one process applies each event) bumps `AutomationsShared.version`
under the workspace's token (`automations-<wid>`). A bulk action or an import can start hundreds of runs
in a second, so the events of one workspace are coalesced: the first one schedules a single write
`COALESCE_SECONDS` later that carries the last change and how many happened. The page's watcher
(components/live.watch) calls `AutomationsState.live_changed`, which reads the runs it shows from the
database — with the viewer's own filters and visibility (agents: runs of their leads), so the shared
state holds ids and statuses only and a missed event never leaves a browser wrong.

Imported by snapleads_app.py so the relay handler is registered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from snapleads_app.core.events import DomainEvent
from snapleads_app.state.base import guarded
from snapleads_app.state.realtime import modify_shared, relay_handler
from snapleads_app.state.session import SessionState

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.3


def automations_token(workspace_id: int) -> str:
    return f"automations-{int(workspace_id)}"


class AutomationsShared(rx.SharedState):
    """The last run change of a workspace (written only by the relay)."""

    # 0 = nothing observed yet; bumped by one per write (a write may carry several coalesced events).
    version: rx.Field[int] = rx.field(0)
    # {"run_id": "4", "automation_id": "2", "lead_id": "9", "status": "success", "count": "1"}
    change: rx.Field[dict[str, str]] = rx.field(default_factory=dict)


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


async def write_change(app: Any, workspace_id: int, record: dict[str, str]) -> None:
    def apply(state: AutomationsShared) -> None:
        state.version = state.version + 1
        state.change = record

    await modify_shared(app, AutomationsShared, automations_token(workspace_id), apply)


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


class AutomationsLiveState(SessionState):
    """Links the tab to its workspace's run log shared state (a separate event after the page load)."""

    @rx.event
    @guarded
    async def link(self):
        ctx = await self._ctx()
        shared = await self.get_state(AutomationsShared)
        linked = await shared._link_to(automations_token(ctx.workspace_id))
        if linked.version == 0:
            # "0" means "not linked yet" to the watchers: the first real event must read as a change.
            linked.version = 1
