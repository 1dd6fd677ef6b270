"""/settings/workspace"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.settings_workspace import WorkspaceSettingsState
from snapleads_app.views.settings_workspace import settings_workspace_view


@authenticated_page("/settings/workspace", "Workspace", on_load=[WorkspaceSettingsState.load])
def settings_workspace() -> rx.Component:
    return settings_workspace_view()
