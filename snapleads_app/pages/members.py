"""/settings/members"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.members import MembersState
from snapleads_app.views.members import members_view


@authenticated_page("/settings/members", "Members", on_load=[MembersState.load])
def members() -> rx.Component:
    return members_view()
