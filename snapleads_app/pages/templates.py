"""/templates"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.templates import TemplatesState
from snapleads_app.views.templates import templates_view


@authenticated_page("/templates", "Templates", on_load=[TemplatesState.load])
def templates() -> rx.Component:
    return templates_view()
