"""`watch(value, on_change)`: fire an event whenever a (shared) state value changes in the browser.

Realtime pages join a push channel (state/realtime.py); when the relay pushes a new version the delta
reaches every joined browser, and this component's effect turns it into an ordinary event of the page's
own state (which decides whether to reload). It renders nothing visible and holds no state.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.utils.format import format_queue_events
from reflex_base.vars.base import Var, VarData


class _Watch(rx.Fragment):
    """A fragment whose effect re-runs on every change of `_watched` (set in `watch`)."""

    _watched: Any = None
    _callback: Any = None

    def add_hooks(self) -> list[str | Var]:
        if self._watched is None or self._callback is None:
            return []
        watched = Var.create(self._watched)
        callback = self._callback
        code = f"useEffect(() => {{ ({callback!s})({watched!s}); }}, [{watched!s}]);"
        return [
            Var(
                _js_expr=code,
                _var_data=VarData.merge(
                    watched._get_all_var_data(),
                    callback._get_all_var_data(),
                    VarData(imports={"react": ["useEffect"]}),
                ),
            )
        ]


def watch(value: Any, on_change: Any) -> rx.Component:
    """`on_change` is an event handler taking the new value (it also runs once on mount)."""
    component = _Watch.create()
    if not isinstance(component, _Watch):  # pragma: no cover - create() returns the class itself
        raise TypeError("unexpected component")
    component._watched = value
    component._callback = format_queue_events(on_change, args_spec=lambda value: [value])
    return component
