"""Workarounds for Reflex 0.10.1 behaviour we depend on; each says what it fixes and how to drop it.

Linked shared states lock in one global order. Every event of a tab (and every fan-out update to a
linked tab) locks the tab, then the shared token of each of its linked states, in the order the tab
*first linked* them (`State._reflex_internal_links` is an insertion-ordered dict). Two tabs that linked
the same tokens in different orders — one opened the inbox before the leads page, the other after —
can each hold one token and wait for the other's: both tabs, and every later event of theirs, hang
for good (seen in the inbox presence browser test: "… is viewing" never arrived). Locking the tokens
in sorted order makes the order the same for everyone, so no cycle can form.

Drop this once Reflex acquires linked locks in a canonical order itself
(`reflex/istate/shared.py`, `SharedStateBaseInternal._modify_linked_states`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from reflex.istate.shared import SharedStateBaseInternal

_original_modify_linked_states: Any = SharedStateBaseInternal._modify_linked_states


def sort_links(links: dict[str, str] | None) -> None:
    """Reorder the links dict in place by token (the order `_modify_linked_states` locks them)."""
    if not links or len(links) < 2:
        return
    ordered = sorted(links.items(), key=lambda item: (item[1], item[0]))
    if list(links.items()) != ordered:
        links.clear()
        links.update(ordered)


@contextlib.asynccontextmanager
async def _modify_linked_states_in_token_order(
    self: SharedStateBaseInternal, previous_dirty_vars: dict[str, set[str]] | None = None
) -> AsyncIterator[None]:
    sort_links(self._reflex_internal_links)
    async with _original_modify_linked_states(self, previous_dirty_vars=previous_dirty_vars):
        yield None


def apply() -> None:
    """Idempotent; called when the state package is imported, in every web process."""
    SharedStateBaseInternal._modify_linked_states = _modify_linked_states_in_token_order  # type: ignore[method-assign]


apply()
