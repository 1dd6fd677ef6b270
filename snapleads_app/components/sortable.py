"""Reorderable lists with the browser's native HTML5 drag and drop (no extra npm package; the keyboard
fallback is each row's up/down buttons).

- `sortable_list(..., list_id=..., on_reorder=handler)`: the container. A document-level `dragover`
  listener lets a row of the same list be dropped on it; React's `onDrop` then hands the backend
  `{"from": index, "to": index}` — the dragged row's index and the index it takes in the new order
  (computed from the pointer against the midpoints of the other rows).
- `sortable_item(..., index=...)`: a row; `sort_handle(...)` inside it starts the drag (only the handle
  is draggable, so the row's inputs keep their text selection).

The JS is module-level code of the page (installed once, guarded for the server-side prerender).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var
from reflex_components_core.el.elements.typography import Div

_JS = """
function slSortInstall() {
  if (typeof document === "undefined" || window.__slSortDnd) return;
  window.__slSortDnd = true;
  const closest = (e, sel) => (e.target && e.target.closest ? e.target.closest(sel) : null);
  const clear = () => document.querySelectorAll("[data-sort-item][data-dragging], [data-sort-list][data-drop-active]")
    .forEach((el) => { el.removeAttribute("data-dragging"); el.removeAttribute("data-drop-active"); });
  document.addEventListener("dragstart", (e) => {
    const handle = closest(e, "[data-sort-handle]");
    const item = handle ? handle.closest("[data-sort-item]") : null;
    const list = item ? item.closest("[data-sort-list]") : null;
    if (!item || !list) return;
    window.__slSort = {list: list.dataset.sortList, from: item.dataset.sortIndex};
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", "sort:" + item.dataset.sortIndex);
    try { e.dataTransfer.setDragImage(item, 12, 12); } catch (_) {}
    item.setAttribute("data-dragging", "true");
  });
  document.addEventListener("dragend", () => { clear(); window.__slSort = null; });
  document.addEventListener("dragover", (e) => {
    const list = closest(e, "[data-sort-list]");
    const drag = window.__slSort;
    if (!list || !drag || list.dataset.sortList !== drag.list) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    list.setAttribute("data-drop-active", "true");
  });
}
slSortInstall();
function slSortDrop(e) {
  e.preventDefault();
  const list = e.currentTarget;
  const drag = window.__slSort;
  window.__slSort = null;
  list.removeAttribute("data-drop-active");
  if (!drag || drag.list !== list.dataset.sortList) return {from: "", to: ""};
  const rows = Array.from(list.querySelectorAll("[data-sort-item]"))
    .filter((r) => r.closest("[data-sort-list]") === list && r.dataset.sortIndex !== drag.from);
  let to = 0;
  for (const r of rows) {
    const box = r.getBoundingClientRect();
    if (e.clientY > box.top + box.height / 2) to += 1;
  }
  return {from: String(drag.from), to: String(to)};
}
"""


def _drop_spec(e: Var) -> tuple[Var[dict[str, str]]]:
    return (Var(_js_expr=f"slSortDrop({e!s})", _var_type=dict[str, str]),)


class SortableList(Div):
    """A <div> whose rows can be reordered by dragging their handle (see the module docstring)."""

    on_drop: rx.EventHandler[_drop_spec]

    def add_custom_code(self) -> list[str]:
        return [_JS]


def sortable_list(*children: rx.Component, list_id: str, on_reorder: Any, **props: Any) -> rx.Component:
    return SortableList.create(*children, data_sort_list=list_id, on_drop=on_reorder, **props)


def sortable_item(*children: rx.Component, index: Any, **props: Any) -> rx.Component:
    return rx.el.div(*children, data_sort_item="true", data_sort_index=index, **props)


def sort_handle(label: Any) -> rx.Component:
    """The grip that starts a drag (mouse/touch); keyboard users use the row's up/down buttons."""
    return rx.el.span(
        rx.icon("grip_vertical", size=16),
        draggable=True,
        data_sort_handle="true",
        title=label,
        aria_hidden="true",
        style={"cursor": "grab", "display": "inline-flex", "color": "var(--gray-10)"},
    )
