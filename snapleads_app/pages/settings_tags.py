"""/settings/tags"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.settings_tags import SettingsTagsState
from snapleads_app.views.settings_tags import settings_tags_view


@authenticated_page("/settings/tags", "Tags", on_load=[SettingsTagsState.load])
def settings_tags() -> rx.Component:
    return settings_tags_view()
