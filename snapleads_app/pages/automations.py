"""/automations"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.automations import AutomationsState
from snapleads_app.views.automations import automations_view


@authenticated_page("/automations", "Automations", on_load=[AutomationsState.load])
def automations() -> rx.Component:
    return automations_view()
