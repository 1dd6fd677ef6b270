"""/imports"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.imports import ImportsState
from snapleads_app.views.imports import imports_view


@authenticated_page("/imports", "Import", on_load=[ImportsState.load])
def imports() -> rx.Component:
    return imports_view()
