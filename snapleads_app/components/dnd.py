"""Kanban drag and drop with the browser's native HTML5 DnD (no extra npm package, keyboard fallback
is the card's "move to stage" menu).

- `drag_card(...)`: a draggable element carrying `data-lead-id`; a document-level listener puts the id
  in the drag data when a drag starts.
- `drop_column(..., on_drop=handler)`: a column carrying `data-stage-id`. A document-level `dragover`
  listener allows dropping on it (and highlights it); React's `onDrop` then hands the backend one dict:
  `{"lead_id", "stage_id", "after_id", "before_id"}` — the dragged card, the column, and the cards that
  end up above/below it (computed from the pointer against the midpoints of the column's cards).

The JS is module-level code of the page (installed once, guarded for the server-side prerender).
"""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx
from reflex_base.vars.base import Var
from reflex_components_core.el.elements.typography import Div


class DropInfo(TypedDict):
    lead_id: str
    stage_id: str
    after_id: str
    before_id: str


_JS = """
function slKanbanInstall() {
  if (typeof document === "undefined" || window.__slKanbanDnd) return;
  window.__slKanbanDnd = true;
  const clear = () => document.querySelectorAll("[data-drop-active]").forEach(
    (el) => el.removeAttribute("data-drop-active"));
  document.addEventListener("dragstart", (e) => {
    const card = e.target && e.target.closest ? e.target.closest("[data-lead-card]") : null;
    if (!card) return;
    window.__slDragId = card.dataset.leadId;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.leadId);
    card.setAttribute("data-dragging", "true");
  });
  document.addEventListener("dragend", (e) => {
    clear();
    document.querySelectorAll("[data-dragging]").forEach((el) => el.removeAttribute("data-dragging"));
  });
  document.addEventListener("dragover", (e) => {
    const col = e.target && e.target.closest ? e.target.closest("[data-drop-stage]") : null;
    if (!col || !window.__slDragId) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    if (!col.hasAttribute("data-drop-active")) { clear(); col.setAttribute("data-drop-active", "true"); }
  });
  document.addEventListener("drop", () => { clear(); });
}
slKanbanInstall();
function slKanbanDrop(e) {
  e.preventDefault();
  const col = e.currentTarget;
  const id = (e.dataTransfer && e.dataTransfer.getData("text/plain")) || window.__slDragId || "";
  window.__slDragId = null;
  const cards = Array.from(col.querySelectorAll("[data-lead-card]")).filter((c) => c.dataset.leadId !== id);
  let after = "", before = "";
  for (const c of cards) {
    const r = c.getBoundingClientRect();
    if (e.clientY < r.top + r.height / 2) { before = c.dataset.leadId; break; }
    after = c.dataset.leadId;
  }
  return {lead_id: String(id), stage_id: String(col.dataset.stageId || ""), after_id: after, before_id: before};
}
"""


def _drop_spec(e: Var) -> tuple[Var[DropInfo]]:
    return (Var(_js_expr=f"slKanbanDrop({e!s})", _var_type=DropInfo),)


class DropColumn(Div):
    """A <div> that accepts dropped cards (see the module docstring)."""

    on_drop: rx.EventHandler[_drop_spec]

    def add_custom_code(self) -> list[str]:
        return [_JS]


def drop_column(*children: rx.Component, stage_id: Any, on_drop: Any, **props: Any) -> rx.Component:
    return DropColumn.create(
        *children, data_drop_stage="true", data_stage_id=stage_id, on_drop=on_drop, **props
    )


def drag_card(*children: rx.Component, lead_id: Any, **props: Any) -> rx.Component:
    return rx.el.div(
        *children,
        draggable=True,
        data_lead_card="true",
        data_lead_id=lead_id,
        **props,
    )
