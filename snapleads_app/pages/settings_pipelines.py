"""/settings/pipelines"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.settings_pipelines import SettingsPipelinesState
from snapleads_app.views.settings_pipelines import settings_pipelines_view


@authenticated_page("/settings/pipelines", "Pipelines", on_load=[SettingsPipelinesState.load])
def settings_pipelines() -> rx.Component:
    return settings_pipelines_view()
