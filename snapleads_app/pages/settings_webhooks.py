"""/settings/webhooks"""

from __future__ import annotations

import reflex as rx

from snapleads_app.pages.layout import authenticated_page
from snapleads_app.state.settings_webhooks import WebhooksSettingsState
from snapleads_app.views.settings_webhooks import settings_webhooks_view


@authenticated_page("/settings/webhooks", "Webhooks", on_load=[WebhooksSettingsState.load])
def settings_webhooks() -> rx.Component:
    return settings_webhooks_view()
