"""Realtime for imports: `import.progress` / `import.completed` → one push per channel → open import pages.

The relay (state/realtime.py, exactly one process applies each event) sends the change to two channels:
the workspace's (`imports-<wid>`, joined by members who see every import) and the creator's
(`imports-<wid>-u<uid>`, joined by members who see only their own — the leads visibility rule,
`leads.see_all`). Each channel has its own version (a counter in Redis shared by every process,
consecutive per change of that channel); every process emits the push to its own tabs on that channel in
one Socket.IO call. `ImportsShared` is a tab-local state that only these pushes write in the browser (the
server's copy keeps what `link` may have set): O(1) state-manager work per change whatever the number of
tabs. The job's public dict stays on the server (`PUSH_HUB.last_change`, tagged with its version).

The page's watcher (components/live.watch) calls `ImportsState.live_changed`, which copies that job into
the rows it shows — or, after a gap in the versions (or when this process no longer has the change),
reads the jobs from the database. A stale event (an older snapshot of a job the leader already pushed a
newer one of) is not pushed at all.

Imported by snapleads_app.py so the relay handlers are registered.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import reflex as rx

from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.accounts import rules
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

IMPORT_EVENTS = ("import.progress", "import.completed")
FINAL_STATUSES = ("completed", "failed", "cancelled")
MAX_JOBS = 30  # jobs kept per channel by the leader (running ones are never dropped)


def imports_token(workspace_id: int, user_id: int | None = None) -> str:
    """`imports-<wid>` for the whole workspace, `imports-<wid>-u<uid>` for one member's own imports."""
    base = f"imports-{int(workspace_id)}"
    return base if user_id is None else f"{base}-u{int(user_id)}"


def channel_for(ctx: Any) -> str:
    """The channel a member's tabs join: the workspace's, or the member's own imports'."""
    sees_all = rules.can(ctx.role, "leads.see_all")
    return imports_token(ctx.workspace_id, None if sees_all else ctx.user_id)


class ImportsShared(rx.State):
    """The imports version a tab has received: written in the browser by the relay's pushes; on the
    server only `link` writes it (the version at join time, when a change slipped in before the join)."""

    # 0 = nothing received yet; one more per change of the channel's imports.
    version: rx.Field[int] = rx.field(0)


def merge_job(jobs: dict[str, dict[str, Any]], job: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """`jobs` with `job` applied, or None when the event is stale (an older snapshot of the same job:
    a progress event after the final one, or fewer rows processed than already shown)."""
    key = str(job.get("id") or "")
    if not key:
        return None
    known = jobs.get(key)
    if known is not None:
        if known.get("status") in FINAL_STATUSES and job.get("status") not in FINAL_STATUSES:
            return None
        if job.get("status") not in FINAL_STATUSES and int(job.get("processed") or 0) < int(
            known.get("processed") or 0
        ):
            return None
    merged = {**jobs, key: dict(job)}
    if len(merged) > MAX_JOBS:
        finished = sorted(
            (int(k) for k, v in merged.items() if v.get("status") in FINAL_STATUSES and k != key),
        )
        for old in finished[: len(merged) - MAX_JOBS]:
            merged.pop(str(old), None)
    return merged


class JobsByChannel:
    """The leader's latest job snapshots per channel (bounded), to drop stale events. Only a filter:
    a new leader starts empty and pushes whatever comes."""

    MAX_CHANNELS = 2_000

    def __init__(self) -> None:
        self._jobs: dict[str, dict[str, dict[str, Any]]] = {}

    def apply(self, channel: str, job: dict[str, Any]) -> bool:
        """Record `job` for `channel`; False when it is stale (nothing to push)."""
        merged = merge_job(self._jobs.get(channel, {}), job)
        if merged is None:
            return False
        self._jobs.pop(channel, None)
        self._jobs[channel] = merged  # re-inserted: most recent last
        while len(self._jobs) > self.MAX_CHANNELS:
            self._jobs.pop(next(iter(self._jobs)))
        return True

    def clear(self) -> None:
        self._jobs.clear()


_jobs = JobsByChannel()


def prepare_pushes(event: DomainEvent) -> tuple[list[Push], bool]:
    """Blocking: one push per channel the job belongs to (the stale ones left out), each with its
    channel's next version, published to every process. Returns (pushes, published)."""
    job = (event.data or {}).get("job")
    if not isinstance(job, dict):
        return [], False
    channels = [imports_token(event.workspace_id)]
    if job.get("created_by_id"):
        channels.append(imports_token(event.workspace_id, int(job["created_by_id"])))
    pushes = []
    for channel in channels:
        if not _jobs.apply(channel, job):
            continue
        version = VERSIONS.bump(channel)
        pushes.append(
            Push(
                channel=channel,
                delta=field_delta(ImportsShared, {"version": version}),
                change={"version": str(version), "job": json.dumps(job)},
            )
        )
    return pushes, publish_pushes(pushes)


async def _push(app: Any, event: DomainEvent) -> None:
    pushes, published = await asyncio.to_thread(prepare_pushes, event)
    await send_pushes(app, pushes, published=published)


for _type in IMPORT_EVENTS:
    relay_handler(_type)(_push)


def pushed_job(ctx: Any, version: int) -> dict[str, Any] | None:
    """The job the push numbered `version` of `ctx`'s channel carried, if this process still has it."""
    change = PUSH_HUB.last_change(channel_for(ctx))
    if change.get("version") != str(version):
        return None
    try:
        job = json.loads(change.get("job") or "")
    except ValueError:
        return None
    return job if isinstance(job, dict) else None


class ImportsLiveState(SessionState):
    """Joins the tab to the import jobs it may see (a separate event after the page load)."""

    _loaded_version: int = 0  # the version the page's load read at (`start_live`)

    @rx.event
    @guarded
    async def link(self):
        ctx = await self._ctx()
        channel = channel_for(ctx)
        await join_and_catch_up(
            self,
            group="imports",
            channel=channel,
            key=channel,
            loaded=self._loaded_version,
            live_cls=ImportsShared,
        )


async def start_live(state: Any, ctx: Any) -> int:
    return await record_load_version(state, ImportsLiveState, channel_for(ctx))
