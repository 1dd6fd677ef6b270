"""/leads"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.leads import LeadsState
from snapleads_app.state.meetings import MeetingState
from snapleads_app.views.leads import leads_view


@authenticated_page("/leads", "Leads", on_load=[LeadsState.load, MeetingState.open_lead_from_query])
def leads() -> rx.Component:
    return leads_view()
