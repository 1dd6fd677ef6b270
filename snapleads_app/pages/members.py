"""/settings/members"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.members import MembersState
from snapleads_app.views.members import members_view
from snapleads_app.views.settings_nav import settings_nav


@authenticated_page("/settings/members", "Members", on_load=[MembersState.load])
def members() -> rx.Component:
    return rx.vstack(settings_nav(), members_view(), spacing="5", width="100%")
