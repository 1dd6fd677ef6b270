"""/kanban"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.kanban import KanbanState
from snapleads_app.views.kanban import kanban_view


@authenticated_page("/kanban", "Kanban", on_load=[KanbanState.load])
def kanban() -> rx.Component:
    return kanban_view()
