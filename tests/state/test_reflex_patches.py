"""The Reflex workaround: every tab locks its linked shared tokens in one order (by token)."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace
from typing import Any

from reflex.istate.shared import SharedStateBaseInternal

from snapleads_app.state import reflex_patches
from snapleads_app.state.reflex_patches import sort_links


def test_links_are_sorted_by_token_in_place() -> None:
    links = {"leads_shared": "leads-1", "conversation_shared": "conv-1-9", "imports_shared": "imports-1"}
    same = links
    sort_links(links)
    assert same is links  # the state's own dict, reordered
    assert list(links.values()) == ["conv-1-9", "imports-1", "leads-1"]
    assert links["leads_shared"] == "leads-1"  # nothing lost or remapped
    sort_links(None)  # no links yet: nothing to do
    one = {"a": "x"}
    sort_links(one)
    assert one == {"a": "x"}


def test_two_tabs_that_linked_in_opposite_orders_lock_in_the_same_order(monkeypatch: Any) -> None:
    seen: list[list[str]] = []

    @contextlib.asynccontextmanager
    async def original(self: Any, previous_dirty_vars: Any = None):
        seen.append(list(self._reflex_internal_links.values()))  # what the loop would lock, in order
        yield None

    monkeypatch.setattr(reflex_patches, "_original_modify_linked_states", original)
    first = SimpleNamespace(_reflex_internal_links={"c": "conv-1-1", "l": "leads-1", "i": "imports-1"})
    second = SimpleNamespace(_reflex_internal_links={"l": "leads-1", "i": "imports-1", "c": "conv-1-1"})

    async def enter(tab: Any) -> None:
        async with SharedStateBaseInternal._modify_linked_states(tab):  # type: ignore[arg-type]
            pass

    async def both() -> None:
        await enter(first)
        await enter(second)

    asyncio.run(both())
    assert seen == [["conv-1-1", "imports-1", "leads-1"]] * 2
