"""/settings/scoring"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.settings_scoring import ScoringSettingsState
from snapleads_app.views.settings_scoring import settings_scoring_view


@authenticated_page("/settings/scoring", "Scoring", on_load=[ScoringSettingsState.load])
def settings_scoring() -> rx.Component:
    return settings_scoring_view()
