"""/inbox"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.inbox import InboxState
from snapleads_app.views.inbox import inbox_view


@authenticated_page("/inbox", "Inbox", on_load=[InboxState.load])
def inbox() -> rx.Component:
    return inbox_view()
