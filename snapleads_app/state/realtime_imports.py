"""Realtime for imports: `import.progress` / `import.completed` → shared states → open import pages.

The relay (state/realtime.py, exactly one process applies each event) writes the job's public dict
into `ImportsShared.jobs` under two tokens: the workspace's (`imports-<wid>`, linked by members who
see every import) and the creator's (`imports-<wid>-u<uid>`, linked by members who see only their
own — the leads visibility rule, `leads.see_all`). Every linked browser receives the delta; the page's
watcher (components/live.watch) calls `ImportsState.live_changed`, which copies the jobs it shows.

Imported by snapleads_app.py so the relay handlers are registered.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from snapleads_app.core.events import DomainEvent
from snapleads_app.domain.accounts import rules
from snapleads_app.state.base import guarded
from snapleads_app.state.realtime import modify_shared, relay_handler
from snapleads_app.state.session import SessionState

IMPORT_EVENTS = ("import.progress", "import.completed")
FINAL_STATUSES = ("completed", "failed", "cancelled")
MAX_JOBS = 30  # jobs kept per token (running ones are never dropped)


def imports_token(workspace_id: int, user_id: int | None = None) -> str:
    """`imports-<wid>` for the whole workspace, `imports-<wid>-u<uid>` for one member's own imports."""
    base = f"imports-{int(workspace_id)}"
    return base if user_id is None else f"{base}-u{int(user_id)}"


class ImportsShared(rx.SharedState):
    """The latest public dict of each recent import job (written only by the relay)."""

    # Bumped by one per applied event; 0 = nothing observed yet (the watchers skip it).
    version: rx.Field[int] = rx.field(0)
    # str(job id) → ImportJobPublic as JSON (model_dump(mode="json")).
    jobs: rx.Field[dict[str, dict[str, Any]]] = rx.field(default_factory=dict)


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


async def _apply_job(app: Any, event: DomainEvent) -> None:
    job = (event.data or {}).get("job")
    if not isinstance(job, dict):
        return
    tokens = [imports_token(event.workspace_id)]
    if job.get("created_by_id"):
        tokens.append(imports_token(event.workspace_id, int(job["created_by_id"])))

    def apply(state: ImportsShared) -> None:
        merged = merge_job(dict(state.jobs), job)
        if merged is not None:
            state.jobs = merged
            state.version = state.version + 1

    for token in tokens:
        await modify_shared(app, ImportsShared, token, apply)


for _type in IMPORT_EVENTS:
    relay_handler(_type)(_apply_job)


class ImportsLiveState(SessionState):
    """Links the tab to the import jobs it may see (a separate event after the page load)."""

    @rx.event
    @guarded
    async def link(self):
        ctx = await self._ctx()
        sees_all = rules.can(ctx.role, "leads.see_all")
        token = imports_token(ctx.workspace_id, None if sees_all else ctx.user_id)
        shared = await self.get_state(ImportsShared)
        linked = await shared._link_to(token)
        if linked.version == 0:
            # "0" means "not linked yet" to the watchers: the first real event must read as a change.
            linked.version = 1
